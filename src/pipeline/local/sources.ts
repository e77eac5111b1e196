/**
 * The repository's migrations as manifest entries and the release's source bundle. Only the source reader
 * loads (when this is called), not the runner (umzug, pg): record-release needs the files' names, checksums,
 * flags and bytes, nothing else.
 */
import type { ManifestMigration } from '../../core/release-manifest.ts';

export async function loadManifestMigrations(dir: string): Promise<ManifestMigration[]> {
  const { loadMigrations, manifestMigrations } = await import('../../migrate/sources.ts');
  return manifestMigrations(await loadMigrations(dir));
}

/** The manifest entries of `dir` and the bundle of the files they were read from (src/migrate/bundle.ts). */
export async function loadReleaseSources(
  dir: string,
  release: string,
): Promise<{ migrations: ManifestMigration[]; sources: { bytes: Uint8Array; digest: string } }> {
  const [{ readMigrationDirectory, manifestMigrations }, { bundleOf }] = await Promise.all([
    import('../../migrate/sources.ts'),
    import('../../migrate/bundle.ts'),
  ]);
  const read = await readMigrationDirectory(dir);
  const { bytes, digest } = bundleOf(release, dir, read);
  return { migrations: manifestMigrations(read.sources), sources: { bytes, digest } };
}
