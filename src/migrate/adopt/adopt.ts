/**
 * `stepback adopt`: take over a database another tool has been migrating. Reads that tool's state table
 * (never writes it), matches it against the directory, and records the migrations it applied in stepback's
 * state, with one event saying from which tool, by whom and when; runs no migration. Refuses (exit 3,
 * nothing recorded) whenever the other tool's state cannot be taken over as it is (core/adopt.ts). Records
 * the schema's fingerprint under the adoption's release, so the first rollback past it can be verified.
 * The reading and recording are take-over.ts's, shared with `stepback up --adopt`.
 */
import { describeError, ExitCode, RefusedError, StepbackError, UsageError } from '../../core/errors.ts';
import { passwordOf, redactSecrets } from '../../core/redact.ts';
import { type RunnerOptions, type Session, settings, withSession } from '../runner.ts';
import { originOf, planAdoption, recordAdoption, recordAdoptionFingerprint } from './take-over.ts';
import { toolProblems } from './tools.ts';
import type { ToolName } from './types.ts';

export const ADOPT_FORMAT = 'stepback/adopt@1';

export interface AdoptOptions extends RunnerOptions {
  /** The tool whose state table to read; default: the one found. */
  from?: string;
  /** No state table to read: adopt the directory's migrations up to and including NAME. */
  to?: string;
  dryRun?: boolean;
}

export interface AdoptResult {
  format: typeof ADOPT_FORMAT;
  ok: boolean;
  exitCode: ExitCode;
  dryRun: boolean;
  /** The tool adopted from; null with --to. */
  from: ToolName | null;
  table: string | null;
  /** The release the adopted rows and the schema fingerprint are recorded under. */
  release: string | null;
  /** Recorded as applied (with --dry-run: would be), in order. */
  adopted: string[];
  /** The directory's migrations left for `up`. */
  pending: string[];
  fingerprint: { digest: string; outcome: string } | { error: string } | null;
  error: string | null;
}

/** The result before anything is read: ok, nothing adopted. */
function startResult(dryRun: boolean): AdoptResult {
  return {
    format: ADOPT_FORMAT,
    ok: true,
    exitCode: ExitCode.ok,
    dryRun,
    from: null,
    table: null,
    release: null,
    adopted: [],
    pending: [],
    fingerprint: null,
    error: null,
  };
}

/** The result of an adopt that threw before it could report (its options could not even be read). */
export function adoptErrorResult(dryRun: boolean, error: unknown): AdoptResult {
  return {
    ...startResult(dryRun),
    ok: false,
    exitCode: error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed,
    error: describeError(error),
  };
}

export async function adopt(opts: AdoptOptions): Promise<AdoptResult> {
  const s = settings(opts);
  const result = startResult(Boolean(opts.dryRun));
  try {
    checkOptions(opts);
    await withSession('adopt', opts, s, async (session) => {
      requireNoStepbackState(session);
      const adoption = await planAdoption(session, {
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.to !== undefined ? { to: opts.to } : {}),
        release: s.release,
      });
      Object.assign(result, {
        from: adoption.from,
        table: adoption.table,
        release: adoption.release,
        adopted: adoption.adopted,
        pending: adoption.pending,
      });
      session.log(
        `${opts.dryRun ? 'would adopt' : 'adopting'} ${adoption.adopted.length} migration(s) from ${originOf(adoption, opts.to)} as release ${adoption.release}; ${adoption.pending.length} left for up`,
      );
      // One line per migration, written at once: a history of thousands is one write, not thousands.
      if (adoption.adopted.length > 0)
        session.log(
          adoption.adopted.map((name) => `${opts.dryRun ? 'would adopt' : 'adopted'}  ${name}`).join('\n'),
        );
      if (opts.dryRun) return;
      await recordAdoption(session, adoption, 'adopt');
      result.fingerprint = await recordAdoptionFingerprint(session, adoption.release);
    });
  } catch (error) {
    result.ok = false;
    result.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
    result.error = redactSecrets(describeError(error), [passwordOf(s.databaseUrl)]);
  }
  return result;
}

function checkOptions(opts: AdoptOptions): void {
  const problems = toolProblems('--from', opts.from);
  if (opts.from !== undefined && opts.to !== undefined)
    problems.push(
      '--from and --to exclude each other: --to is for a database without another tool’s state table',
    );
  if (problems.length > 0) throw new UsageError('adopt: bad options', { problems });
}

/** Adoption starts stepback's history; on top of one it would rewrite it. */
function requireNoStepbackState(s: Session): void {
  if (s.state.applied.length === 0) return;
  throw new RefusedError(
    `refusing to adopt: stepback already records ${s.state.applied.length} applied migration(s) in ${s.names.migrations}; nothing was changed`,
    {
      hint: 'adopt is for a database stepback has not migrated yet; use `stepback status` and `stepback up` here',
    },
  );
}
