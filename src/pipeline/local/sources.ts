/** The repository's migrations as manifest entries. The runner (umzug, pg) loads only when this is called. */
import type { ManifestMigration } from '../../core/manifest.ts';

export async function loadManifestMigrations(dir: string): Promise<ManifestMigration[]> {
  const { loadMigrations, manifestMigrations } = await import('../../migrate/index.ts');
  return manifestMigrations(await loadMigrations(dir));
}
