/**
 * The repository's migrations as manifest entries. Only the source reader loads (when this is called), not
 * the runner (umzug, pg): record-release needs the files' names, checksums and flags, nothing else.
 */
import type { ManifestMigration } from '../../core/manifest-core.ts';

export async function loadManifestMigrations(dir: string): Promise<ManifestMigration[]> {
  const { loadMigrations } = await import('../../migrate/sources.ts');
  // The same fields as src/migrate/runner.ts manifestMigrations, which lives beside the runner.
  return (await loadMigrations(dir)).map((m) => ({
    name: m.name,
    checksum: m.checksum,
    downChecksum: m.downChecksum,
    reversible: m.reversible,
    transactional: m.transactional,
  }));
}
