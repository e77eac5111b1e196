/**
 * `stepback sync --to-release R`: move the database to release R from wherever it stands, for a hook that
 * runs in R's image (Argo CD PreSync, Helm pre-upgrade/pre-rollback, a Flux Job, an ECS one-off task of
 * R's task definition). It reads what the database applied and which release applied it (decideSync), then:
 * - nothing to do: the database holds exactly R's migrations (a retried hook lands here);
 * - forward: apply what R adds, from this directory when it is R's, else from R's source bundle;
 * - back: plan the rollback from the release that applied the newest migration (every planner check
 *   applies) and run that release's downs from its source bundle, its image being gone or never here.
 * Each change runs under the migration lock and re-checks the database there (up and `down --plan` both
 * do), so two hooks racing end with one doing the work and the other finding nothing left. Every path ends
 * with the schema proof: the schema equals what R's migrations produced when R was first migrated.
 */
import { statSync } from 'node:fs';
import { ExitCode, RefusedError, StepbackError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import type { Manifest } from '../core/release-manifest.ts';
import { planRollback, type RollbackPlan } from '../core/rollback-plan.ts';
import { bundleMismatches } from '../core/source-bundle.ts';
import { decideSync } from '../core/sync-decision.ts';
import type { RunnerOptions, RunResult } from '../migrate/runner.ts';
import type { MigrationSource } from '../migrate/types.ts';
import { codeReverts, refuseCodeEngine, releaseSourcesFromStore } from './release-sources.ts';

export const SYNC_FORMAT = 'stepback/sync@1';

export interface SyncOptions {
  toRelease: string;
  dryRun: boolean;
  /** The database, the lock and `dir` (R's migrations, when the image has them). */
  runner: RunnerOptions;
}

export interface SyncProof {
  matches: boolean | null;
  release: string;
  differences?: string[];
  reason?: string;
}

export interface SyncOutcome {
  format: typeof SYNC_FORMAT;
  ok: boolean;
  exitCode: number;
  /** What was (or, in a dry run, would be) done; null when refused before deciding. */
  action: 'none' | 'up' | 'down' | null;
  dryRun: boolean;
  toRelease: string;
  /** The release whose downs ran (action `down`). */
  fromRelease: string | null;
  /** Where the migrations that ran came from. */
  sources: 'directory' | 'bundle' | null;
  plan: RollbackPlan | null;
  applied: { name: string; durationMs: number }[];
  reverted: { name: string; durationMs: number }[];
  failed: { name: string; message: string } | null;
  proof: SyncProof | null;
  message: string;
}

export async function sync(options: SyncOptions, store: ManifestStore): Promise<SyncOutcome> {
  const R = options.toRelease;
  const log = options.runner.log ?? (() => {});
  const base = startOutcome(R, options.dryRun);
  const runner = await import('../migrate/runner.ts');
  const target = await store.get(R);
  refuseCodeEngine(target);

  // Only the applied rows are read here (no sources needed); each change re-reads them under the lock.
  const status = await runner.status({ ...options.runner, sources: [] });
  const decision = decideSync(status.applied, target);
  if (decision.kind === 'refused')
    return { ...base, message: `sync to ${R} refused: ${decision.reasons.join('; ')}. Nothing was changed.` };

  if (decision.kind === 'none') {
    const did = `the database already holds exactly ${R}'s ${target.migrations.length} migrations; nothing to do`;
    const proof = await prove(options.runner, R);
    // Nothing changes here, so a database migrated to R without a recorded fingerprint is not refused.
    if (proof.matches === null)
      return {
        ...base,
        ok: true,
        exitCode: ExitCode.ok,
        action: 'none',
        proof,
        message: `${did}; schema not verified: ${proof.reason}.`,
      };
    return finishWithProof({ ...base, action: 'none' }, proof, false, did);
  }

  if (decision.kind === 'up') {
    const local = await targetSources(options.runner.dir, target, store);
    const code = local.from === 'bundle' ? codeReverts(decision.pending, local.needsImage, R) : [];
    if (code.length > 0)
      return {
        ...base,
        action: 'up',
        sources: local.from,
        message: `sync to ${R} refused: ${code.map((c) => c.replace('down', 'up')).join('; ')}. Nothing was changed.`,
      };
    log(
      `sync: ${R} is ahead of the database: applying ${decision.pending.join(', ')} (from ${local.from === 'directory' ? options.runner.dir : `${R}'s source bundle`})`,
    );
    if (options.dryRun)
      return {
        ...base,
        ok: true,
        exitCode: ExitCode.ok,
        action: 'up',
        sources: local.from,
        message: `dry run: would apply ${decision.pending.length} migration(s) of ${R}: ${decision.pending.join(', ')}. Nothing was changed.`,
      };
    const result = await runner.up({ ...options.runner, sources: local.sources, release: R });
    const outcome = fromRun({ ...base, action: 'up', sources: local.from }, result);
    if (!result.ok) return { ...outcome, message: `applying ${R}'s migrations failed: ${result.error}` };
    const recorded = result.verification as { outcome?: string; differences?: string[] } | undefined;
    const proof: SyncProof =
      recorded?.outcome === 'differs'
        ? { matches: false, release: R, differences: recorded.differences ?? [] }
        : recorded?.outcome
          ? { matches: true, release: R }
          : { matches: null, release: R, reason: 'the schema fingerprint could not be recorded' };
    return finishWithProof(
      outcome,
      proof,
      result.applied.length > 0,
      `applied ${result.applied.length} migration(s) of ${R}`,
    );
  }

  // Back: the release that applied the newest migration beyond R has every one of them in its manifest.
  const N = decision.newerRelease;
  log(
    `sync: the database is at ${N} (it applied ${decision.beyond.join(', ')}); ${R} is older: rolling back from ${N}'s source bundle`,
  );
  const withFrom = { ...base, action: 'down' as const, fromRelease: N, sources: 'bundle' as const };
  const stored = await releaseSourcesFromStore(store, N);
  const planned = planRollback({ newer: stored.manifest, older: target, status });
  if (!planned.ok)
    return {
      ...withFrom,
      message: `sync to ${R} refused: ${planned.reasons.join('; ')}. Nothing was changed.`,
    };
  const plan = planned.plan;
  const refusals = codeReverts(
    plan.revert.map((r) => r.name),
    stored.needsImage,
    N,
  );
  // The proof needs R's schema as first migrated: without it, refuse before changing anything.
  const reference = await prove(options.runner, R);
  if (reference.matches === null) refusals.push(`${reference.reason}, so the result could not be proven`);
  if (refusals.length > 0)
    return {
      ...withFrom,
      plan,
      message: `sync to ${R} refused: ${refusals.join('; ')}. Nothing was changed.`,
    };
  if (options.dryRun)
    return {
      ...withFrom,
      plan,
      ok: true,
      exitCode: ExitCode.ok,
      message: `dry run: would revert ${plan.revert.map((r) => r.name).join(', ')} (newest first) with ${N}'s downs from its source bundle. Nothing was changed.`,
    };
  const result = await runner.down({ ...options.runner, plan, sources: stored.sources, release: R });
  const outcome = fromRun({ ...withFrom, plan }, result);
  if (!result.ok) return { ...outcome, message: `reverting ${N}'s migrations failed: ${result.error}` };
  const v = result.verification as SyncProof | { error: string } | undefined;
  const proof: SyncProof =
    v && 'matches' in v
      ? {
          matches: v.matches,
          release: R,
          ...(v.differences ? { differences: v.differences } : {}),
          ...(v.reason ? { reason: v.reason } : {}),
        }
      : { matches: null, release: R, reason: (v as { error?: string } | undefined)?.error ?? 'not verified' };
  return finishWithProof(
    outcome,
    proof,
    result.reverted.length > 0,
    `reverted ${result.reverted.length} migration(s) with ${N}'s downs from its source bundle`,
  );
}

/** R's migrations for a forward sync: this directory when it is exactly R's, else R's source bundle. */
async function targetSources(
  dir: string,
  target: Manifest,
  store: ManifestStore,
): Promise<{ from: 'directory' | 'bundle'; sources: MigrationSource[]; needsImage: string[] }> {
  if (exists(dir)) {
    const { loadMigrations, manifestMigrations } = await import('../migrate/sources.ts');
    const sources = await loadMigrations(dir);
    const problems = bundleMismatches(target.migrations, manifestMigrations(sources), []);
    if (problems.length > 0)
      throw new RefusedError(
        `the migrations directory ${dir} is not release ${target.release}'s; nothing was changed`,
        {
          problems,
          hint: `run sync from ${target.release}'s image, or without a migrations directory (then ${target.release}'s source bundle is used)`,
        },
      );
    return { from: 'directory', sources, needsImage: [] };
  }
  const stored = await releaseSourcesFromStore(store, target.release);
  return { from: 'bundle', sources: stored.sources, needsImage: stored.needsImage };
}

function exists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The live schema against R's fingerprint, on a connection of its own. */
async function prove(opts: RunnerOptions, release: string): Promise<SyncProof> {
  const [{ connect, disconnect }, { verifyReleaseFingerprint }, { systemClock }] = await Promise.all([
    import('../migrate/connect.ts'),
    import('../schema/record.ts'),
    import('../system/clock.ts'),
  ]);
  const client = await connect({
    databaseUrl: opts.databaseUrl ?? (opts.env ?? process.env).DATABASE_URL,
    applicationName: 'stepback sync',
    waitMs: opts.waitMs ?? 0,
    clock: systemClock,
    log: opts.log ?? (() => {}),
  });
  try {
    const v = await verifyReleaseFingerprint(client, { schema: opts.schema ?? 'public', release });
    return v.matches === null
      ? { matches: null, release, reason: v.reason }
      : { matches: v.matches, release, differences: v.differences };
  } finally {
    await disconnect(client);
  }
}

function fromRun(outcome: SyncOutcome, result: RunResult): SyncOutcome {
  return {
    ...outcome,
    ok: result.ok,
    exitCode: result.exitCode,
    applied: result.applied,
    reverted: result.reverted,
    failed: result.failed,
  };
}

/** The outcome with its schema proof: a proof that fails (or cannot be made) fails the sync. */
function finishWithProof(outcome: SyncOutcome, proof: SyncProof, changed: boolean, did: string): SyncOutcome {
  if (proof.matches === true)
    return {
      ...outcome,
      ok: true,
      exitCode: ExitCode.ok,
      proof,
      message: `${did}; schema matches release ${proof.release} as first migrated.`,
    };
  const why =
    proof.matches === false
      ? `the schema differs from release ${proof.release} as first migrated: ${(proof.differences ?? []).join('; ')}`
      : `the schema could not be proven equal to release ${proof.release}'s: ${proof.reason}`;
  return {
    ...outcome,
    ok: false,
    // Nothing changed: a safety check (3). Changes were made and the result is not proven: a failure (1).
    exitCode: changed ? ExitCode.migrationFailed : ExitCode.refused,
    proof,
    message: `${did}, but ${why}.`,
  };
}

/** The outcome before anything is done: refused, nothing applied or reverted, no proof. */
function startOutcome(toRelease: string, dryRun: boolean): SyncOutcome {
  return {
    format: SYNC_FORMAT,
    ok: false,
    exitCode: ExitCode.refused,
    action: null,
    dryRun,
    toRelease,
    fromRelease: null,
    sources: null,
    plan: null,
    applied: [],
    reverted: [],
    failed: null,
    proof: null,
    message: '',
  };
}

export function syncErrorOutcome(
  toRelease: string,
  dryRun: boolean,
  error: unknown,
  text: string,
): SyncOutcome {
  return {
    ...startOutcome(toRelease, dryRun),
    exitCode: error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed,
    message: text,
  };
}
