/**
 * The repository's migrations as manifest entries. Only the source reader loads (when this is called), not
 * the runner (umzug, pg): record-release needs the files' names, checksums and flags, nothing else.
 */
import type { ManifestMigration } from '../../core/release-manifest.ts';

export async function loadManifestMigrations(dir: string): Promise<ManifestMigration[]> {
  const { loadMigrations, manifestMigrations } = await import('../../migrate/sources.ts');
  return manifestMigrations(await loadMigrations(dir));
}
