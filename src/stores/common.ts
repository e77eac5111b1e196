/**
 * What the store backends share: the dependencies they can be given, release-name and URL rules, and how a
 * manifest is checked on its way in and out (every store validates what it writes and what it reads).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { checksumOf } from '../core/checksum.ts';
import type { Clock } from '../core/clock.ts';
import { RefusedError, UsageError } from '../core/errors.ts';
import { quoteName, RELEASE_NAME_RULE, releaseNameProblem } from '../core/names.ts';
import { type Manifest, manifestDigest, manifestIdentity } from '../core/release-manifest.ts';

export interface StoreDeps {
  /** S3 client for `s3://` (default: a new client from the environment's region and credentials). */
  s3?: S3Client;
  /** GitHub token for `github-release://` (default: env GITHUB_TOKEN). */
  token?: string;
  /** GitHub API base (default: env GITHUB_API_URL, then https://api.github.com). */
  apiUrl?: string;
  fetch?: typeof fetch;
  /** Back-off waits and the rate-limit reset go through this, so tests never sleep (default: systemClock). */
  clock?: Clock;
  env?: Record<string, string | undefined>;
}

/** A URL with any user:password and query removed, for messages. */
export function printable(url: string): string {
  return url.replace(/\/\/[^/@\s]*@/, '//').replace(/[?#].*$/, '');
}

/**
 * Release names become file names, object keys and git tags (the one rule is core/names.ts). Anything else
 * is refused before any I/O, so a name can never escape a store.
 */
export function checkReleaseName(release: string): string {
  if (releaseNameProblem(release) !== undefined)
    throw new UsageError(`release name ${quoteName(release)} cannot be stored`, {
      hint: `release names use ${RELEASE_NAME_RULE}`,
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

/** The bundle bytes a put may store: exactly the ones the manifest's digest names. */
export function sourcesToStore(manifest: Manifest, bytes: Uint8Array): string {
  checkReleaseName(manifest.release);
  const digest = checksumOf(bytes);
  if (!manifest.sourceBundle || manifest.sourceBundle !== digest)
    throw new UsageError(
      `the source bundle to store for ${manifest.release} hashes to ${digest}, but its manifest names ${manifest.sourceBundle ?? 'no bundle'}`,
    );
  return digest;
}

/** Same bundle again → 'unchanged'; different bytes → refused with both digests. */
export function compareExistingSources(
  existing: Uint8Array,
  incoming: Uint8Array,
  release: string,
  location: string,
): 'unchanged' {
  const have = checksumOf(existing);
  const want = checksumOf(incoming);
  if (have === want) return 'unchanged';
  throw new RefusedError(
    `release ${release} already has a different source bundle in ${location} (stored ${have}, new ${want})`,
    { hint: 'source bundles are immutable like manifests: record the change under a new release name' },
  );
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
  const { parseManifest } = await import('../core/manifest-schema.ts');
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
