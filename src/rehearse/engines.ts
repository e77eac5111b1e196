/**
 * Each engine's rehearsal, by name: stepback's own files (rehearse.ts) or a Django project (django.ts).
 * The same engines as engines/registry.ts (test/engines/registry.test.ts holds the lists equal); the
 * `rehearse` command picks one with the engine choice every command makes.
 */
import { UsageError } from '../core/errors.ts';
import { DEFAULT_ENGINE } from '../core/release-manifest.ts';
import type { RehearseOptions } from './rehearse.ts';
import type { RehearsalReport } from './types.ts';

export interface RehearseRequest extends RehearseOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** How to run the project's manage.py (Django). */
  manageCommand?: string;
  secrets: readonly string[];
}

export type Rehearser = (request: RehearseRequest) => Promise<RehearsalReport>;

const REHEARSERS: Record<string, () => Promise<Rehearser>> = {
  [DEFAULT_ENGINE]: async () => (await import('./rehearse.ts')).rehearse,
  django: async () => {
    const [{ rehearseDjango }, { DEFAULT_MANAGE_COMMAND }] = await Promise.all([
      import('./django.ts'),
      import('../engines/django/manage.ts'),
    ]);
    return (r) =>
      rehearseDjango({
        ...r,
        manageCommand: r.manageCommand ?? r.env.STEPBACK_MANAGE_COMMAND ?? DEFAULT_MANAGE_COMMAND,
      });
  },
};

export const REHEARSER_NAMES: readonly string[] = Object.keys(REHEARSERS);

export async function loadRehearser(engine: string, where = 'engine'): Promise<Rehearser> {
  const load = REHEARSERS[engine];
  if (!load)
    throw new UsageError(`${where}: unknown engine "${engine}"`, {
      hint: `this stepback rehearses: ${REHEARSER_NAMES.join(', ')}`,
    });
  return load();
}
