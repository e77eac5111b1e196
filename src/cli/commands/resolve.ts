import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { resolve } from '../../migrate/runner.ts';
import { runResultCommand } from '../output.ts';

export function register(program: Command): void {
  program
    .command('resolve')
    .description('record a migration the operator applied or reverted by hand (written as a resolve event)')
    .option('--applied <name>', 'record NAME as applied', collect, [])
    .option('--reverted <name>', 'record NAME as reverted', collect, [])
    .option('--reason <text>', 'why, kept with the event')
    .option('--release <release>', 'recorded with the change (env STEPBACK_RELEASE)')
    .option('--json', 'print one stepback/result@1 JSON line on stdout')
    .action(
      async (
        options: { applied: string[]; reverted: string[]; reason?: string; json?: boolean },
        cmd: Command,
      ) => {
        await runResultCommand('resolve', cmd, Boolean(options.json), async (opts) => {
          const given = [
            ...options.applied.map((name) => `--applied ${name}`),
            ...options.reverted.map((name) => `--reverted ${name}`),
          ];
          // One repair per event and per run: a second flag used to replace the first without a word.
          if (given.length > 1)
            throw new UsageError(`resolve records one migration per run; got ${given.join(', ')}`, {
              hint: 'run `stepback resolve` once for each migration (each run is its own transaction and event)',
            });
          return resolve({
            ...opts,
            applied: options.applied[0],
            reverted: options.reverted[0],
            reason: options.reason,
          });
        });
      },
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
