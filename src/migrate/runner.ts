/**
 * The runner's commands on one connection under the advisory lock: up, down (--to / --plan),
 * status and resolve. umzug sequences the steps over our resolved migration list and a storage backed by the
 * state we read once per run; the transaction around each step and its state row is ours: consecutive SQL
 * steps travel several per message (batch.ts), the others one at a time (execute.ts).
 *
 * up/down/resolve never throw for an expected failure: they return the `stepback/result@1` document with
 * `ok: false`, the exit code and the error text, so every caller (CLI, on-runner executor, rehearse) reports
 * the same thing. status() throws StepbackErrors.
 */
import type pg from 'pg';
import { MigrationError, Umzug } from 'umzug';
import { classifyStatus, decideDownTo, decideUp, revertProblems } from '../core/classify.ts';
import type { Clock } from '../core/clock.ts';
import {
  describeError,
  ExitCode,
  MigrationFailedError,
  RefusedError,
  StepbackError,
  UsageError,
} from '../core/errors.ts';
import { connectionSecrets, redactSecrets } from '../core/redact.ts';
import { type RollbackPlan, reconcilePlan } from '../core/rollback-plan.ts';
import type { DatabaseStatus } from '../core/status.ts';
import { systemClock } from '../system/clock.ts';
import { toolProblems } from './adopt/tools.ts';
import { batchedSteps, type StepExecutor, StepFailure, timedStep } from './batch.ts';
import { connect, disconnect, passfileSecrets } from './connect.ts';
import {
  type Direction,
  invalidIndexes,
  recordFailure,
  rollbackQuietly,
  type StepSession,
  TX_MARK,
  type TxMode,
} from './execute.ts';
import { acquireLock, lockKey, releaseLock } from './lock.ts';
import { actorFromEnv, releaseFromEnv, runIdFromEnv } from './provenance.ts';
import { emptyResult, RESULT_FORMAT, type RunResult, type StepTiming } from './result.ts';
import { loadMigrations } from './sources.ts';
import { describeLocation } from './sql-text.ts';
import {
  deleteAppliedSql,
  ensureStateSql,
  insertAppliedSql,
  insertEventSql,
  readState,
  type State,
  type StateNames,
  stateNames,
} from './state.ts';
import type { MigrationSource } from './types.ts';
import { RUNNER_VERSION } from './version.ts';

export { RESULT_FORMAT, type RunResult, type StepTiming };

export interface RunnerOptions {
  /** Default: env DATABASE_URL. */
  databaseUrl?: string;
  dir: string;
  /** Migrations already read and verified elsewhere (a release's source bundle); then `dir` is not read. */
  sources?: MigrationSource[];
  /** Where the state tables live; default `public`. */
  schema?: string;
  /** Default: env STEPBACK_RELEASE. */
  release?: string | null;
  /** Default: STEPBACK_RUN_ID, GITHUB_RUN_ID(-GITHUB_RUN_ATTEMPT), CODEBUILD_BUILD_ID. */
  runId?: string | null;
  /** Default: STEPBACK_ACTOR, GITHUB_ACTOR, the OS user. */
  actor?: string | null;
  /** Default 300 000. */
  lockTimeoutMs?: number;
  /** Retry connecting this long while the database starts; default 0. */
  waitMs?: number;
  /** Human progress, one line per call (the CLI prints it to stderr). Default: silent. */
  log?: (line: string) => void;
  /** Injected time (tests). */
  clock?: Clock;
  /** Environment for the defaults above; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface UpOptions extends RunnerOptions {
  /** Apply pending migrations up to and including this name. */
  to?: string;
  singleTransaction?: boolean;
  allowOutOfOrder?: boolean;
  /**
   * First take over another tool's history (adopt/take-over.ts) when stepback's state tables do not exist
   * yet; otherwise nothing is adopted and the result says why.
   */
  adopt?: boolean;
  /** With `adopt`: the tool whose state table to read; default: the one found. */
  adoptFrom?: string;
}

export interface DownOptions extends RunnerOptions {
  /** Revert everything applied after this name (it stays); `'0'` reverts all. Exactly one of to/plan. */
  to?: string;
  /** A validated rollback plan (see parsePlan / readPlanInput). */
  plan?: RollbackPlan;
}

export interface ResolveOptions extends RunnerOptions {
  /** Record NAME as applied (the operator applied it by hand). Exactly one of applied/reverted. */
  applied?: string;
  /** Record NAME as reverted (the operator reverted it by hand). */
  reverted?: string;
  reason?: string;
}

export interface Session extends StepSession {
  schema: string;
  sources: MigrationSource[];
  bySource: Map<string, MigrationSource>;
  state: State;
  clock: Clock;
  secrets: (string | undefined)[];
  /** A new connection to the same database (no lock), to read what a failed run left when its own is gone. */
  reconnect: () => Promise<pg.Client>;
}

export type Settings = ReturnType<typeof settings>;

/** Options with their environment defaults, resolved once per command (the actor may ask the OS). */
export function settings(opts: RunnerOptions) {
  const env = opts.env ?? process.env;
  return {
    env,
    databaseUrl: opts.databaseUrl ?? env.DATABASE_URL,
    schema: opts.schema ?? 'public',
    release: opts.release === undefined ? releaseFromEnv(env) : opts.release,
    runId: opts.runId === undefined ? runIdFromEnv(env) : opts.runId,
    actor: opts.actor === undefined ? actorFromEnv(env) : opts.actor,
    log: opts.log ?? (() => {}),
    clock: opts.clock ?? systemClock,
    /** Every password the run may connect with: none may reach a message, a result or the events table. */
    secrets: [...connectionSecrets(opts.databaseUrl ?? env.DATABASE_URL, env), ...passfileSecrets(env)],
  };
}

export function applicationName(release: string | null): string {
  return `stepback ${RUNNER_VERSION}${release ? ` ${release}` : ''}`.slice(0, 63);
}

async function openClient(opts: RunnerOptions, s: Settings): Promise<pg.Client> {
  return connect({
    databaseUrl: s.databaseUrl,
    applicationName: applicationName(s.release),
    waitMs: opts.waitMs ?? 0,
    clock: s.clock,
    log: s.log,
  });
}

/** Load sources, connect, lock, read state; run `body`; always unlock and disconnect. */
export async function withSession<T>(
  command: string,
  opts: RunnerOptions,
  s: Settings,
  body: (session: Session) => Promise<T>,
): Promise<T> {
  const sources = opts.sources ?? (await loadMigrations(opts.dir));
  const client = await openClient(opts, s);
  const key = lockKey(client.database ?? '', s.schema);
  let locked = false;
  try {
    s.log(
      `stepback ${command}: ${client.host}:${client.port}/${client.database}, schema ${s.schema}${s.release ? `, release ${s.release}` : ''}`,
    );
    await acquireLock(client, key, {
      timeoutMs: opts.lockTimeoutMs ?? 300_000,
      clock: s.clock,
      log: s.log,
    });
    locked = true;
    const names = stateNames(s.schema);
    const state = await readState(client, names);
    return await body({
      client,
      names,
      schema: s.schema,
      who: { release: s.release, runId: s.runId, actor: s.actor, runnerVersion: RUNNER_VERSION },
      log: s.log,
      sources,
      bySource: new Map(sources.map((m) => [m.name, m])),
      state,
      clock: s.clock,
      secrets: s.secrets,
      reconnect: () => openClient({ ...opts, waitMs: 0 }, { ...s, log: () => {} }),
    });
  } finally {
    if (locked) await releaseLock(client, key).catch(() => {});
    await disconnect(client);
  }
}

/** The failed result of options refused before connecting. */
function usageResult(command: RunResult['command'], opts: RunnerOptions, error: UsageError): RunResult {
  const result = emptyResult(command, settings(opts));
  result.ok = false;
  result.exitCode = ExitCode.usage;
  result.error = describeError(error);
  return result;
}

/** Runs a command, turning any error into the failed result document (redacted). */
async function runCommand(
  command: RunResult['command'],
  opts: RunnerOptions,
  body: (session: Session, result: RunResult) => Promise<void>,
): Promise<RunResult> {
  const s = settings(opts);
  const result = emptyResult(command, s);
  const started = performance.now();
  try {
    await withSession(command, opts, s, (session) => body(session, result));
    s.log(summary(result, performance.now() - started));
  } catch (error) {
    result.ok = false;
    result.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
    result.error = redactSecrets(describeError(error), s.secrets);
    if (result.failed) result.failed.message = redactSecrets(result.failed.message, s.secrets);
  }
  return result;
}

function summary(result: RunResult, ms: number): string {
  const parts: string[] = [];
  if (result.command !== 'resolve' || result.applied.length > 0 || result.reverted.length > 0) {
    if (result.command === 'up' || result.applied.length > 0) parts.push(`${result.applied.length} applied`);
    if (result.command === 'down' || result.reverted.length > 0)
      parts.push(`${result.reverted.length} reverted`);
  }
  return `done: ${parts.join(', ')} in ${Math.round(ms)} ms`;
}

function pgMessage(error: unknown): string {
  const e = error as { message?: string; detail?: string; hint?: string };
  const text = e?.message ?? String(error);
  return e?.detail ? `${text} (${e.detail})` : text;
}

/**
 * Runs `names` through umzug in `direction`. umzug's storage is the state read at the start of the run (no
 * re-reads per migration); umzug's separate logMigration/unlogMigration only update that in-memory view,
 * because the real state row was already written inside the migration's transaction.
 */
async function sequence(
  s: Session,
  result: RunResult,
  direction: Direction,
  names: string[],
  mode: TxMode,
): Promise<void> {
  const executed = new Set(s.state.applied.map((a) => a.name));
  const timings = direction === 'up' ? result.applied : result.reverted;
  const verb = direction === 'up' ? 'applied' : 'reverted';
  const umzug = new Umzug<Record<string, never>>({
    migrations: s.sources.map((m) => ({
      name: m.name,
      path: m.upPath,
      up: () => step(s, m, 'up'),
      down: () => step(s, m, 'down'),
    })),
    context: {},
    logger: undefined,
    storage: {
      executed: async () => [...executed],
      logMigration: async ({ name }) => {
        executed.add(name);
      },
      unlogMigration: async ({ name }) => {
        executed.delete(name);
      },
    },
  });
  // Each migration in its own transaction: several per round trip where they allow it (batch.ts). One
  // surrounding transaction (--single-transaction): one statement after another inside it.
  const execute: StepExecutor =
    mode === 'own'
      ? batchedSteps(
          s,
          names.map((n) => s.bySource.get(n)!),
          direction,
        )
      : (m) => timedStep(s, m, direction, mode);
  const step = async (session: Session, m: MigrationSource, dir: Direction): Promise<void> => {
    let durationMs: number;
    try {
      durationMs = await execute(m);
    } catch (thrown) {
      throw await failedStep(session, result, { direction: dir, names, mode, m, thrown });
    }
    timings.push({ name: m.name, durationMs });
    session.log(`${verb.padEnd(8)} ${m.name} (${durationMs} ms)`);
  };
  try {
    if (direction === 'up') await umzug.up({ migrations: names });
    else await umzug.down({ migrations: names });
  } catch (error) {
    throw error instanceof MigrationError && error.cause instanceof StepbackError ? error.cause : error;
  }
}

interface StepFailureContext {
  direction: Direction;
  /** The migrations the run steps through, in order. */
  names: string[];
  mode: TxMode;
  /** The migration whose step failed. */
  m: MigrationSource;
  thrown: unknown;
}

/**
 * What the database holds after a failed step, read back from it: on the run's connection when it still
 * answers, otherwise on a fresh one; null when neither can be read.
 */
async function stateAfterFailure(s: Session): Promise<{ state: State; client: pg.Client } | null> {
  try {
    return { state: await readState(s.client, s.names), client: s.client };
  } catch {
    // The run's connection is gone (killed, network, server restart): ask on a new one.
  }
  try {
    const client = await s.reconnect();
    try {
      return { state: await readState(client, s.names), client };
    } catch {
      await disconnect(client);
      return null;
    }
  } catch {
    return null;
  }
}

/** Whether the server still runs the run's old backend (its query may yet commit), asked on `client`. */
async function backendAlive(client: pg.Client, pid: number | undefined): Promise<boolean> {
  if (pid === undefined) return false;
  const { rows } = await client
    .query('select 1 from pg_stat_activity where pid = $1', [pid])
    .catch(() => ({ rows: [1] }));
  return rows.length > 0;
}

/**
 * Turns a failed step into the error the run ends with, after re-reading from the database what the run
 * changed: the result's applied/reverted lists, the failed migration and the words all say what the state
 * table holds now, never what the run expected.
 */
async function failedStep(s: Session, result: RunResult, f: StepFailureContext): Promise<StepbackError> {
  const failure = f.thrown instanceof StepFailure ? f.thrown : new StepFailure(f.thrown, Number.NaN);
  const { error, location } = failure;
  const at = location ? ` at ${describeLocation(location)}` : '';
  const message = redactSecrets(`${pgMessage(error)}${at}`, s.secrets);
  const verb = f.direction === 'up' ? 'applied' : 'reverted';
  const timings = f.direction === 'up' ? result.applied : result.reverted;
  s.log(`FAILED   ${f.m.name}${Number.isFinite(failure.ms) ? ` after ${failure.ms} ms` : ''}: ${message}`);
  if (f.mode === 'batch') await rollbackQuietly(s.client);
  const known = new Map(timings.map((t) => [t.name, t.durationMs]));
  const read = await stateAfterFailure(s);
  let failedName = f.m.name;
  let truth: string;
  if (read) {
    const rows = new Map(read.state.applied.map((a) => [a.name, a]));
    const changed = (name: string) => (f.direction === 'up' ? rows.has(name) : !rows.has(name));
    const done = f.names.filter(changed);
    // Written by this run and not yet printed (their reply was lost with the connection).
    for (const name of done) {
      if (!known.has(name)) s.log(`${verb.padEnd(8)} ${name} (found in the database after the failure)`);
    }
    timings.length = 0;
    for (const name of done)
      timings.push({ name, durationMs: known.get(name) ?? rows.get(name)?.durationMs ?? 0 });
    const lost = read.client !== s.client;
    // With its connection gone, the step that failed is not the one that was running: that is the first of
    // the run the database does not show as done (in one surrounding transaction, the step that failed).
    if (lost && f.mode === 'own') failedName = f.names.find((n) => !changed(n)) ?? f.m.name;
    const source = s.bySource.get(failedName);
    const transactional = source
      ? f.direction === 'up'
        ? source.transactional
        : source.downTransactional
      : true;
    // pg keeps the backend's pid from BackendKeyData (untyped).
    const pid = (s.client as unknown as { processID?: number }).processID;
    const running = lost && (await backendAlive(read.client, pid));
    const recorded = f.direction === 'up' ? 'is not recorded as applied' : 'is still recorded as applied';
    truth =
      `read back from the database: ${done.length} migration(s) before it in this run stay ${verb}` +
      (done.length ? ` (${done.length > 3 ? `${done[0]} … ${done.at(-1)}` : done.join(', ')})` : '') +
      `; ${failedName} ${recorded}` +
      (running
        ? `, but the server is still running the lost session (pid ${pid}): its outcome is unknown until it ends; run stepback status after it has`
        : transactional
          ? ' (its transaction was rolled back)'
          : ': it runs without a transaction, so part of it may have taken effect');
    await recordFailure({ ...s, client: read.client }, failedName, f.direction, message);
    if (lost) await disconnect(read.client);
  } else if (f.mode === 'batch') {
    // Inside one surrounding transaction nothing was committed before the failure; the server rolls an
    // unfinished transaction back when its session ends.
    timings.length = 0;
    truth =
      'the database could not be read after the failure; stepback never committed the batch (--single-transaction), so nothing of it is applied unless a migration committed by itself: run stepback status';
  } else {
    truth = `the database could not be read after the failure, so what this run changed is unknown beyond the ${timings.length} migration(s) confirmed ${verb} above; run stepback status`;
  }
  result.failed = { name: failedName, message, ...(location ? { location } : {}) };
  const changedNothing = timings.length === 0;
  const stays =
    f.mode === 'batch' && read && changedNothing
      ? `the whole batch was rolled back (--single-transaction): nothing changed`
      : truth;
  return new MigrationFailedError(failedName, `${failedName} (${f.direction}) failed: ${message}`, {
    hint: `${stays}. ${failureAdvice(error)}Fix the migration and run again; the run continues from ${failedName}.`,
    cause: error,
  });
}

/** What to do about an error whose fix stepback knows, as a sentence; empty otherwise. */
function failureAdvice(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  if (e?.code === '25001' && /cannot run inside a transaction block/.test(String(e.message)))
    return 'It cannot run inside a transaction: put -- stepback:no-transaction in the first lines of its file (module: export const transaction = false), and keep that file to this one statement. ';
  return '';
}

export async function up(opts: UpOptions): Promise<RunResult> {
  const problems = toolProblems('--adopt-from', opts.adoptFrom);
  if (opts.adoptFrom !== undefined && !opts.adopt) problems.push('--adopt-from is only read with --adopt');
  if (problems.length > 0)
    return usageResult('up', opts, new UsageError('up: bad adopt options', { problems }));
  return runCommand('up', opts, async (s, result) => {
    if (opts.to !== undefined && !s.bySource.has(opts.to)) {
      throw new UsageError(`--to ${opts.to}: no such migration in ${opts.dir}`);
    }
    if (opts.adopt) {
      // Loaded only here: a plain up never needs the other tools' readers.
      const { adoptBeforeUp } = await import('./adopt/take-over.ts');
      result.adoption = await adoptBeforeUp(s, opts.adoptFrom);
    }
    const status = classifyStatus(s.schema, s.state.applied, s.sources);
    const decision = decideUp(status, s.sources, opts);
    if (decision.refusals.length > 0) {
      throw new RefusedError('refusing to migrate up; nothing was changed', {
        problems: decision.refusals,
        hint: status.unknownApplied.length
          ? 'deploy the release that contains these migrations, or roll the database back with that release first'
          : status.drifted.length
            ? 'restore the applied migration files exactly as they were applied; put changes in a new migration'
            : 'rename the new migration to sort after the applied ones, or pass --allow-out-of-order',
      });
    }
    if (decision.toApply.length === 0) {
      s.log('nothing to apply: the database is up to date');
    } else {
      if (!s.state.exists) await s.client.query(ensureStateSql(s.names));
      s.log(
        `applying ${decision.toApply.length} migration(s)${opts.singleTransaction ? ' in one transaction' : ''}`,
      );
      if (opts.singleTransaction) {
        // Marked like every step's own transaction, so a migration that ends it is caught (execute.ts).
        await s.client.query(`BEGIN;\n${TX_MARK}`);
        await sequence(s, result, 'up', decision.toApply, 'batch');
        try {
          await s.client.query('COMMIT');
        } catch (error) {
          // E.g. a deferred constraint: the whole batch is rolled back, so nothing was applied.
          await rollbackQuietly(s.client);
          result.applied = [];
          const message = redactSecrets(pgMessage(error), s.secrets);
          const last = decision.toApply.at(-1)!;
          await recordFailure(s, last, 'up', `commit of the batch failed: ${message}`);
          result.failed = { name: last, message };
          throw new MigrationFailedError(last, `committing the batch failed: ${message}`, {
            hint: 'the whole batch was rolled back (--single-transaction): nothing changed',
            cause: error,
          });
        }
      } else {
        await sequence(s, result, 'up', decision.toApply, 'own');
      }
    }
    if (s.who.release) {
      // Schema verification hook (src/schema): what this release's migrations produced, for rollbacks.
      try {
        if (!s.state.exists && decision.toApply.length === 0) await s.client.query(ensureStateSql(s.names));
        // Loaded here, not at start: a plain `up` never needs the fingerprint code or its validation.
        const { recordReleaseFingerprint } = await import('../schema/record.ts');
        const recorded = await recordReleaseFingerprint(s.client, {
          schema: s.schema,
          release: s.who.release,
        });
        result.verification = recorded;
        if (recorded.outcome === 'differs')
          s.log(`warning: the schema differs from release ${s.who.release}'s first recorded schema`);
      } catch (error) {
        s.log(`warning: could not record the schema fingerprint: ${(error as Error).message}`);
        result.verification = { error: (error as Error).message };
      }
    }
  });
}

export async function down(opts: DownOptions): Promise<RunResult> {
  if (opts.plan === undefined && opts.to === undefined)
    return usageResult(
      'down',
      opts,
      new UsageError('down needs a target', {
        hint: 'pass --to NAME (NAME stays applied), --to 0 (revert everything) or --plan PLAN.json',
      }),
    );
  return runCommand('down', opts, async (s, result) => {
    const rows = new Map(s.state.applied.map((a) => [a.name, a]));
    let revert: string[];
    if (opts.plan) {
      const plan = opts.plan;
      const reconciled = reconcilePlan(plan, s.state.applied);
      if (!reconciled.ok) {
        throw new RefusedError(
          `refusing to roll back from ${plan.from.release} to ${plan.to.release}: the database no longer matches the plan; nothing was changed`,
          { problems: reconciled.reasons, hint: 'check `stepback status`, then make a new plan' },
        );
      }
      const problems = reconciled.remaining.flatMap((p) =>
        revertProblems(rows.get(p.name)!, s.bySource.get(p.name), p),
      );
      if (problems.length > 0) {
        throw new RefusedError(
          `refusing to roll back from ${plan.from.release} to ${plan.to.release}; nothing was changed`,
          {
            problems,
            hint: `run the down migrations from the image of ${plan.from.release}, whose files the plan was made from`,
          },
        );
      }
      if (reconciled.alreadyReverted.length > 0)
        s.log(`resuming: already reverted ${reconciled.alreadyReverted.join(', ')}`);
      revert = reconciled.remaining.map((p) => p.name);
    } else {
      const decision = decideDownTo(s.state.applied, s.sources, opts.to!);
      if (decision.kind === 'usage') throw new UsageError(decision.message);
      if (decision.kind === 'refused') {
        throw new RefusedError(`refusing to migrate down to ${opts.to}; nothing was changed`, {
          problems: decision.problems,
          hint: 'run down from the code (image) that applied these migrations, with their down files unchanged',
        });
      }
      revert = decision.revert;
    }
    if (revert.length === 0) s.log('nothing to revert');
    else {
      s.log(`reverting ${revert.length} migration(s), newest first`);
      await sequence(s, result, 'down', revert, 'own');
    }
    if (opts.plan) {
      try {
        const { verifyReleaseFingerprint } = await import('../schema/record.ts');
        const verification = await verifyReleaseFingerprint(s.client, {
          schema: s.schema,
          release: opts.plan.to.release,
        });
        result.verification = verification;
        s.log(
          verification.matches === null
            ? `schema not verified: ${verification.reason}`
            : verification.matches
              ? `schema matches release ${opts.plan.to.release} as deployed`
              : `warning: schema differs from release ${opts.plan.to.release}: ${verification.differences.join('; ')}`,
        );
      } catch (error) {
        s.log(`warning: could not verify the schema: ${(error as Error).message}`);
        result.verification = { error: (error as Error).message };
      }
    }
  });
}

export async function resolve(opts: ResolveOptions): Promise<RunResult> {
  return runCommand('resolve', opts, async (s, result) => {
    if ((opts.applied === undefined) === (opts.reverted === undefined)) {
      throw new UsageError('resolve needs exactly one of --applied NAME or --reverted NAME');
    }
    const applied = new Set(s.state.applied.map((a) => a.name));
    const detail = (action: string) => ({ action, reason: opts.reason ?? null });
    if (opts.applied !== undefined) {
      const name = opts.applied;
      const source = s.bySource.get(name);
      if (!source) throw new UsageError(`resolve --applied ${name}: no such migration in ${opts.dir}`);
      if (applied.has(name))
        throw new UsageError(`resolve --applied ${name}: it is already recorded as applied`);
      if (!s.state.exists) await s.client.query(ensureStateSql(s.names));
      await s.client.query(
        `BEGIN;\n${insertAppliedSql(s.names, source, s.who, 'now()')};\n${insertEventSql(s.names, 'resolve', name, s.who, { detail: detail('applied') })};\nCOMMIT`,
      );
      result.applied.push({ name, durationMs: 0 });
      s.log(`recorded ${name} as applied (by hand)${opts.reason ? `: ${opts.reason}` : ''}`);
    } else {
      const name = opts.reverted!;
      if (!applied.has(name))
        throw new UsageError(`resolve --reverted ${name}: it is not recorded as applied`);
      await s.client.query(
        `BEGIN;\n${deleteAppliedSql(s.names, name)};\n${insertEventSql(s.names, 'resolve', name, s.who, { detail: detail('reverted') })};\nCOMMIT`,
      );
      result.reverted.push({ name, durationMs: 0 });
      s.log(`recorded ${name} as reverted (by hand)${opts.reason ? `: ${opts.reason}` : ''}`);
    }
  }).then((r) => r);
}

/** The database's migration state (no lock: a read). Throws StepbackErrors. */
export async function status(opts: RunnerOptions): Promise<DatabaseStatus> {
  const s = settings(opts);
  const sources = opts.sources ?? (await loadMigrations(opts.dir));
  const client = await openClient(opts, s);
  try {
    const state = await readState(client, stateNames(s.schema));
    const invalid = await invalidIndexes(client);
    return {
      ...classifyStatus(s.schema, state.applied, sources),
      invalidIndexes: invalid.map(({ schema, name, table }) => ({ schema, name, table })),
    };
  } finally {
    await disconnect(client);
  }
}

export type { StateNames };
