/**
 * `stepback adopt`: take over a database another tool has been migrating. Reads that tool's state table
 * (never writes it), matches it against the directory, and records the migrations it applied in stepback's
 * state, with one event saying from which tool, by whom and when; runs no migration. Refuses (exit 3,
 * nothing recorded) whenever the other tool's state cannot be taken over as it is (core/adopt.ts). Records
 * the schema's fingerprint under the adoption's release, so the first rollback past it can be verified.
 */
import { type AdoptDecision, type AdoptSource, decideAdoption } from '../../core/adopt.ts';
import { describeError, ExitCode, RefusedError, StepbackError, UsageError } from '../../core/errors.ts';
import { passwordOf, redactSecrets } from '../../core/redact.ts';
import { rollbackQuietly } from '../execute.ts';
import { type RunnerOptions, type Session, settings, withSession } from '../runner.ts';
import { ensureStateSql, insertAppliedRowsSql, insertEventSql } from '../state.ts';
import { type FoundTable, findStateTables, isToolName, TOOL_NAMES } from './registry.ts';
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

export async function adopt(opts: AdoptOptions): Promise<AdoptResult> {
  const s = settings(opts);
  const result: AdoptResult = {
    format: ADOPT_FORMAT,
    ok: true,
    exitCode: ExitCode.ok,
    dryRun: Boolean(opts.dryRun),
    from: null,
    table: null,
    release: null,
    adopted: [],
    pending: [],
    fingerprint: null,
    error: null,
  };
  try {
    checkOptions(opts);
    await withSession('adopt', opts, s, async (session) => {
      requireNoStepbackState(session);
      const found = opts.to === undefined ? await chooseTable(session, opts.from) : undefined;
      const adopted = found ? await fromTable(session, found) : upTo(session, opts.to!);
      result.from = found?.reader.tool ?? null;
      result.table = found?.qualified ?? null;
      result.release = s.release ?? `adopted-${found?.reader.tool ?? 'manual'}`;
      result.adopted = adopted;
      result.pending = session.sources.slice(adopted.length).map((m) => m.name);
      const origin = found ? `${found.reader.tool} (${found.qualified})` : `--to ${opts.to}`;
      session.log(
        `${opts.dryRun ? 'would adopt' : 'adopting'} ${adopted.length} migration(s) from ${origin} as release ${result.release}; ${result.pending.length} left for up`,
      );
      for (const name of adopted) session.log(`${opts.dryRun ? 'would adopt' : 'adopted'}  ${name}`);
      if (opts.dryRun) return;
      await record(session, adopted, { tool: result.from, table: result.table, release: result.release });
      result.fingerprint = await fingerprint(session, result.release);
    });
  } catch (error) {
    result.ok = false;
    result.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
    result.error = redactSecrets(describeError(error), [passwordOf(s.databaseUrl)]);
  }
  return result;
}

function checkOptions(opts: AdoptOptions): void {
  const problems: string[] = [];
  if (opts.from !== undefined && !isToolName(opts.from))
    problems.push(`--from ${opts.from}: not a tool adopt reads (${TOOL_NAMES.join(', ')})`);
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

/** The state table to read: the one named by --from, or the only one found. */
async function chooseTable(s: Session, from: string | undefined): Promise<FoundTable> {
  const found = await findStateTables(s.client, s.schema);
  const looked = `looked in schema ${s.schema} for ${TOOL_NAMES.join(', ')}`;
  if (from !== undefined) {
    const match = found.find((f) => f.reader.tool === from);
    if (!match)
      throw new UsageError(`adopt --from ${from}: no ${from} state table in schema ${s.schema}`, {
        hint: found.length
          ? `found ${found.map((f) => `${f.reader.tool} (${f.qualified})`).join(', ')}`
          : 'pass --schema if the tool keeps its table elsewhere, or --to NAME to adopt without one',
      });
    return match;
  }
  if (found.length === 0)
    throw new UsageError(`adopt: no other tool's state table found (${looked})`, {
      hint: 'pass --from TOOL and --schema where its table is, or --to NAME to record the migrations up to NAME as applied',
    });
  if (found.length > 1)
    throw new UsageError(
      `adopt: found the state tables of ${found.map((f) => `${f.reader.tool} (${f.qualified})`).join(' and ')}`,
      { hint: 'pass --from TOOL to say which tool migrated this database' },
    );
  return found[0]!;
}

async function fromTable(s: Session, found: FoundTable): Promise<string[]> {
  const state = await found.reader.read(s.client, found.qualified);
  const sources: AdoptSource[] = s.sources.map((m) => {
    const toolChecksum = found.reader.toolChecksum?.(m);
    return { name: m.name, id: m.id, ...(toolChecksum !== undefined ? { toolChecksum } : {}) };
  });
  const decision: AdoptDecision = decideAdoption(state, sources, found.reader);
  if (!decision.ok)
    throw new RefusedError(
      `refusing to adopt from ${found.reader.tool} (${found.qualified}); nothing was recorded`,
      {
        problems: decision.problems,
        hint: `adopt records exactly what ${found.reader.tool} applied: repair what is listed with ${found.reader.tool}, or check that --dir holds the files that migrated this database`,
      },
    );
  return decision.adopt;
}

function upTo(s: Session, to: string): string[] {
  const at = s.sources.findIndex((m) => m.name === to);
  if (at === -1) throw new UsageError(`adopt --to ${to}: no such migration in the directory`);
  return s.sources.slice(0, at + 1).map((m) => m.name);
}

/** The rows and the event in one transaction: all recorded, or none. */
async function record(
  s: Session,
  names: readonly string[],
  origin: { tool: ToolName | null; table: string | null; release: string },
): Promise<void> {
  const who = { ...s.who, release: origin.release };
  const rows = insertAppliedRowsSql(
    s.names,
    names.map((name) => s.bySource.get(name)!),
    who,
    'now()',
  );
  const event = insertEventSql(s.names, 'resolve', names.at(-1) ?? null, who, {
    detail: {
      action: 'adopt',
      from: origin.tool ?? 'manual',
      table: origin.table,
      count: names.length,
      migrations: names,
    },
  });
  try {
    await s.client.query(
      `BEGIN;\n${ensureStateSql(s.names)};\n${[rows, event].filter(Boolean).join(';\n')};\nCOMMIT`,
    );
  } catch (error) {
    await rollbackQuietly(s.client);
    throw error;
  }
}

async function fingerprint(s: Session, release: string): Promise<AdoptResult['fingerprint']> {
  try {
    const { recordReleaseFingerprint } = await import('../../schema/record.ts');
    const recorded = await recordReleaseFingerprint(s.client, { schema: s.schema, release });
    s.log(`schema fingerprint recorded for release ${release} (${recorded.outcome})`);
    return { digest: recorded.digest, outcome: recorded.outcome };
  } catch (error) {
    s.log(`warning: could not record the schema fingerprint: ${(error as Error).message}`);
    return { error: (error as Error).message };
  }
}
