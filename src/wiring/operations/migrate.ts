/** Validated `migrate` inputs → the migrate flow: `up` once through the executor the inputs name. */
import type { MigrationExecutor } from '../../core/ports.ts';
import { provenanceEnv } from '../../migrate/provenance.ts';
import { type MigrateOutcome, migrate } from '../../pipeline/migrate.ts';
import { makeExecutor } from '../adapters.ts';
import { executorConfig } from '../executor-config.ts';
import type { ActionInputs } from '../inputs.ts';
import { type Context, minutes } from './context.ts';
import { engineFor } from './engine.ts';

export async function runMigrate(
  inputs: ActionInputs<'migrate'>,
  ctx: Context,
): Promise<{ outcome: MigrateOutcome; executor: MigrationExecutor['kind'] }> {
  const executor = await makeExecutor(executorConfig(inputs));
  const engine = await engineFor(inputs, executor, ctx);
  const outcome = await migrate(
    executor,
    {
      engine,
      release: inputs.release,
      ...(inputs['task-definition'] ? { taskDefinitionArn: inputs['task-definition'] } : {}),
      extraArgs: [
        ...(inputs['single-transaction'] ? ['--single-transaction'] : []),
        ...(inputs.adopt ? ['--adopt'] : []),
        ...(inputs['adopt-from'] ? ['--adopt-from', inputs['adopt-from']] : []),
      ],
      idempotencyKey: ctx.idempotencyKey('up', inputs.release),
      env: provenanceEnv(ctx.env ?? process.env),
      timeoutMs: minutes(inputs['timeout-minutes']),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    ctx.log,
  );
  return { outcome, executor: executor.kind };
}
