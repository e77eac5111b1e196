/**
 * A release's migrations read from the store alone: its manifest, then its source bundle, proven against
 * each other (src/migrate/bundle.ts). Used where the release's image is not at hand: `down --sources-from`,
 * `sync`, and a rollback whose newer image cannot be pulled.
 */
import { RefusedError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import { DEFAULT_ENGINE, type Manifest, manifestDigest, manifestEngine } from '../core/release-manifest.ts';
import type { MigrationSource } from '../migrate/types.ts';

export interface StoredReleaseSources {
  manifest: Manifest;
  sources: MigrationSource[];
  /** Migrations of the release that are code: only its image can run them. */
  needsImage: string[];
}

export async function releaseSourcesFromStore(
  store: ManifestStore,
  release: string,
  /** The manifest digest a plan was made from: a different stored manifest is refused. */
  expectedManifestDigest?: string,
): Promise<StoredReleaseSources> {
  const manifest = await store.get(release);
  if (expectedManifestDigest !== undefined && manifestDigest(manifest) !== expectedManifestDigest)
    throw new RefusedError(
      `the manifest of ${release} in ${store.location} (${manifestDigest(manifest)}) is not the one the plan was made from (${expectedManifestDigest}); nothing was run`,
      { hint: 'make the plan again from this store' },
    );
  refuseCodeEngine(manifest);
  if (!manifest.sourceBundle)
    throw new RefusedError(`release ${release} was recorded in ${store.location} without a source bundle`, {
      hint: "its downs can only run from the release's image (releases recorded with this stepback carry a bundle)",
    });
  const bytes = await store.getSources(release);
  const { sourcesFromBundle } = await import('../migrate/bundle.ts');
  const read = await sourcesFromBundle(manifest, bytes, `${store.location} sources of ${release}`);
  return { manifest, ...read };
}

/** Engines whose migrations are code (Django) cannot run from a bundle of files: only from their image. */
export function refuseCodeEngine(manifest: Manifest): void {
  const engine = manifestEngine(manifest);
  if (engine !== DEFAULT_ENGINE)
    throw new RefusedError(
      `release ${manifest.release}'s migrations are ${engine} migrations, which are code: they run only from the release's image, never from a source bundle; nothing was run`,
      { hint: `run this from the image of ${manifest.release} (the rollback action's default path)` },
    );
}

/** Pure: the planned reverts that are code, which a bundle cannot run (refused with their names). */
export function codeReverts(
  names: readonly string[],
  needsImage: readonly string[],
  release: string,
): string[] {
  const code = new Set(needsImage);
  return names
    .filter((n) => code.has(n))
    .map(
      (n) =>
        `${n} is a code migration (a module): its down needs the image of ${release}, which the source bundle cannot replace`,
    );
}
