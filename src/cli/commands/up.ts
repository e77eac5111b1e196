import type { Command } from 'commander';
import { TOOL_NAMES } from '../../migrate/adopt/tools.ts';
import { commandEngine } from '../engine-option.ts';
import { runResultCommand } from '../output.ts';

export function register(program: Command): void {
  program
    .command('up')
    .description('apply pending migrations in order, under the database lock')
    .option('--to <name>', 'stop after this migration (inclusive)')
    .option(
      '--release <release>',
      'the release being deployed, recorded with every change (env STEPBACK_RELEASE)',
    )
    .option('--single-transaction', 'apply the whole batch all-or-nothing')
    .option('--allow-out-of-order', 'apply pending migrations that sort before the newest applied one')
    .option(
      '--adopt',
      "first take over another tool's history (as `stepback adopt`) when stepback's state tables do not exist yet",
    )
    .option(
      '--adopt-from <tool>',
      `with --adopt: the tool whose state table to read (${TOOL_NAMES.join(', ')}); default: the one found`,
    )
    .option('--json', 'print one stepback/result@1 JSON line on stdout')
    .action(
      async (
        options: {
          to?: string;
          singleTransaction?: boolean;
          allowOutOfOrder?: boolean;
          adopt?: boolean;
          adoptFrom?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await runResultCommand('up', cmd, Boolean(options.json), async (opts) => {
          const { engine, manageCommand } = await commandEngine(cmd);
          return engine.up({
            ...opts,
            manageCommand,
            to: options.to,
            singleTransaction: Boolean(options.singleTransaction),
            allowOutOfOrder: Boolean(options.allowOutOfOrder),
            adopt: Boolean(options.adopt),
            ...(options.adoptFrom !== undefined ? { adoptFrom: options.adoptFrom } : {}),
          });
        });
      },
    );
}
