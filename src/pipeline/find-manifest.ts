/**
 * A release's stored manifest, for the release record (is it there already?) and the rollback (both ends).
 * A module of its own so the rollback action does not load the release record's code with it.
 */
import { type ManifestStore, ReleaseNotFoundError } from '../core/manifest-store.ts';
import type { Manifest } from '../core/release-manifest.ts';

/** The stored manifest, or why there is none (a missing release is an answer here, not an error). */
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
