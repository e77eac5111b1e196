import type { Command } from 'commander';
import { resolve } from '../../migrate/runner.ts';
import { runResultCommand } from '../output.ts';

export function register(program: Command): void {
  program
    .command('resolve')
    .description('record a migration the operator applied or reverted by hand (written as a resolve event)')
    .option('--applied <name>', 'record NAME as applied')
    .option('--reverted <name>', 'record NAME as reverted')
    .option('--reason <text>', 'why, kept with the event')
    .option('--release <release>', 'recorded with the change (env STEPBACK_RELEASE)')
    .option('--json', 'print one stepback/result@1 JSON line on stdout')
    .action(
      async (
        options: { applied?: string; reverted?: string; reason?: string; json?: boolean },
        cmd: Command,
      ) => {
        await runResultCommand('resolve', cmd, Boolean(options.json), async (opts) =>
          resolve({ ...opts, applied: options.applied, reverted: options.reverted, reason: options.reason }),
        );
      },
    );
}
