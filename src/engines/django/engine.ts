/**
 * The Django engine: the project's migrations as Django's own loader sees them, applied and reverted by
 * Django's own executor inside the app's code (program.ts, through manage.py), under stepback's advisory
 * lock. stepback never writes to django_migrations; what it adds is the manifest (graph, checksums,
 * reversibility), the per-app rollback targets (core/graph-plan.ts), the refusals before any change, and
 * the verification afterwards: django_migrations equals the older release's set and, when stepback can
 * reach the database (--database-url / DATABASE_URL), the schema equals the fingerprint recorded for it.
 */

import { emptyResult } from '../../core/empty-result.ts';
import { describeError, ExitCode, RefusedError, StepbackError, UsageError } from '../../core/errors.ts';
import { reconcileGraphPlan } from '../../core/graph-plan.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { RollbackPlan } from '../../core/rollback-plan.ts';
import { connect, disconnect } from '../../migrate/connect.ts';
import type { RunResult } from '../../migrate/result.ts';
import { STATE_TABLE } from '../../migrate/state.ts';
import { systemClock } from '../../system/clock.ts';
import type { Engine, EngineOptions } from '../engine.ts';
import { auditRequest } from './audit.ts';
import { statusFromGraph } from './graph-status.ts';
import { type DjangoGraph, type DjangoRow, runProgram } from './manage.ts';
import { fill, partialDownError, stateProof, stateProofError } from './results.ts';
import { DJANGO_ENGINE, type DjangoSettings, djangoSettings } from './settings.ts';

export { statusFromGraph } from './graph-status.ts';

type Settings = DjangoSettings;

function lockRequest(opts: EngineOptions, s: Settings) {
  return { schema: s.schema, table: STATE_TABLE, lockTimeoutMs: opts.lockTimeoutMs ?? 300_000 };
}

function failWith(result: RunResult, error: unknown, s: Settings): RunResult {
  result.ok = false;
  result.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
  result.error = redactSecrets(describeError(error), s.secrets);
  return result;
}

/** Runs `body` against stepback's own connection when stepback has a URL; undefined when it has none. */
async function withDatabase<T>(
  s: Settings,
  body: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>,
) {
  if (!s.databaseUrl) return undefined;
  const client = await connect({
    databaseUrl: s.databaseUrl,
    applicationName: 'stepback django',
    waitMs: 0,
    clock: systemClock,
    log: s.log,
  });
  try {
    return await body(client);
  } finally {
    await disconnect(client);
  }
}

async function readGraphAndRows(s: Settings): Promise<{ graph: DjangoGraph; rows: DjangoRow[] }> {
  const r = await runProgram({ op: 'status' }, s.run);
  if (!r.ok || !r.graph)
    throw new StepbackError(
      redactSecrets(`Django could not report its migrations: ${r.error}`, s.secrets),
      ExitCode.migrationFailed,
    );
  return { graph: r.graph, rows: r.applied ?? [] };
}

async function down(opts: EngineOptions & { plan?: RollbackPlan; to?: string }): Promise<RunResult> {
  const s = djangoSettings(opts);
  const result = emptyResult('down', s);
  try {
    const plan = opts.plan;
    if (!plan)
      throw new UsageError('the django engine reverts only to a plan', {
        hint: 'make one with `stepback plan --from NEWER.json --to OLDER.json --out PLAN.json`, then `stepback down --engine django --plan PLAN.json`',
      });
    if (plan.engine !== DJANGO_ENGINE || !plan.targets)
      throw new UsageError(`the plan is for the ${plan.engine ?? 'stepback'} engine, not django`);
    const before = await readGraphAndRows(s);
    const reconciled = reconcileGraphPlan(plan, before.rows);
    if (!reconciled.ok)
      throw new RefusedError(
        `refusing to roll back from ${plan.from.release} to ${plan.to.release}: the database no longer matches the plan; nothing was changed`,
        {
          problems: reconciled.reasons,
          hint: 'check `stepback status --engine django`, then make a new plan',
        },
      );
    const graphNames = new Set(before.graph.nodes.map((n) => n.name));
    const foreign = [...plan.keep, ...plan.revert.map((r) => r.name)].filter((n) => !graphNames.has(n));
    if (foreign.length > 0)
      throw new RefusedError(
        `refusing to roll back: this code's migration graph is not ${plan.from.release}'s; nothing was changed`,
        {
          problems: [`the plan names ${foreign.join(', ')}, which this code does not have`],
          hint: `run it with the code (image) of ${plan.from.release}, which has every migration to revert`,
        },
      );
    if (reconciled.alreadyReverted.length > 0)
      s.log(`resuming: already reverted ${reconciled.alreadyReverted.join(', ')}`);
    let rows = before.rows;
    if (reconciled.remaining.length === 0) s.log('nothing to revert');
    else {
      s.log(
        `reverting ${reconciled.remaining.length} migration(s): ${plan.targets.map((t) => `migrate ${t.app} ${t.migration ?? 'zero'}`).join(', ')}`,
      );
      const run = await runProgram(
        {
          op: 'down',
          ...lockRequest(opts, s),
          audit: auditRequest(s.schema, s.release ?? plan.to.release),
          targets: plan.targets.map((t) => [t.app, t.migration]),
          expect: reconciled.remaining.map((r) => r.name),
        },
        s.run,
      );
      fill(result, run, s.secrets);
      if (run.applied) rows = run.applied;
      if (!result.ok) {
        // Django commits each migration: say what the database holds now, as read back, never a guess.
        result.error = partialDownError(result.error, plan, run);
        return result;
      }
    }
    // The state proof: django_migrations, read back, is exactly the older release's set.
    const state = stateProof(plan, rows);
    const schema = await withDatabase(s, async (client) => {
      const { verifyReleaseFingerprint } = await import('../../schema/record.ts');
      return verifyReleaseFingerprint(client, { schema: s.schema, release: plan.to.release });
    }).catch((error: unknown) => ({ error: redactSecrets((error as Error).message, s.secrets) }));
    result.verification = {
      state,
      schema: schema ?? {
        matches: null,
        reason: 'stepback has no database URL to fingerprint the schema with',
      },
    };
    if (!state.matches) {
      result.ok = false;
      result.exitCode = ExitCode.migrationFailed;
      result.error = stateProofError(plan, state);
    } else s.log(`django_migrations matches release ${plan.to.release}`);
    if (schema && 'matches' in schema)
      s.log(
        schema.matches === null
          ? `schema not verified: ${schema.reason}`
          : schema.matches
            ? `schema matches release ${plan.to.release} as deployed`
            : `warning: schema differs from release ${plan.to.release}: ${schema.differences.join('; ')}`,
      );
    return result;
  } catch (error) {
    return failWith(result, error, s);
  }
}

export const djangoEngine: Engine = {
  name: DJANGO_ENGINE,
  async status(opts) {
    const s = djangoSettings(opts);
    const { graph, rows } = await readGraphAndRows(s);
    return statusFromGraph(s.schema, graph, rows);
  },
  async up(opts) {
    const s = djangoSettings(opts);
    const result = emptyResult('up', s);
    try {
      if (opts.adopt || opts.adoptFrom !== undefined)
        throw new UsageError('the django engine does not adopt: Django records its own history', {
          hint: 'drop --adopt; `manage.py migrate --fake-initial` is how Django takes over existing tables',
        });
      if (opts.to !== undefined || opts.singleTransaction || opts.allowOutOfOrder)
        throw new UsageError(
          'the django engine applies every pending migration, as `manage.py migrate` does',
          {
            hint: 'drop --to, --single-transaction and --allow-out-of-order (Django decides the order and the transactions per migration)',
          },
        );
      const run = await runProgram(
        { op: 'up', ...lockRequest(opts, s), audit: auditRequest(s.schema, s.release) },
        s.run,
      );
      fill(result, run, s.secrets);
      if (result.ok && result.applied.length === 0) s.log('nothing to apply: the database is up to date');
      if (result.ok && s.release) {
        const release = s.release;
        // What this release's migrations produced, for verifying a later rollback to it.
        result.verification = await withDatabase(s, async (client) => {
          const { recordReleaseFingerprint } = await import('../../schema/record.ts');
          return recordReleaseFingerprint(client, { schema: s.schema, release });
        }).catch((error: unknown) => {
          s.log(`warning: could not record the schema fingerprint: ${(error as Error).message}`);
          return { error: redactSecrets((error as Error).message, s.secrets) };
        });
      }
      return result;
    } catch (error) {
      return failWith(result, error, s);
    }
  },
  down,
};
