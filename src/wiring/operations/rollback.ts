/** Validated `rollback` inputs → the rollback flow, with its store, executor, deploy target and engine. */
import type { RollbackPlan } from '../../core/rollback-plan.ts';
import { provenanceEnv } from '../../migrate/provenance.ts';
import { rollback } from '../../pipeline/rollback.ts';
import type { RollbackOutcome } from '../../pipeline/rollback-outcome.ts';
import { makeDeployTarget, makeExecutor, openReleaseStore } from '../adapters.ts';
import { deployConfig, executorConfig } from '../executor-config.ts';
import type { ActionInputs } from '../inputs.ts';
import { type Context, minutes } from './context.ts';
import { engineFor } from './engine.ts';

export async function runRollback(
  inputs: ActionInputs<'rollback'>,
  ctx: Context,
  onPlan?: (plan: RollbackPlan, progress: { alreadyReverted: string[] }) => Promise<void> | void,
): Promise<RollbackOutcome> {
  const store = await openReleaseStore(inputs.store, inputs['github-token']);
  const executor = await makeExecutor(executorConfig(inputs));
  const target = await makeDeployTarget(deployConfig(inputs));
  const engine = await engineFor(inputs, executor, ctx);
  return rollback(
    {
      toRelease: inputs['to-release'],
      ...(inputs['from-release'] ? { fromRelease: inputs['from-release'] } : {}),
      dryRun: inputs['dry-run'],
      sourcesFromStore: inputs['sources-from-store'],
      drain: inputs.drain,
      // The plan (dry run) and the apply are separate jobs of one workflow run: their runs must not be shared.
      idempotencyKey: ctx.idempotencyKey(inputs['dry-run'] ? 'plan' : 'rollback', inputs['to-release']),
      env: provenanceEnv(ctx.env ?? process.env),
      timeoutMs: minutes(inputs['timeout-minutes']),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(onPlan ? { onPlan } : {}),
    },
    { store, executor, target, engine },
    ctx.log,
  );
}
