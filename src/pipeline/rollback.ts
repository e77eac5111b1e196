/**
 * Rollback flow: resolve the live (newer) release, fetch both manifests, read the
 * database status through the newer image, plan, report the plan, then run the newer image's downs and only
 * when they all succeeded deploy the older task definition. Every refusal happens before anything changes;
 * every failure stops before the deploy and says exactly where the database stands. A re-run resumes: the
 * planner accepts a database that is part-way down the same plan.
 *
 * `rollback()` reads as its steps; each step either adds what it learned to the rollback's facts or ends the
 * rollback with an outcome (a `Stop`).
 */
import { ExitCode, StepbackError } from '../core/errors.ts';
import { findManifest, type ManifestStore } from '../core/manifest-store.ts';
import type { DeployTarget, ExecRequest, ExecResult, Log, MigrationExecutor } from '../core/ports.ts';
import { type Manifest, manifestEngine } from '../core/release-manifest.ts';
import { callRequest, type DownCall, type EngineCall, type RemoteEngine } from '../core/remote-engine.ts';
import { planBindingProblems, type RollbackPlan } from '../core/rollback-plan.ts';
import type { DatabaseStatus } from '../core/status.ts';
import { plannerForManifest } from '../engines/planners.ts';
import { deploy } from './deploy.ts';
import { notReported, notReportedText } from './not-reported.ts';
import { codeReverts, releaseSourcesFromStore } from './release-sources.ts';
import { resultErrorText } from './result-text.ts';
import {
  type DownsFrom,
  databasePosition,
  downsFromText,
  failed,
  type RollbackFacts,
  type RollbackOutcome,
  refused,
  succeeded,
  verificationText,
} from './rollback-outcome.ts';
import { stepbackRemote } from './stepback-remote.ts';

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
  idempotencyKey: string;
  /** Added to every run's environment (the pipeline's run id and actor, for what the run records). */
  env?: Record<string, string>;
  /** Per step (status, down, deploy). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the plan before anything changes (the action writes its summary table here). */
  onPlan?: (plan: RollbackPlan, progress: { alreadyReverted: string[] }) => Promise<void> | void;
  /**
   * When the newer release's image cannot be pulled, run the status and the downs in the older release's
   * image instead, the downs from the newer release's source bundle in the store (`down --plan
   * --sources-from`). Off: such a rollback is refused, saying how to allow it.
   */
  sourcesFromStore?: boolean;
}

export interface RollbackDeps {
  store: ManifestStore;
  executor: MigrationExecutor;
  target: DeployTarget;
  /** What runs the status and the downs in the release's code (default: stepback's own CLI). */
  engine?: RemoteEngine;
}

/** A step's way of ending the rollback early, with the outcome to report. */
class Stop {
  constructor(readonly outcome: RollbackOutcome) {}
}

/** The two release records: the newer one (live now, whose image runs the downs) and the older target. */
interface Records {
  newer: Manifest;
  older: Manifest;
}

/**
 * Which image the status and the downs run in: the newer release's, or, once its image could not be pulled,
 * the older release's with the newer release's downs from the store (`bundle` is then set).
 */
interface RunIn {
  image: Manifest;
  bundle?: { needsImage: string[] };
}

/** The plan and how far an earlier run of it got. */
interface Planned {
  plan: RollbackPlan;
  /** Reverted by an earlier, interrupted run. */
  alreadyReverted: string[];
  /** Still to revert, newest first. */
  toRevert: string[];
}

export async function rollback(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
): Promise<RollbackOutcome> {
  const facts: RollbackFacts = {
    toRelease: options.toRelease,
    checks: [],
    reverted: [],
    remaining: null,
    failed: null,
  };
  try {
    facts.fromRelease = await liveRelease(options, deps, log, facts);
    const records = await releaseRecords(facts.fromRelease, options.toRelease, deps, facts);
    const runIn: RunIn = { image: records.newer };
    facts.downsFrom = downsFrom(runIn, deps);
    const status = options.status ?? (await readStatus(options, deps, log, records, runIn, facts));
    const planned = await planReverts(options, records, status, log, facts);
    const downRequest = checkedDownRequest(options, deps, runIn, planned, facts);
    if (options.dryRun) {
      const n = planned.toRevert.length;
      return succeeded(
        'planned',
        { ...facts, remaining: planned.toRevert },
        `Dry run: would revert ${n} migration${n === 1 ? '' : 's'} and deploy ${options.toRelease}.${downsFromText(facts.downsFrom, facts.fromRelease).replace(' ran ', ' would run ')} Nothing was changed.`,
      );
    }
    if (planned.toRevert.length > 0)
      await runDowns(options, deps, log, records, runIn, downRequest, planned, facts);
    facts.remaining = [];
    return await deployOlder(options, deps, log, records, planned, facts);
  } catch (error) {
    if (error instanceof Stop) return error.outcome;
    throw error;
  }
}

/**
 * Step 1: the release live now (the newer one): given, read from the live task definition's tag, or found
 * in the store by its task definition ARN.
 */
async function liveRelease(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
  facts: RollbackFacts,
): Promise<string> {
  const toRelease = options.toRelease;
  let fromRelease = options.fromRelease;
  if (!fromRelease) {
    const live = await deps.target.live();
    const arn = live.taskDefinitionArn;
    log.info(
      arn
        ? `Live task definition: ${arn}${live.release ? ` (release ${live.release})` : ''}`
        : `Live release: ${live.release ?? 'unknown'}`,
    );
    fromRelease = live.release ?? (arn ? await findRelease(deps.store, arn, log) : undefined);
    if (!fromRelease)
      throw new Stop(
        refused(
          facts,
          [
            arn
              ? `no release is recorded for the live task definition ${arn}`
              : 'the deploy target names neither a live release nor a task definition',
          ],
          'Cannot tell which release is live, so there is nothing to plan from. Pass from-release explicitly. Nothing was changed.',
        ),
      );
    if (fromRelease === toRelease)
      throw new Stop(
        succeeded(
          'already-live',
          { ...facts, fromRelease, remaining: [] },
          `Release ${toRelease} is already live${arn ? ` (${arn})` : ''}; nothing to roll back.`,
        ),
      );
  }
  if (fromRelease === toRelease)
    throw new Stop(
      refused(
        { ...facts, fromRelease },
        [`from-release and to-release are both ${toRelease}`],
        'A rollback needs two different releases. Nothing was changed.',
      ),
    );
  return fromRelease;
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

/** Step 2: both manifests, and what the down run and the deploy need from them. */
async function releaseRecords(
  fromRelease: string,
  toRelease: string,
  deps: RollbackDeps,
  facts: RollbackFacts,
): Promise<Records> {
  const [foundNewer, foundOlder] = await Promise.all([
    findManifest(deps.store, fromRelease),
    findManifest(deps.store, toRelease),
  ]);
  const newer = foundNewer.manifest;
  const older = foundOlder.manifest;
  if (!newer || !older) {
    const missing = [foundNewer, foundOlder].flatMap((f) => ('problem' in f ? [f.problem] : []));
    throw new Stop(refused(facts, missing, 'Cannot plan without both release records. Nothing was changed.'));
  }
  const needs = manifestNeeds(newer, older, deps.executor.runs, engineOf(deps).name, deps.target.deploysBy);
  if (needs.length > 0)
    throw new Stop(
      refused(facts, needs, 'The release records lack what the rollback needs. Nothing was changed.'),
    );
  return { newer, older };
}

/** Pure: what the two records must carry for this rollback to be possible at all. */
export function manifestNeeds(
  newer: Manifest,
  older: Manifest,
  runs: MigrationExecutor['runs'],
  engine: string,
  deploysBy: DeployTarget['deploysBy'],
): string[] {
  const out: string[] = [];
  // The runs speak the engine the rollback was given; records of another engine cannot be read by it.
  for (const m of [newer, older])
    if (manifestEngine(m) !== engine)
      out.push(
        `release ${m.release} was recorded by the ${manifestEngine(m)} engine, but this rollback runs the ${engine} engine: run it with engine ${manifestEngine(m)}`,
      );
  // A target that deploys a release by name (the file target) needs no task definition to switch to it.
  if (deploysBy === 'task-definition' && !older.taskDefinitionArn)
    out.push(
      `release ${older.release} has no task definition recorded, so there is nothing to deploy to the service (record it with task-definition; only the file deploy target deploys a release by name)`,
    );
  // An executor that runs the release's build (its task definition, or the image recorded with it) needs that record.
  if (runs !== 'checkout' && !newer.taskDefinitionArn)
    out.push(
      `release ${newer.release} has no task definition recorded, so its down migrations cannot be run`,
    );
  return out;
}

/** What to change when a run's output cannot be read, the only place a rollback learns the database status. */
const UNREADABLE_OUTPUT: Record<MigrationExecutor['kind'], string> = {
  ecs: "stepback reads a one-off task's result from its awslogs stream: give the migration container the awslogs log driver (logConfiguration with awslogs-group and awslogs-stream-prefix) in the task definition the rollback runs (FireLens, Datadog and other drivers hide the output), or roll back with executor codebuild",
  codebuild:
    "stepback reads the build's result from its CloudWatch Logs: keep the project's CloudWatch logs enabled and the role allowed logs:GetLogEvents on them",
  runner: 'the runner command printed nothing on stdout: run it by hand with `status --json` to see why',
};

/** Step 3: the database as it is now, read by the newer image (it knows every migration applied). */
async function readStatus(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
  records: Records,
  runIn: RunIn,
  facts: RollbackFacts,
): Promise<DatabaseStatus> {
  const engine = engineOf(deps);
  const statusIn = (image: Manifest, step: string) =>
    log.group('Database status', () =>
      deps.executor.run(request(options, engine, engine.status(), image, step), log),
    );
  let exec = await statusIn(runIn.image, 'status');
  if (exec.imageUnavailable && !runIn.bundle) {
    // Nothing ran. The older image reads the same state table (it lists the newer migrations as unknown).
    await fallBackToOlder(options, deps, log, records, runIn, exec.imageUnavailable, facts);
    exec = await statusIn(runIn.image, 'status-older');
  }
  const status = await engine.readStatus(exec.stdout);
  if (status) return status;
  throw new Stop(
    refused(
      facts,
      [
        notReported(exec, false)
          ? `reading the database status failed: ${notReportedText(exec, deps.executor.kind, engineOf(deps).notReported?.(deps.executor.kind))}`
          : exec.stdout === undefined
            ? `reading the database status failed: the status run's output could not be read (${exec.id}: ${exec.message}). ${UNREADABLE_OUTPUT[deps.executor.kind]}`
            : `reading the database status failed (${exec.id}, exit ${exec.exitCode ?? 'unknown'}): ${exec.message}`,
      ],
      `Could not read the database status through release ${runIn.image.release}'s image, so no plan can be verified. Nothing was changed.`,
    ),
  );
}

/** Step 4: the plan (pure), reconciled with what an earlier run reverted, shown before anything changes. */
async function planReverts(
  options: RollbackOptions,
  { newer, older }: Records,
  status: DatabaseStatus,
  log: Log,
  facts: RollbackFacts,
): Promise<Planned> {
  // The engine that recorded the releases decides how to go back (a list, or a graph of apps).
  const planner = plannerForManifest(newer);
  const planned = planner.plan({ newer, older, status });
  if (!planned.ok)
    throw new Stop(
      refused(
        { ...facts, checks: planned.checks },
        planned.reasons,
        `Rollback from ${facts.fromRelease} to ${facts.toRelease} refused: ${planned.reasons.join('; ')}. Nothing was changed.`,
      ),
    );
  const plan = planned.plan;
  // The plan made with the database's status follows its apply order, but must revert and keep exactly
  // what the two manifests alone imply: the same binding `down --plan` holds a stored plan to.
  const binding = planBindingProblems(plan, { newer, older }, planner.plan({ newer, older }));
  if (binding.length > 0)
    throw new Stop(
      refused(
        { ...facts, checks: plan.checks },
        binding,
        `Rollback from ${facts.fromRelease} to ${facts.toRelease} refused: the plan is not the one the manifests give: ${binding.join('; ')}. Nothing was changed.`,
      ),
    );
  // The plan lists every revert since `from`; on a resumed rollback some are already done.
  const reconciled = planner.reconcile(plan, status.applied);
  const alreadyReverted = reconciled.ok ? reconciled.alreadyReverted : [];
  const toRevert = reconciled.ok ? reconciled.remaining.map((r) => r.name) : plan.revert.map((r) => r.name);
  facts.plan = plan;
  facts.checks = plan.checks;
  facts.alreadyReverted = alreadyReverted;
  log.info(
    toRevert.length === 0
      ? `Plan: nothing to revert (the database already matches ${facts.toRelease}).`
      : `Plan: revert ${toRevert.join(', ')} (newest first); keep ${plan.keep.length}` +
          (alreadyReverted.length > 0
            ? `; already reverted by an earlier run: ${alreadyReverted.join(', ')}.`
            : '.'),
  );
  await options.onPlan?.(plan, { alreadyReverted });
  return { plan, alreadyReverted, toRevert };
}

/** Step 5: the down run's request, checked against what the executor can carry before anything runs. */
function checkedDownRequest(
  options: RollbackOptions,
  deps: RollbackDeps,
  runIn: RunIn,
  { plan, toRevert }: Planned,
  facts: RollbackFacts,
): ExecRequest {
  if (runIn.bundle) {
    const code = codeReverts(toRevert, runIn.bundle.needsImage, plan.from.release);
    if (code.length > 0)
      throw new Stop(
        refused(
          facts,
          code,
          `Release ${plan.from.release}'s image cannot be pulled, and its source bundle cannot replace it for ${code.length === 1 ? 'a code migration' : 'code migrations'}: ${code.join('; ')}. Nothing was changed.`,
        ),
      );
  }
  const downRequest = request(
    options,
    engineOf(deps),
    engineOf(deps).down(downCall(options, deps, runIn, plan, toRevert)),
    runIn.image,
    runIn.bundle ? 'down-older' : 'down',
  );
  const check = deps.executor.check?.(downRequest);
  if (check?.overrideLength !== undefined) facts.overrideLength = check.overrideLength;
  if (check && check.problems.length > 0 && toRevert.length > 0)
    throw new Stop(
      refused(
        facts,
        check.problems,
        `The rollback plan (${plan.revert.length} migrations) cannot be run by the ${deps.executor.kind} executor: ${check.problems.join('; ')}. ` +
          'Roll back in steps through intermediate releases, or run the down with another executor. Nothing was changed.',
      ),
    );
  return downRequest;
}

/**
 * Step 6: the downs, from the newer image (only it has their down sources), or, when that image cannot be
 * pulled and the store may stand in, from the newer release's source bundle in the older image.
 */
async function runDowns(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
  records: Records,
  runIn: RunIn,
  downRequest: ExecRequest,
  planned: Planned,
  facts: RollbackFacts,
): Promise<void> {
  const { plan, alreadyReverted } = planned;
  let exec: ExecResult;
  const downs = (req: ExecRequest) =>
    log.group(
      `Down migrations (${facts.fromRelease} → ${facts.toRelease}, in ${runIn.image.release}'s image)`,
      () => deps.executor.run(req, log),
    );
  try {
    exec = await downs(downRequest);
    if (exec.imageUnavailable && !runIn.bundle) {
      // The task never started, so nothing was reverted: the same plan runs in the older image.
      await fallBackToOlder(options, deps, log, records, runIn, exec.imageUnavailable, facts);
      exec = await downs(checkedDownRequest(options, deps, runIn, planned, facts));
    }
  } catch (error) {
    if (error instanceof Stop) throw error;
    const where = databasePosition(plan, null, null, alreadyReverted);
    throw new Stop(
      failed(
        facts,
        [`the down run could not be completed: ${(error as Error).message}`],
        `The down run failed: ${(error as Error).message}. ${where.text}`,
      ),
    );
  }
  const result = await engineOf(deps).readRun(exec.stdout, {
    command: 'down',
    call: downCall(options, deps, runIn, plan, planned.toRevert),
  });
  facts.reverted = result?.reverted ?? [];
  facts.failed = result?.failed ?? null;
  facts.downRunId = exec.id;
  if (result?.verification) facts.verification = result.verification;
  const succeededRun = exec.ok && exec.exitCode === 0 && (result ? result.ok : true);
  if (!succeededRun) {
    const where = databasePosition(
      plan,
      result ? facts.reverted.map((r) => r.name) : null,
      facts.failed,
      alreadyReverted,
    );
    const unreported = notReported(exec, result !== undefined);
    const why = facts.failed
      ? `${facts.failed.name}: ${facts.failed.message}`
      : unreported
        ? notReportedText(exec, deps.executor.kind, engineOf(deps).notReported?.(deps.executor.kind))
        : (resultErrorText(result) ?? exec.message);
    const message = `The down run failed (${exec.id}): ${why}. ${where.text}`;
    const at = { ...facts, remaining: where.remaining };
    // A down the runner refused (its checks found the database other than planned) is a refusal.
    throw new Stop(
      result?.exitCode === ExitCode.refused
        ? refused(at, [why], message)
        : failed(at, [why], message, unreported ? ExitCode.notReported : (result?.exitCode ?? exec.exitCode)),
    );
  }
  const n = facts.reverted.length;
  log.info(`Reverted ${n} migration${n === 1 ? '' : 's'} (${exec.id}).`);
}

/** Step 7, only after every planned down ran: the older task definition, waited on as every deploy is. */
async function deployOlder(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
  { older }: Records,
  { toRevert }: Planned,
  facts: RollbackFacts,
): Promise<RollbackOutcome> {
  const deployed = await deploy(
    deps.target,
    {
      ...(older.taskDefinitionArn ? { taskDefinitionArn: older.taskDefinitionArn } : {}),
      ...(older.taskDefinition ? { taskDefinition: older.taskDefinition } : {}),
      release: options.toRelease,
      drain: options.drain ?? false,
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    log,
  );
  facts.deploy = deployed;
  if (!deployed.ok)
    return failed(
      facts,
      [`deploying ${options.toRelease} failed: ${deployed.message}`],
      `The database is at release ${options.toRelease}'s migrations (every planned down ran), but deploying ${deployed.requested} did not become stable: ${deployed.message}. ` +
        `The newer code may still be serving against the older schema. Run the rollback again to retry the deploy (there is nothing left to revert).`,
    );
  const n = toRevert.length;
  return succeeded(
    'rolled-back',
    facts,
    `Rolled back from ${facts.fromRelease} to ${options.toRelease}: reverted ${n} migration${n === 1 ? '' : 's'}, ` +
      `deployed ${deployed.taskDefinitionArn ?? `release ${options.toRelease}`}.${downsFromText(facts.downsFrom, facts.fromRelease)}${verificationText(facts.verification)}`,
  );
}

/** Where the runs go, for the outcome. */
function downsFrom(runIn: RunIn, deps: RollbackDeps): DownsFrom {
  return {
    image: runIn.bundle ? 'older' : 'newer',
    release: runIn.image.release,
    ...(runIn.image.taskDefinitionArn ? { taskDefinitionArn: runIn.image.taskDefinitionArn } : {}),
    ...(deps.executor.runs === 'image' && runIn.image.image ? { imageRef: runIn.image.image } : {}),
    ...(runIn.bundle ? { bundleFrom: deps.store.location } : {}),
  };
}

/** What a run in this release is made from, as the executor runs it: its image, or its task definition. */
function where(release: Manifest, deps: RollbackDeps): string {
  return (
    (deps.executor.runs === 'image' ? release.image : release.taskDefinitionArn) ??
    release.taskDefinitionArn ??
    'its record'
  );
}

/**
 * The newer release's image cannot be pulled (nothing of the run started): switch `runIn` to the older
 * release's image with the newer release's downs from the store, once the bundle has proven itself against
 * the newer manifest here; or refuse, saying why, when the store may not or cannot stand in.
 */
async function fallBackToOlder(
  options: RollbackOptions,
  deps: RollbackDeps,
  log: Log,
  { newer, older }: Records,
  runIn: RunIn,
  reason: string,
  facts: RollbackFacts,
): Promise<void> {
  const cannot = (problem: string, what: string) =>
    new Stop(
      refused(
        facts,
        [`release ${newer.release}'s image cannot be pulled: ${reason}`, problem],
        `Release ${newer.release}'s image cannot be pulled (${reason}), so its downs cannot run from it. ${what} Nothing was changed.`,
      ),
    );
  if (!options.sourcesFromStore)
    throw cannot(
      'sources-from-store is off',
      `Its downs can run in release ${older.release}'s image from its source bundle in ${deps.store.location}: run the rollback again with sources-from-store: true.`,
    );
  // An executor that runs a release's image (CodeBuild) needs the older image named in its record; without it
  // the run would take whatever image the executor defaults to, which is not release ${older.release}'s.
  if (deps.executor.runs === 'image' && !older.image)
    throw cannot(
      `release ${older.release} was recorded without its image, so the ${deps.executor.kind} executor cannot run in it`,
      `Record ${older.release} with its image (record-release input image), or roll back with executor ecs, which runs its task definition.`,
    );
  let needsImage: string[];
  try {
    ({ needsImage } = await releaseSourcesFromStore(deps.store, newer.release));
  } catch (error) {
    if (!(error instanceof StepbackError)) throw error;
    throw cannot(
      [error.message, ...error.problems].join('; '),
      `Its source bundle in ${deps.store.location} cannot stand in for it.`,
    );
  }
  log.warn(
    `Release ${newer.release}'s image cannot be pulled (${reason}). Falling back: release ${older.release}'s image ` +
      `(${where(older, deps)}) runs ${newer.release}'s downs from its source bundle in ${deps.store.location}, ` +
      'verified against its manifest here and again in the task.',
  );
  runIn.image = older;
  runIn.bundle = { needsImage };
  facts.downsFrom = { ...downsFrom(runIn, deps), reason };
}

function engineOf(deps: RollbackDeps): RemoteEngine {
  return deps.engine ?? stepbackRemote;
}

/** What the down run is asked to do: the plan, what is left of it, and where its downs come from. */
function downCall(
  options: RollbackOptions,
  deps: RollbackDeps,
  runIn: RunIn,
  plan: RollbackPlan,
  toRevert: readonly string[],
): DownCall {
  return {
    plan,
    toRevert,
    toRelease: options.toRelease,
    ...(runIn.bundle ? { sourcesFrom: deps.store.location } : {}),
  };
}

function request(
  options: RollbackOptions,
  engine: RemoteEngine,
  call: EngineCall,
  image: Manifest,
  step: string,
): ExecRequest {
  // Both runs use the newer release's image (only it knows every applied migration and has their downs),
  // unless it could not be pulled and the older one runs them from the store (fallBackToOlder).
  return {
    ...callRequest(engine, call, options.env),
    release: image.release,
    ...(image.taskDefinitionArn ? { taskDefinitionArn: image.taskDefinitionArn } : {}),
    ...(image.image ? { image: image.image } : {}),
    idempotencyKey: `${options.idempotencyKey}-${step}`,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
