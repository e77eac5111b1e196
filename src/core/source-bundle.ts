/**
 * The release's source bundle: the migration files of a release (paths relative to the migrations
 * directory, exact bytes), kept in the store beside the manifest so the release's downs can run without its
 * image. Pure: building, serializing, digesting and checking; the store keeps the bytes, src/migrate reads
 * them back into migrations.
 *
 * The bytes are canonical JSON (keys sorted, files sorted by path, no whitespace), so the same files always
 * give the same bundle and the same digest; the manifest records that digest (`sourceBundle`), and a bundle
 * is trusted only when its bytes hash to it and each file hashes to the checksum written beside it.
 * Migrations that are code (modules) are not bundled: they are named in `needsImage`, because a module can
 * import anything from the image, which no bundle can prove it holds.
 */
import { canonicalJson } from './canonical-json.ts';
import { CHECKSUM_PATTERN, checksumOf } from './checksum.ts';
import { RefusedError } from './errors.ts';

export const SOURCE_BUNDLE_FORMAT = 'stepback/sources@1';

export interface BundleFile {
  /** Relative to the migrations directory, `/`-separated (`0003_posts/down.sql`). */
  path: string;
  /** `sha256:` of the file's exact bytes. */
  checksum: string;
  /** `utf8` when the bytes are valid UTF-8 (readable in the store), otherwise `base64`. */
  encoding: 'utf8' | 'base64';
  content: string;
}

export interface SourceBundle {
  format: typeof SOURCE_BUNDLE_FORMAT;
  release: string;
  /** The migration tool's layout the files are read with (`stepback`, `dbmate`, …). */
  layout: string;
  files: BundleFile[];
  /** Migrations of the release that are code and need the release's image to run. */
  needsImage: string[];
}

/** The files of a release → its bundle (files in path order, so the bytes never depend on reading order). */
export function buildSourceBundle(
  release: string,
  layout: string,
  files: readonly { path: string; bytes: Uint8Array }[],
  needsImage: readonly string[],
): SourceBundle {
  const entries = files.map(({ path, bytes }): BundleFile => {
    const problem = pathProblem(path);
    if (problem) throw new TypeError(`cannot bundle ${JSON.stringify(path)}: ${problem}`);
    const buffer = Buffer.from(bytes);
    const text = buffer.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(buffer);
    return {
      path,
      checksum: checksumOf(buffer),
      encoding: utf8 ? 'utf8' : 'base64',
      content: utf8 ? text : buffer.toString('base64'),
    };
  });
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    format: SOURCE_BUNDLE_FORMAT,
    release,
    layout,
    files: entries,
    needsImage: [...needsImage].sort(),
  };
}

export function serializeSourceBundle(bundle: SourceBundle): Buffer {
  return Buffer.from(canonicalJson(bundle), 'utf8');
}

export function sourceBundleDigest(bytes: Uint8Array): string {
  return checksumOf(bytes);
}

/** Why a bundle path cannot be written under a directory, or undefined when it can. */
function pathProblem(path: string): string | undefined {
  if (path === '' || path.length > 1024) return 'empty or too long';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute';
  if (path.includes('\\') || path.includes('\0')) return 'holds a backslash or NUL';
  if (path.split('/').some((part) => part === '' || part === '.' || part === '..'))
    return 'has an empty, "." or ".." part';
  return undefined;
}

/**
 * A bundle's bytes as read from a store → the bundle and each file's bytes, after proving that the bytes
 * are the ones the manifest names (`expectedDigest`) and that every file matches the checksum beside it.
 * Any mismatch refuses (exit 3) before anything runs: a bundle that cannot be proven is never used.
 */
export function readSourceBundle(
  bytes: Uint8Array,
  expectedDigest: string,
  release: string,
  where: string,
): { bundle: SourceBundle; files: { path: string; bytes: Buffer }[] } {
  const refuse = (problems: string[]) =>
    new RefusedError(
      `the source bundle of release ${release} (${where}) cannot be trusted; nothing was run`,
      {
        problems,
        hint: "the stored bundle was changed or damaged after it was recorded; restore it from the store's history (S3 versioning) or run the downs from the release's image",
      },
    );
  const digest = sourceBundleDigest(bytes);
  if (digest !== expectedDigest)
    throw refuse([`its digest is ${digest}, but the manifest of ${release} records ${expectedDigest}`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw refuse([`it is not valid JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const bundle = parsed as Partial<SourceBundle>;
  if (bundle === null || typeof bundle !== 'object') throw refuse(['it is not a JSON object']);
  if (bundle.format !== SOURCE_BUNDLE_FORMAT)
    problems.push(
      `format is ${JSON.stringify(bundle.format)}, this stepback reads "${SOURCE_BUNDLE_FORMAT}"`,
    );
  if (bundle.release !== release)
    problems.push(`it is the bundle of release ${JSON.stringify(bundle.release)}, not ${release}`);
  if (typeof bundle.layout !== 'string' || bundle.layout === '') problems.push('layout is not named');
  if (!Array.isArray(bundle.needsImage) || !bundle.needsImage.every((n) => typeof n === 'string'))
    problems.push('needsImage is not a list of names');
  if (!Array.isArray(bundle.files)) problems.push('files is not a list');
  const files: { path: string; bytes: Buffer }[] = [];
  const seen = new Set<string>();
  for (const [i, file] of (Array.isArray(bundle.files) ? bundle.files : []).entries()) {
    const f = file as Partial<BundleFile> | null;
    if (!f || typeof f.path !== 'string' || typeof f.content !== 'string') {
      problems.push(`files[${i}] has no path or content`);
      continue;
    }
    const pathIssue = pathProblem(f.path);
    if (pathIssue) problems.push(`files[${i}] path ${JSON.stringify(f.path)} is ${pathIssue}`);
    if (seen.has(f.path)) problems.push(`files[${i}] ${f.path} is listed twice`);
    seen.add(f.path);
    if (f.encoding !== 'utf8' && f.encoding !== 'base64') {
      problems.push(`${f.path}: unknown encoding ${JSON.stringify(f.encoding)}`);
      continue;
    }
    const content = Buffer.from(f.content, f.encoding);
    const actual = checksumOf(content);
    if (typeof f.checksum !== 'string' || !CHECKSUM_PATTERN.test(f.checksum))
      problems.push(`${f.path}: no valid checksum beside it`);
    else if (actual !== f.checksum)
      problems.push(`${f.path}: its content hashes to ${actual}, the bundle records ${f.checksum}`);
    if (!pathIssue) files.push({ path: f.path, bytes: content });
  }
  if (problems.length > 0) throw refuse(problems);
  return { bundle: bundle as SourceBundle, files };
}

/** What a migration read back from a bundle must match in its release's manifest. */
export interface BundledMigration {
  name: string;
  checksum: string;
  downChecksum: string | null;
  reversible: boolean;
  transactional: boolean;
}

/**
 * Pure: every way the migrations read from a bundle differ from the manifest they must reproduce. Each
 * manifest migration is either read back with the same checksums and flags, or named in needsImage.
 */
export function bundleMismatches(
  manifestMigrations: readonly BundledMigration[],
  fromBundle: readonly BundledMigration[],
  needsImage: readonly string[],
): string[] {
  const problems: string[] = [];
  const read = new Map(fromBundle.map((m) => [m.name, m]));
  const code = new Set(needsImage);
  const known = new Set(manifestMigrations.map((m) => m.name));
  for (const m of manifestMigrations) {
    const got = read.get(m.name);
    if (!got) {
      if (!code.has(m.name))
        problems.push(`${m.name} is in the manifest but its files are not in the bundle`);
      continue;
    }
    if (got.checksum !== m.checksum)
      problems.push(
        `${m.name}: the bundle's up source is ${got.checksum}, the manifest records ${m.checksum}`,
      );
    if (got.downChecksum !== m.downChecksum)
      problems.push(
        `${m.name}: the bundle's down source is ${got.downChecksum ?? 'missing'}, the manifest records ${m.downChecksum ?? 'none (irreversible)'}`,
      );
    if (got.reversible !== m.reversible || got.transactional !== m.transactional)
      problems.push(`${m.name}: its reversible/transactional flags differ from the manifest's`);
  }
  for (const m of fromBundle)
    if (!known.has(m.name)) problems.push(`${m.name} is in the bundle but not in the manifest`);
  for (const name of needsImage)
    if (!known.has(name)) problems.push(`${name} is named as needing the image but is not in the manifest`);
  return problems;
}
