/**
 * Which engine a command uses: `--engine`, env STEPBACK_ENGINE, or `stepback.json` in the working directory
 * (`{"engine": "django", "manageCommand": "/usr/bin/python3 manage.py"}`), else stepback. The name is
 * checked by the registry that loads it (registry.ts, readers.ts), which names where it came from.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_ENGINE } from '../core/release-manifest.ts';

export interface EngineChoice {
  engine: string;
  manageCommand?: string;
  /** Where the choice came from, for messages. */
  from: string;
}

/** `--engine`, STEPBACK_ENGINE, stepback.json in `cwd`, or the default; `--manage-command` likewise. */
export function chooseEngine(
  flags: { engine?: string; manageCommand?: string },
  env: Record<string, string | undefined>,
  cwd: string,
): EngineChoice {
  const file = join(cwd, 'stepback.json');
  let config: { engine?: unknown; manageCommand?: unknown } = {};
  if (existsSync(file)) {
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as typeof config;
    } catch (error) {
      throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    const problems: string[] = [];
    if (config.engine !== undefined && typeof config.engine !== 'string')
      problems.push('engine: must be a string');
    if (config.manageCommand !== undefined && typeof config.manageCommand !== 'string')
      problems.push('manageCommand: must be a string');
    if (problems.length > 0) throw new UsageError(`${file}: ${problems.length} problem(s)`, { problems });
  }
  const [engine, from] = flags.engine
    ? [flags.engine, '--engine']
    : env.STEPBACK_ENGINE
      ? [env.STEPBACK_ENGINE, 'STEPBACK_ENGINE']
      : typeof config.engine === 'string'
        ? [config.engine, file]
        : [DEFAULT_ENGINE, 'the default'];
  const manageCommand =
    flags.manageCommand ??
    env.STEPBACK_MANAGE_COMMAND ??
    (typeof config.manageCommand === 'string' ? config.manageCommand : undefined);
  return { engine, from, ...(manageCommand ? { manageCommand } : {}) };
}
