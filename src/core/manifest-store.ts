/**
 * The manifest store as the flows and the CLI see it: one interface every store (file, S3, GitHub release,
 * and the tests' in-memory one) implements, and the error a missing release raises. Stores are immutable per
 * release: putting the same manifest again is a no-op, putting a different one under an existing release is
 * refused.
 */
import { RefusedError, UsageError } from './errors.ts';
import type { Manifest } from './release-manifest.ts';

export interface ManifestStore {
  /** Printable (no credentials): `file:///dir`, `s3://bucket/prefix`, `github-release://owner/repo`. */
  readonly location: string;
  /** 'unchanged' when the same manifest is already stored; a different one is refused (RefusedError). */
  put(manifest: Manifest): Promise<'created' | 'unchanged'>;
  /** Throws ReleaseNotFoundError (naming nearby releases) when the release has no manifest. */
  get(release: string): Promise<Manifest>;
  /** Release names, oldest first (compareReleases order). */
  list(): Promise<string[]>;
  /**
   * Store the source bundle `manifest.sourceBundle` names, beside the manifest, before the manifest itself
   * (a bundle without a manifest is harmless; a manifest naming a missing bundle is refused on read). The
   * same bytes again → 'unchanged'; different bytes under the release → refused.
   */
  putSources(manifest: Manifest, bytes: Uint8Array): Promise<'created' | 'unchanged'>;
  /** The stored bundle's bytes (unverified: see readSourceBundle); SourceBundleNotFoundError when absent. */
  getSources(release: string): Promise<Uint8Array>;
}

/**
 * A manifest names a source bundle the store does not hold. Exit 3: the release cannot be proven from the
 * store alone, so nothing runs.
 */
export class SourceBundleNotFoundError extends RefusedError {
  constructor(
    readonly release: string,
    location: string,
    where: string,
  ) {
    super(`release ${release} has no source bundle in ${location} (${where} is missing)`, {
      hint: "record the release again with record-release (it stores the bundle beside the unchanged manifest), or run the downs from the release's image",
    });
  }
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

/**
 * The stored manifest, or why there is none (a missing release is an answer here, not an error): the release
 * record asks whether its release is there already, the rollback for both of its ends.
 */
export async function findManifest(
  store: ManifestStore,
  release: string,
): Promise<{ manifest: Manifest } | { manifest: null; problem: string }> {
  try {
    return { manifest: await store.get(release) };
  } catch (error) {
    if (!(error instanceof ReleaseNotFoundError)) throw error;
    return { manifest: null, problem: `${error.message}${error.hint ? ` (${error.hint})` : ''}` };
  }
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
