/**
 * Where release manifests are kept (DESIGN.md §2 "Release record"): one small interface, three
 * implementations chosen by URL. Stores are immutable per release: putting the same manifest again is a
 * no-op, putting a different one under an existing release is refused with both digests.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { RefusedError, UsageError } from '../core/errors.ts';
import { type Manifest, manifestDigest, manifestIdentity } from '../core/manifest-core.ts';

export interface ManifestStore {
  /** Printable (no credentials): `file:///dir`, `s3://bucket/prefix`, `github-release://owner/repo`. */
  readonly location: string;
  put(manifest: Manifest): Promise<'created' | 'unchanged'>;
  /** Throws ReleaseNotFoundError (naming nearby releases) when the release has no manifest. */
  get(release: string): Promise<Manifest>;
  /** Release names, oldest first (semver-aware ordering). */
  list(): Promise<string[]>;
}

export interface StoreDeps {
  /** S3 client for `s3://` (default: a new client from the environment's region and credentials). */
  s3?: S3Client;
  /** GitHub token for `github-release://` (default: env GITHUB_TOKEN). */
  token?: string;
  /** GitHub API base (default: env GITHUB_API_URL, then https://api.github.com). */
  apiUrl?: string;
  fetch?: typeof fetch;
  /** Back-off waits go through this, so tests never sleep. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  env?: Record<string, string | undefined>;
}

/** A release the store does not hold. Exit 2: the name given is wrong (the message lists nearby ones). */
export class ReleaseNotFoundError extends UsageError {
  constructor(
    readonly release: string,
    location: string,
    existing: readonly string[],
    detail?: string,
  ) {
    const near = nearbyReleases(release, existing);
    super(`release ${release} has no manifest in ${location}${detail ? ` (${detail})` : ''}`, {
      hint:
        existing.length === 0
          ? `${location} holds no releases yet; record one with the record-release step or \`stepback manifest\``
          : `releases nearby: ${near.join(', ')}${existing.length > near.length ? ` (${existing.length} in all)` : ''}`,
    });
  }
}

export async function openStore(url: string, deps: StoreDeps = {}): Promise<ManifestStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'file': {
      const { FileStore } = await import('./file-store.ts');
      return new FileStore(fileUrlToDir(url));
    }
    case 's3': {
      // Loaded on demand: most runs use one store (and s3-store.ts loads the SDK only on its first request).
      const { S3Store } = await import('./s3-store.ts');
      return S3Store.fromUrl(url, deps);
    }
    case 'github-release': {
      const { GitHubReleaseStore } = await import('./github-release-store.ts');
      return GitHubReleaseStore.fromUrl(url, deps);
    }
    default:
      throw new UsageError(`unsupported manifest store URL: ${printable(url)}`, {
        hint: 'use file://DIR, s3://BUCKET/PREFIX or github-release://OWNER/REPO (option --store or env STEPBACK_STORE)',
      });
  }
}

function fileUrlToDir(url: string): string {
  // file:///abs/dir, file://./rel/dir and file://rel/dir are all accepted: people write all three.
  const rest = url.slice('file://'.length);
  if (rest === '')
    throw new UsageError('file:// store URL has no directory', { hint: 'use file:///path/to/dir' });
  return decodeURIComponent(rest.replace(/^localhost\//, '/'));
}

/** A URL with any user:password and query removed, for messages. */
export function printable(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//').replace(/[?#].*$/, '');
}

/**
 * Release names become file names, object keys and git tags: letters, digits and `._+-`, starting with a
 * letter or digit, no `..`. Everything else is refused before any I/O, so a name can never escape a store.
 */
export function checkReleaseName(release: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/.test(release) || release.includes('..'))
    throw new UsageError(`release name ${JSON.stringify(release)} cannot be stored`, {
      hint: 'release names use letters, digits and . _ + - (start with a letter or digit, at most 200 characters, no "..")',
    });
  return release;
}

/**
 * Same manifest again → 'unchanged'; a different one → refused with both digests. "Same" ignores only the
 * format it was written in (a format 1 record and its format 2 rewrite say the same thing).
 */
export function compareExisting(existing: Manifest, incoming: Manifest, location: string): 'unchanged' {
  if (existing.createdAt === incoming.createdAt && manifestIdentity(existing) === manifestIdentity(incoming))
    return 'unchanged';
  const have = manifestDigest(existing);
  const want = manifestDigest(incoming);
  throw new RefusedError(
    `release ${incoming.release} is already recorded in ${location} with a different manifest (stored ${have}, new ${want})`,
    {
      hint: 'manifests are immutable: build a new release name for new migrations, or delete the stored manifest by hand if it is wrong',
    },
  );
}

function splitVersion(name: string): (string | number)[] {
  return name
    .replace(/^v(?=\d)/i, '')
    .split(/(\d+)/)
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Natural, semver-friendly order: v1.9.0 < v1.10.0; a pre-release (1.2.0-rc.1) sorts before 1.2.0. */
export function compareReleases(a: string, b: string): number {
  const pa = splitVersion(a);
  const pb = splitVersion(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    if (x === undefined) return typeof y === 'string' && y.startsWith('-') ? 1 : -1;
    if (y === undefined) return typeof x === 'string' && x.startsWith('-') ? -1 : 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return 1;
    if (typeof y === 'number') return -1;
    return x < y ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The few releases closest to `wanted` in release order: the ones just before and just after it. */
export function nearbyReleases(wanted: string, existing: readonly string[], count = 5): string[] {
  const sorted = [...existing].sort(compareReleases);
  let at = sorted.findIndex((r) => compareReleases(r, wanted) > 0);
  if (at < 0) at = sorted.length;
  const start = Math.max(0, Math.min(at - Math.ceil(count / 2), sorted.length - count));
  return sorted.slice(start, start + count);
}

/** What a put stores: validated first, so a store never holds a manifest that a later get would reject. */
export async function manifestToStore(manifest: Manifest): Promise<Manifest> {
  const valid = await parseStoredManifest(manifest, `manifest of release ${manifest.release} to store`);
  checkReleaseName(valid.release);
  return valid;
}

/**
 * parseManifest, loaded when a manifest is first read or written: the validator (zod) is not needed on an
 * action's way to its first request, only once a reply is there to check.
 */
export async function parseStoredManifest(json: unknown, where: string): Promise<Manifest> {
  const { parseManifest } = await import('../core/manifest.ts');
  return parseManifest(json, where);
}

/**
 * A stored manifest's text → the validated manifest of `release`. `where` names the object in every error;
 * `hint` says how such a mismatch usually happens in this store.
 */
export async function readStoredManifest(
  text: string,
  where: string,
  release: string,
  hint?: string,
): Promise<Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const manifest = await parseStoredManifest(json, where);
  if (manifest.release !== release)
    throw new UsageError(`${where} holds the manifest of release ${manifest.release}, not ${release}`, {
      hint,
    });
  return manifest;
}
