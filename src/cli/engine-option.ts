/** The engine a command runs with (`--engine`, STEPBACK_ENGINE, stepback.json: engines/choose.ts). */
import type { Command } from 'commander';
import { chooseEngine, type EngineChoice } from '../engines/choose.ts';
import type { Engine, ReadMigrations } from '../engines/engine.ts';
import type { Rehearser } from '../rehearse/engines.ts';
import type { GlobalOptions } from './output.ts';

function choice(cmd: Command, env: Record<string, string | undefined>): EngineChoice {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  return chooseEngine({ engine: g.engine, manageCommand: g.manageCommand }, env, process.cwd());
}

function manage(c: EngineChoice): { manageCommand?: string } {
  return c.manageCommand ? { manageCommand: c.manageCommand } : {};
}

/** For up, down, status: the engine that runs migrations. */
export async function commandEngine(
  cmd: Command,
  env: Record<string, string | undefined> = process.env,
): Promise<{ engine: Engine; manageCommand?: string }> {
  const c = choice(cmd, env);
  const { loadEngine } = await import('../engines/registry.ts');
  return { engine: await loadEngine(c.engine, c.from), ...manage(c) };
}

/** For manifest: only the engine's migration reader (no runner in that bundle). */
export async function commandReader(
  cmd: Command,
  env: Record<string, string | undefined> = process.env,
): Promise<{ engine: string; read: ReadMigrations; manageCommand?: string }> {
  const c = choice(cmd, env);
  const { loadReader } = await import('../engines/readers.ts');
  return { engine: c.engine, read: await loadReader(c.engine, c.from), ...manage(c) };
}

/** For rehearse: the engine's rehearsal (stepback's files in rehearse.ts, a Django project in django.ts). */
export async function commandRehearser(
  cmd: Command,
  env: Record<string, string | undefined> = process.env,
): Promise<{ rehearse: Rehearser; manageCommand?: string }> {
  const c = choice(cmd, env);
  const { loadRehearser } = await import('../rehearse/engines.ts');
  return { rehearse: await loadRehearser(c.engine, c.from), ...manage(c) };
}
