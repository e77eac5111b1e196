/** Loading a JS/TS migration module and checking what it exports. */
import { pathToFileURL } from 'node:url';
import type { MigrationModule } from '../types.ts';

/** `.ts` loads natively where Node strips types (22.18+/23.6+/24), else through tsx, loaded only when needed. */
export async function importModule(path: string, problems: string[]): Promise<MigrationModule | undefined> {
  const url = pathToFileURL(path).href;
  let loaded: Record<string, unknown>;
  try {
    if (path.endsWith('.ts') && !nodeStripsTypes()) {
      let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
      try {
        ({ tsImport } = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport });
      } catch {
        problems.push(
          `${path}: this Node (${process.version}) cannot load TypeScript migrations and the tsx package is not installed; run on Node 22.18+ / 24, install tsx, or compile the migration to .js`,
        );
        return undefined;
      }
      // The migration's own URL as the parent: the built CLI is CommonJS, without import.meta.
      loaded = await tsImport(url, url);
    } else {
      loaded = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    problems.push(`${path}: cannot load the module (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const up = loaded.up;
  const down = loaded.down;
  if (typeof up !== 'function') {
    problems.push(`${path}: a migration module must export a function up(ctx)`);
    return undefined;
  }
  if (down !== undefined && typeof down !== 'function') {
    problems.push(`${path}: down is exported but is not a function`);
    return undefined;
  }
  if (loaded.transaction !== undefined && typeof loaded.transaction !== 'boolean') {
    problems.push(`${path}: transaction must be exported as true or false`);
    return undefined;
  }
  return {
    up: up as MigrationModule['up'],
    down: down as MigrationModule['down'],
    transaction: loaded.transaction as boolean | undefined,
  };
}

function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: string | false };
  return Boolean(features.typescript);
}
