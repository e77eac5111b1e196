/**
 * Validated inputs → the flows, shared by the actions (which add outputs and job summaries) and by
 * `stepback pipeline …` (which prints JSON for buildspecs). Nothing here knows about @actions/core.
 */

import type { Log, MigrationExecutor } from '../core/ports.ts';
import type { RollbackPlan } from '../core/rollback-plan.ts';
import { provenanceEnv } from '../migrate/provenance.ts';
import { type DeployOutcome, deploy } from '../pipeline/deploy.ts';
import { type MigrateOutcome, migrate } from '../pipeline/migrate.ts';
import { type RecordReleaseOutcome, recordRelease } from '../pipeline/record-release.ts';
import { rollback } from '../pipeline/rollback.ts';
import type { RollbackOutcome } from '../pipeline/rollback-outcome.ts';
import { makeDeployTarget, makeExecutor, makeTaskDefinitions, openReleaseStore } from './adapters.ts';
import { type PipelineEngineName, pipelineEngine } from './engines.ts';
import { deployConfig, executorConfig } from './executor-config.ts';
import type { ActionInputs } from './inputs.ts';

export interface Context {
  log: Log;
  signal?: AbortSignal;
  /** Distinguishes pipeline attempts: a retried step in the same attempt finds the run already started. */
  idempotencyKey: (step: string, release: string) => string;
  env?: Record<string, string | undefined>;
}

const minutes = (n: number) => n * 60_000;

type EngineInputs = {
  engine: PipelineEngineName;
  'manage-command': string;
  'database-url'?: string | undefined;
};

/**
 * The engine a step runs, with where stepback itself reaches the database: the database-url input, or, when
 * the run happens on this machine (executor runner), the environment's DATABASE_URL that the run also uses.
 */
async function engineFor(inputs: EngineInputs, executor: MigrationExecutor | undefined, ctx: Context) {
  const env = ctx.env ?? process.env;
  const databaseUrl =
    inputs['database-url'] ?? (executor?.runs === 'checkout' ? env.DATABASE_URL : undefined);
  return pipelineEngine(inputs.engine).remote({
    manageCommand: inputs['manage-command'],
    ...(databaseUrl ? { databaseUrl } : {}),
    log: ctx.log,
  });
}

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

/** The repository and commit being built (GitHub Actions or CodeBuild), when they look like a manifest's. */
export function sourceFromEnv(
  env: Record<string, string | undefined> = process.env,
): { repository: string; commit: string } | undefined {
  const commit = env.GITHUB_SHA ?? env.CODEBUILD_RESOLVED_SOURCE_VERSION;
  let repository = env.GITHUB_REPOSITORY;
  if (!repository && env.CODEBUILD_SOURCE_REPO_URL) {
    repository = env.CODEBUILD_SOURCE_REPO_URL.replace(/^.*github\.com[/:]/, '').replace(/\.git$/, '');
  }
  if (!repository || !commit || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
  return { repository, commit };
}

export async function runRecordRelease(
  inputs: ActionInputs<'record-release'>,
  ctx: Context,
): Promise<RecordReleaseOutcome> {
  const { migrations, targets, sources } = await pipelineEngine(inputs.engine).readRelease(
    { manageCommand: inputs['manage-command'], log: ctx.log },
    inputs['migrations-dir'],
    inputs.release,
  );
  const store = await openReleaseStore(inputs.store, inputs['github-token']);
  const taskDefinitionArn = inputs['task-definition'];
  const source = sourceFromEnv(ctx.env);
  return recordRelease(
    {
      release: inputs.release,
      engine: inputs.engine,
      migrations,
      ...(targets ? { targets } : {}),
      ...(sources ? { sources } : {}),
      ...(inputs.image ? { image: inputs.image } : {}),
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      ...(source ? { source } : {}),
      tag: inputs['tag-task-definition'],
      now: new Date(),
    },
    {
      store,
      ...(taskDefinitionArn ? { taskDefinitions: await makeTaskDefinitions(inputs.region, ctx.log) } : {}),
    },
    ctx.log,
  );
}

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

export async function runDeploy(inputs: ActionInputs<'deploy'>, ctx: Context): Promise<DeployOutcome> {
  const target = await makeDeployTarget(deployConfig(inputs));
  const taskDefinitionArn = inputs['task-definition'];
  // The inputs hold a task definition or a release (parseInputs); a bare ARN names its release by family:revision.
  const release = inputs.release ?? taskDefinitionArn?.replace(/^.*task-definition\//, '') ?? '';
  return deploy(
    target,
    {
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      release,
      drain: inputs.drain,
      timeoutMs: minutes(inputs['timeout-minutes']),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    ctx.log,
  );
}
