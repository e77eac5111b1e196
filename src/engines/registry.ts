/**
 * The engines stepback can drive, by name (choose.ts says which one a command uses). Three registries list
 * the same engines, each for what a command needs, because a bundle holds whatever a module could load:
 * registry.ts (running: up, down, status), readers.ts (the manifest) and planners.ts (pure planning).
 * Adding an engine: an entry in each (see ARCHITECTURE.md; test/engines/registry.test.ts holds them equal).
 */
import { UsageError } from '../core/errors.ts';
import { DEFAULT_ENGINE } from '../core/release-manifest.ts';
import type { Engine } from './engine.ts';

const ENGINES: Record<string, () => Promise<Engine>> = {
  [DEFAULT_ENGINE]: async () => (await import('./stepback.ts')).stepbackEngine,
  django: async () => (await import('./django/engine.ts')).djangoEngine,
};

export const ENGINE_NAMES: readonly string[] = Object.keys(ENGINES);

/** `where` names the setting the name came from (`--engine`, STEPBACK_ENGINE, a stepback.json). */
export async function loadEngine(engine: string, where = 'engine'): Promise<Engine> {
  const load = ENGINES[engine];
  if (!load)
    throw new UsageError(`${where}: unknown engine "${engine}"`, {
      hint: `this stepback drives: ${ENGINE_NAMES.join(', ')}`,
    });
  return load();
}
