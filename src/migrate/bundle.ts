/**
 * Migrations ↔ the release's source bundle (src/core/source-bundle.ts). Writing: the directory's files and
 * the layout they were read in. Reading: the verified files are laid out in a private temporary directory and
 * read by the same source reader as any migrations directory, so a bundle yields exactly the migrations its
 * files would in the image; each is then held against the manifest (checksums and flags) before use.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { RefusedError } from '../core/errors.ts';
import type { Manifest } from '../core/release-manifest.ts';
import {
  buildSourceBundle,
  bundleMismatches,
  readSourceBundle,
  type SourceBundle,
  serializeSourceBundle,
  sourceBundleDigest,
} from '../core/source-bundle.ts';
import { layoutNamed } from './layouts/registry.ts';
import { type MigrationDirectory, manifestMigrations, readMigrationDirectory } from './sources.ts';
import type { MigrationSource } from './types.ts';

export interface ReleaseSources {
  bundle: SourceBundle;
  bytes: Buffer;
  digest: string;
}

/**
 * The bundle of a migrations directory: every file in it (any depth; hidden ones excepted), so whatever a
 * layout reads beside the up and down files (Flyway's `.sql.conf`) comes along, except the files of code
 * migrations (modules), which are named in `needsImage` instead.
 */
export function bundleOf(release: string, dir: string, read: MigrationDirectory): ReleaseSources {
  const code = read.sources.filter((m) => m.layout === 'module');
  const codeFiles = new Set(code.map((m) => resolve(m.upPath)));
  const files: { path: string; bytes: Uint8Array }[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(folder, entry.name);
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(full, path);
      else if (!codeFiles.has(resolve(full))) files.push({ path, bytes: readFileSync(full) });
    }
  };
  walk(dir, '');
  const bundle = buildSourceBundle(
    release,
    read.layout,
    files,
    code.map((m) => m.name),
  );
  const bytes = serializeSourceBundle(bundle);
  return { bundle, bytes, digest: sourceBundleDigest(bytes) };
}

/**
 * The migrations of `manifest`'s release, from its stored bundle's bytes: refused (exit 3) unless the bytes
 * hash to the manifest's `sourceBundle`, every file to its checksum, and every migration read back to the
 * manifest's checksums and flags. Migrations that are code come back in `needsImage`, without sources.
 */
export async function sourcesFromBundle(
  manifest: Manifest,
  bytes: Uint8Array,
  where: string,
): Promise<{ sources: MigrationSource[]; needsImage: string[] }> {
  if (!manifest.sourceBundle)
    throw new RefusedError(`release ${manifest.release} was recorded without a source bundle`, {
      hint: "its downs can only run from the release's image (record releases with this stepback to store bundles)",
    });
  const { bundle, files } = readSourceBundle(bytes, manifest.sourceBundle, manifest.release, where);
  const dir = mkdtempSync(join(tmpdir(), 'stepback-bundle-'));
  let sources: MigrationSource[];
  try {
    for (const file of files) {
      const path = join(dir, ...file.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.bytes, { flag: 'wx' });
    }
    const layout = layoutNamed(bundle.layout);
    if (!layout)
      throw new RefusedError(
        `the source bundle of release ${manifest.release} is in the ${bundle.layout} layout, which this stepback does not read; nothing was run`,
      );
    // SQL sources are read into memory here, so the directory is not needed once they are loaded.
    sources = (await readMigrationDirectory(dir, layout.name)).sources;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const problems = bundleMismatches(manifest.migrations, manifestMigrations(sources), bundle.needsImage);
  if (problems.length > 0)
    throw new RefusedError(
      `the source bundle of release ${manifest.release} (${where}) does not reproduce its manifest; nothing was run`,
      {
        problems,
        hint: 'the bundle or the manifest was changed after recording; restore both from the store',
      },
    );
  const relabel = (path: string | null) =>
    path === null ? null : `${where}:${relative(dir, path).split(sep).join('/')}`;
  return {
    sources: sources.map((m) => ({ ...m, upPath: relabel(m.upPath)!, downPath: relabel(m.downPath) })),
    needsImage: bundle.needsImage,
  };
}
