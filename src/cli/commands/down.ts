import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import { DEFAULT_ENGINE } from '../../core/release-manifest.ts';
import { commandEngine } from '../engine-option.ts';
import { runResultCommand } from '../output.ts';

export function register(program: Command): void {
  program
    .command('down')
    .description(
      'revert migrations: --to NAME (NAME stays applied; 0 = all) or --plan PLAN (a rollback plan)',
    )
    .option('--to <name>', 'revert every migration applied after NAME; 0 reverts all')
    .option(
      '--plan [plan]',
      'a rollback plan: a file, - for stdin, or (no value) env STEPBACK_PLAN (JSON or gz:+base64)',
    )
    .option('--release <release>', 'recorded with every change (env STEPBACK_RELEASE)')
    .option('--json', 'print one stepback/result@1 JSON line on stdout')
    .action(async (options: { to?: string; plan?: string | boolean; json?: boolean }, cmd: Command) => {
      await runResultCommand('down', cmd, Boolean(options.json), async (opts) => {
        if (options.to !== undefined && options.plan !== undefined)
          throw new UsageError('pass either --to or --plan, not both');
        const { engine, manageCommand } = await commandEngine(cmd);
        if (options.plan !== undefined) {
          // Loaded only for a plan: its validation (zod) is no part of a plain `down --to`.
          const { readPlanInput } = await import('../../migrate/plan-input.ts');
          const plan = readPlanInput({ arg: typeof options.plan === 'string' ? options.plan : undefined });
          if ((plan.engine ?? DEFAULT_ENGINE) !== engine.name)
            throw new UsageError(
              `the plan is for the ${plan.engine ?? DEFAULT_ENGINE} engine, and this run uses ${engine.name}`,
              {
                hint: `pass --engine ${plan.engine ?? DEFAULT_ENGINE} (the plan's manifests say which engine made them)`,
              },
            );
          return engine.down({ ...opts, manageCommand, plan });
        }
        return engine.down({ ...opts, manageCommand, to: options.to });
      });
    });
}
