/**
 * Rollback flow (DESIGN.md §2, §5): resolve the live (newer) release, fetch both manifests, read the
 * database status through the newer image, plan, report the plan, then run the newer image's downs and only
 * when they all succeeded deploy the older task definition. Every refusal happens before anything changes;
 * every failure stops before the deploy and says exactly where the database stands. A re-run resumes: the
 * planner accepts a database that is part-way down the same plan.
 */
import { ExitCode } from '../core/errors.ts';
import type { Manifest } from '../core/manifest-core.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import { type PlanCheck, planRollback, type RollbackPlan, reconcilePlan } from '../core/plan-core.ts';
import type { DatabaseStatus } from '../core/status.ts';
import { type DeployOutcome, deploy } from './deploy.ts';
import { ECS_OVERRIDE_LIMIT, ecsOverrideLength, encodePlan, PLAN_ENV } from './plan-transport.ts';
import type { DeployTarget, ExecRequest, Log, MigrationExecutor } from './ports.ts';
import { findManifest } from './record-release.ts';
import type { Verification } from './result.ts';
import { resultErrorText } from './result-text.ts';

export interface RollbackOptions {
  toRelease: string;
  /** Default: the release of the task definition the service runs now. */
  fromRelease?: string;
  /** Plan and report only. */
  dryRun?: boolean;
  /** Scale the service to zero before switching (code that cannot run against the older schema). */
  drain?: boolean;
  /** The database status, when the caller already has it; otherwise read through the newer image. */
  status?: DatabaseStatus;
  /** The migration container's name, for the ECS override size check. */
  container?: string;
  /** What the executor puts before the stepback arguments in the command override (counted in its size). */
  commandPrefix?: string[];
  idempotencyKey: string;
  /** Per step (status, down, deploy). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the plan before anything changes (the action writes its summary table here). */
  onPlan?: (plan: RollbackPlan, progress: { alreadyReverted: string[] }) => Promise<void> | void;
}

export interface RollbackDeps {
  store: ManifestStore;
  executor: MigrationExecutor;
  target: DeployTarget;
}

export type RollbackStatus = 'planned' | 'rolled-back' | 'already-live' | 'refused' | 'failed';

export interface RollbackOutcome {
  status: RollbackStatus;
  ok: boolean;
  exitCode: number;
  fromRelease?: string;
  toRelease: string;
  plan?: RollbackPlan;
  checks: PlanCheck[];
  /** Why it was refused or failed. */
  reasons: string[];
  /** Reverted by an earlier, interrupted run of the same rollback. */
  alreadyReverted?: string[];
  /** Reverted by this run, newest first. */
  reverted: { name: string; durationMs: number }[];
  /** Planned reverts still applied (empty when the downs completed); null when unknown. */
  remaining: string[] | null;
  failed: { name: string; message: string } | null;
  downRunId?: string;
  deploy?: DeployOutcome;
  verification?: Verification;
  /** Characters of the ECS override carrying the plan (checked against 8192). */
  overrideLength?: number;
  /** What happened and where the database stands, in words. */
  message: string;
}

type Partial_ = Omit<RollbackOutcome, 'status' | 'ok' | 'exitCode' | 'message' | 'reasons'>;

function refused(base: Partial_, reasons: string[], message: string): RollbackOutcome {
  return { ...base, status: 'refused', ok: false, exitCode: ExitCode.refused, reasons, message };
}

const RESUME =
  'Fix the cause and run the rollback again: it resumes from where the database stands. The older task definition was not deployed.';

/**
 * Pure: the sentence that tells an operator where the database stands after a failed down. `reverted` is
 * what this run reverted (null when the run reported nothing); `alreadyReverted` what earlier runs did.
 */
export function databasePosition(
  plan: RollbackPlan,
  reverted: readonly string[] | null,
  failed: { name: string; message: string } | null,
  alreadyReverted: readonly string[] = [],
): { remaining: string[] | null; text: string } {
  const earlier =
    alreadyReverted.length > 0 ? ` (${alreadyReverted.join(', ')} had been reverted by an earlier run.)` : '';
  if (reverted === null) {
    const open = plan.revert.map((r) => r.name).filter((n) => !alreadyReverted.includes(n));
    return {
      remaining: null,
      text:
        `The down run reported no result, so it is unknown which of these were reverted: ${open.join(', ')}; ` +
        `run \`stepback status\` to see.${earlier} ${RESUME}`,
    };
  }
  const done = new Set([...alreadyReverted, ...reverted]);
  const remaining = plan.revert.map((r) => r.name).filter((n) => !done.has(n));
  const parts = [
    reverted.length > 0
      ? `Reverted by this run: ${reverted.join(', ')}.`
      : 'Nothing was reverted by this run.',
  ];
  if (earlier) parts.push(earlier.trim());
  parts.push(
    remaining.length > 0
      ? `Still applied: ${remaining.join(', ')}${failed ? ` (${failed.name} failed: ${failed.message}; its revert was rolled back)` : ''}.`
      : 'Every planned migration was reverted.',
  );
  parts.push(RESUME);
  return { remaining, text: parts.join(' ') };
}

async function findRelease(
  store: ManifestStore,
  taskDefinitionArn: string,
  log: Log,
): Promise<string | undefined> {
  // The task definition carries no release tag (recorded before tagging, or tags lost): search the records.
  log.info(
    `The live task definition has no release tag; searching ${store.location} for ${taskDefinitionArn}`,
  );
  for (const release of await store.list()) {
    const { manifest } = await findManifest(store, release);
    if (manifest?.taskDefinitionArn === taskDefinitionArn) return release;
  }
  return undefined;
}

export async function rollback(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
): Promise<RollbackOutcome> {
  const toRelease = options.toRelease;
  const base: Partial_ = { toRelease, checks: [], reverted: [], remaining: null, failed: null };

  // 1. Which release is live (the newer one).
  let fromRelease = options.fromRelease;
  if (!fromRelease) {
    const live = await deps.target.live();
    log.info(
      `Live task definition: ${live.taskDefinitionArn}${live.release ? ` (release ${live.release})` : ''}`,
    );
    fromRelease = live.release ?? (await findRelease(deps.store, live.taskDefinitionArn, log));
    if (!fromRelease) {
      return refused(
        base,
        [`no release is recorded for the live task definition ${live.taskDefinitionArn}`],
        'Cannot tell which release is live, so there is nothing to plan from. Pass from-release explicitly. Nothing was changed.',
      );
    }
    if (fromRelease === toRelease) {
      return {
        ...base,
        fromRelease,
        remaining: [],
        status: 'already-live',
        ok: true,
        exitCode: ExitCode.ok,
        reasons: [],
        message: `Release ${toRelease} is already live (${live.taskDefinitionArn}); nothing to roll back.`,
      };
    }
  }
  base.fromRelease = fromRelease;
  if (fromRelease === toRelease) {
    return refused(
      base,
      [`from-release and to-release are both ${toRelease}`],
      'A rollback needs two different releases. Nothing was changed.',
    );
  }

  // 2. Both manifests, and what the run and the deploy need from them.
  const [foundNewer, foundOlder] = await Promise.all([
    findManifest(deps.store, fromRelease),
    findManifest(deps.store, toRelease),
  ]);
  const newer = foundNewer.manifest;
  const older = foundOlder.manifest;
  if (!newer || !older) {
    const missing = [foundNewer, foundOlder].flatMap((f) => ('problem' in f ? [f.problem] : []));
    return refused(base, missing, `Cannot plan without both release records. Nothing was changed.`);
  }
  const needs = manifestNeeds(newer, older, deps.executor.kind);
  if (needs.length > 0)
    return refused(base, needs, 'The release records lack what the rollback needs. Nothing was changed.');

  // 3. The database as it is now, read by the newer image (it knows every migration applied).
  let status = options.status;
  if (!status) {
    const exec = await log.group('Database status', () =>
      deps.executor.run(request(options, ['status', '--json'], {}, newer, 'status'), log),
    );
    // The result parsers (zod) load only once there is output to read.
    status = (await import('./result.ts')).parseStatusOutput(exec.stdout);
    if (!status) {
      return refused(
        base,
        [
          `reading the database status failed (${exec.id}, exit ${exec.exitCode ?? 'unknown'}): ${exec.message}`,
        ],
        'Could not read the database status through the newer image, so no plan can be verified. Nothing was changed.',
      );
    }
  }

  // 4. Plan (pure) and show it before anything changes.
  const planned = planRollback({ newer, older, status });
  if (!planned.ok) {
    return refused(
      { ...base, checks: planned.checks },
      planned.reasons,
      `Rollback from ${fromRelease} to ${toRelease} refused: ${planned.reasons.join('; ')}. Nothing was changed.`,
    );
  }
  const plan = planned.plan;
  // The plan lists every revert since `from`; on a resumed rollback some are already done.
  const reconciled = reconcilePlan(plan, status.applied);
  const alreadyReverted = reconciled.ok ? reconciled.alreadyReverted : [];
  const toRevert = reconciled.ok ? reconciled.remaining.map((r) => r.name) : plan.revert.map((r) => r.name);
  const withPlan: Partial_ = { ...base, plan, checks: plan.checks, alreadyReverted };
  log.info(
    toRevert.length === 0
      ? `Plan: nothing to revert (the database already matches ${toRelease}).`
      : `Plan: revert ${toRevert.join(', ')} (newest first); keep ${plan.keep.length}` +
          (alreadyReverted.length > 0
            ? `; already reverted by an earlier run: ${alreadyReverted.join(', ')}.`
            : '.'),
  );
  await options.onPlan?.(plan, { alreadyReverted });

  const downRequest = request(
    options,
    ['down', '--plan', '--release', options.toRelease, '--json'],
    { [PLAN_ENV]: encodePlan(plan) },
    newer,
    'down',
  );
  const overrideLength =
    deps.executor.kind === 'ecs'
      ? ecsOverrideLength(
          { ...downRequest, args: [...(options.commandPrefix ?? []), ...downRequest.args] },
          options.container ?? 'app',
        )
      : undefined;
  if (overrideLength !== undefined) withPlan.overrideLength = overrideLength;
  if (overrideLength !== undefined && overrideLength > ECS_OVERRIDE_LIMIT && toRevert.length > 0) {
    return refused(
      withPlan,
      [
        `the plan needs a ${overrideLength}-character container override; ECS allows at most ${ECS_OVERRIDE_LIMIT}`,
      ],
      `The rollback plan (${plan.revert.length} migrations) does not fit into an ECS RunTask override: ${overrideLength} characters, limit ${ECS_OVERRIDE_LIMIT}. ` +
        'Roll back in steps through intermediate releases, or run the down with the codebuild or runner executor. Nothing was changed.',
    );
  }

  if (options.dryRun) {
    return {
      ...withPlan,
      remaining: toRevert,
      status: 'planned',
      ok: true,
      exitCode: ExitCode.ok,
      reasons: [],
      message: `Dry run: would revert ${toRevert.length} migration${toRevert.length === 1 ? '' : 's'} and deploy ${toRelease}. Nothing was changed.`,
    };
  }

  // 5. The downs, from the newer image (only it has their down sources).
  let verification: Verification | undefined;
  if (toRevert.length > 0) {
    let exec: Awaited<ReturnType<MigrationExecutor['run']>>;
    try {
      exec = await log.group(`Down migrations (${fromRelease} → ${toRelease})`, () =>
        deps.executor.run(downRequest, log),
      );
    } catch (error) {
      const where = databasePosition(plan, null, null, alreadyReverted);
      return {
        ...withPlan,
        status: 'failed',
        ok: false,
        exitCode: ExitCode.migrationFailed,
        reasons: [`the down run could not be completed: ${(error as Error).message}`],
        message: `The down run failed: ${(error as Error).message}. ${where.text}`,
      };
    }
    const result = (await import('./result.ts')).parseRunnerResult(exec.stdout);
    const reverted = result?.reverted ?? [];
    const failed = result?.failed ?? null;
    withPlan.reverted = reverted;
    withPlan.failed = failed;
    withPlan.downRunId = exec.id;
    if (result?.verification) verification = result.verification;
    const succeeded = exec.ok && exec.exitCode === 0 && (result ? result.ok : true);
    if (!succeeded) {
      const where = databasePosition(
        plan,
        result ? reverted.map((r) => r.name) : null,
        failed,
        alreadyReverted,
      );
      const why = failed ? `${failed.name}: ${failed.message}` : (resultErrorText(result) ?? exec.message);
      return {
        ...withPlan,
        remaining: where.remaining,
        ...(verification ? { verification } : {}),
        status: result?.exitCode === ExitCode.refused ? 'refused' : 'failed',
        ok: false,
        exitCode: result?.exitCode ?? exec.exitCode ?? ExitCode.migrationFailed,
        reasons: [why],
        message: `The down run failed (${exec.id}): ${why}. ${where.text}`,
      };
    }
    log.info(`Reverted ${reverted.length} migration${reverted.length === 1 ? '' : 's'} (${exec.id}).`);
  }
  withPlan.remaining = [];

  // 6. Only now: the older task definition, waited on the same way every deploy is.
  const deployed = await deploy(
    deps.target,
    {
      taskDefinitionArn: older.taskDefinitionArn!,
      ...(older.taskDefinition ? { taskDefinition: older.taskDefinition } : {}),
      release: toRelease,
      drain: options.drain ?? false,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    log,
  );
  const done: Partial_ = { ...withPlan, deploy: deployed, ...(verification ? { verification } : {}) };
  if (!deployed.ok) {
    return {
      ...done,
      status: 'failed',
      ok: false,
      exitCode: ExitCode.migrationFailed,
      reasons: [`deploying ${toRelease} failed: ${deployed.message}`],
      message:
        `The database is at release ${toRelease}'s migrations (every planned down ran), but deploying ${older.taskDefinitionArn} did not become stable: ${deployed.message}. ` +
        `The newer code may still be serving against the older schema. Run the rollback again to retry the deploy (there is nothing left to revert).`,
    };
  }
  return {
    ...done,
    status: 'rolled-back',
    ok: true,
    exitCode: ExitCode.ok,
    reasons: [],
    message:
      `Rolled back from ${fromRelease} to ${toRelease}: reverted ${toRevert.length} migration${toRevert.length === 1 ? '' : 's'}, ` +
      `deployed ${deployed.taskDefinitionArn}.${verificationText(verification)}`,
  };
}

/** Pure: what the two records must carry for this rollback to be possible at all. */
export function manifestNeeds(
  newer: Manifest,
  older: Manifest,
  executorKind: MigrationExecutor['kind'],
): string[] {
  const out: string[] = [];
  if (!older.taskDefinitionArn)
    out.push(`release ${older.release} has no task definition recorded, so there is nothing to deploy`);
  if (executorKind !== 'runner' && !newer.taskDefinitionArn)
    out.push(
      `release ${newer.release} has no task definition recorded, so its down migrations cannot be run`,
    );
  return out;
}

/** Pure: the schema verification in one sentence (mirrors src/schema describeVerifyResult). */
export function verificationText(v: Verification | null | undefined): string {
  if (!v) return '';
  const release = v.release ?? 'the target release';
  if (v.error) return ` Schema verification could not run: ${v.error}.`;
  if (v.matches === true) return ` Schema verification: schema matches release ${release} as deployed.`;
  if (v.matches === false) {
    const diffs = v.differences ?? [];
    return ` Schema verification: schema DIFFERS from release ${release} as deployed (${diffs.length} difference${diffs.length === 1 ? '' : 's'}: ${diffs.join('; ')}).`;
  }
  return ` Schema not verified: ${v.reason ?? 'no fingerprint recorded'}.`;
}

function request(
  options: RollbackOptions,
  args: string[],
  env: Record<string, string>,
  image: Manifest,
  step: string,
): ExecRequest {
  // Both runs use the newer release's image: only it knows every applied migration and has their downs.
  return {
    args,
    env,
    release: image.release,
    ...(image.taskDefinitionArn ? { taskDefinitionArn: image.taskDefinitionArn } : {}),
    ...(image.image ? { image: image.image } : {}),
    idempotencyKey: `${options.idempotencyKey}-${step}`,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
