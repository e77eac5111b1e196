/**
 * Each engine's migration reader, by name: what `manifest` and `record-release` use. A registry apart from
 * registry.ts so that those commands bundle no runner (a dynamic import is bundled all the same); the two
 * list the same engines (test/engines/registry.test.ts holds them equal).
 */
import { UsageError } from '../core/errors.ts';
import { DEFAULT_ENGINE } from '../core/release-manifest.ts';
import type { ReadMigrations } from './engine.ts';

const READERS: Record<string, () => Promise<ReadMigrations>> = {
  [DEFAULT_ENGINE]: async () => {
    const { loadMigrations, manifestMigrations } = await import('../migrate/sources.ts');
    return async (opts) => ({ migrations: manifestMigrations(await loadMigrations(opts.dir)) });
  },
  django: async () => (await import('./django/read.ts')).readDjangoMigrations,
};

export const READER_NAMES: readonly string[] = Object.keys(READERS);

export async function loadReader(engine: string, where = 'engine'): Promise<ReadMigrations> {
  const load = READERS[engine];
  if (!load)
    throw new UsageError(`${where}: unknown engine "${engine}"`, {
      hint: `this stepback reads migrations for: ${READER_NAMES.join(', ')}`,
    });
  return load();
}
