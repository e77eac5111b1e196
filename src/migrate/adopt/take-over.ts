/**
 * Taking over another tool's history inside a session that already holds stepback's lock: which table to
 * read, what it says was applied (decided in core/adopt.ts), and recording that as stepback's state with one
 * event. Shared by `stepback adopt` (adopt.ts) and `stepback up --adopt` (runner.ts), so both read, refuse
 * and record the same way. Reads the other tool's table and never writes it.
 */
import { type AdoptSource, decideAdoption } from '../../core/adopt.ts';
import { RefusedError, UsageError } from '../../core/errors.ts';
import type { RunAdoption } from '../../core/run-result.ts';
import { rollbackQuietly, type StepSession } from '../execute.ts';
import { ensureStateSql, insertAppliedRowsQuery, insertEventSql, readState, type State } from '../state.ts';
import type { MigrationSource } from '../types.ts';
import { type FoundTable, findStateTables } from './registry.ts';
import { TOOL_NAMES, type ToolName } from './tools.ts';

/** What adoption needs of a runner session (runner.ts `Session` is one). */
export interface AdoptSession extends StepSession {
  schema: string;
  sources: MigrationSource[];
  bySource: Map<string, MigrationSource>;
  state: State;
}

/** What is to be recorded: the tool's table it came from, and the directory's migrations it applied. */
export interface Adoption {
  /** Null with --to (no table read). */
  from: ToolName | null;
  table: string | null;
  /** The release the adopted rows and the schema fingerprint are recorded under. */
  release: string;
  adopted: string[];
  /** The directory's migrations left for `up`. */
  pending: string[];
}

/** The release adopted rows are recorded under when none is named. */
export const adoptedRelease = (tool: ToolName | null): string => `adopted-${tool ?? 'manual'}`;

/**
 * What to adopt: from the tool's table (the one named by `from`, or the only one found), or with `to` the
 * directory's migrations up to NAME. Throws the refusal (exit 3) or usage error (exit 2) that stops before
 * anything is recorded.
 */
export async function planAdoption(
  s: AdoptSession,
  opts: {
    from?: string;
    to?: string;
    release?: string | null;
    found?: FoundTable[];
    /** The option that names the tool, for messages (`--from`, `--adopt-from`). */
    fromOption?: string;
  },
): Promise<Adoption> {
  const found =
    opts.to === undefined
      ? chooseTable(s, opts.from, opts.found ?? (await tablesIn(s)), opts.fromOption ?? '--from')
      : undefined;
  const adopted = found ? await fromTable(s, found) : upTo(s, opts.to!);
  const from = found?.reader.tool ?? null;
  return {
    from,
    table: found?.qualified ?? null,
    release: opts.release ?? adoptedRelease(from),
    adopted,
    pending: s.sources.slice(adopted.length).map((m) => m.name),
  };
}

/** Every other tool's state table in the session's schema. */
export function tablesIn(s: AdoptSession): Promise<FoundTable[]> {
  return findStateTables(s.client, s.schema);
}

/** Whether the schema holds any table or view at all (then a database without a tool's table is not new). */
export async function schemaHasRelations(s: AdoptSession): Promise<boolean> {
  const { rows } = await s.client.query<{ found: boolean }>(
    `select exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')) as found`,
    [s.schema],
  );
  return rows[0]!.found;
}

/** The state table to read: the one named by `from`, or the only one found. */
function chooseTable(
  s: AdoptSession,
  from: string | undefined,
  found: FoundTable[],
  fromOption: string,
): FoundTable {
  const looked = `looked in schema ${s.schema} for ${TOOL_NAMES.join(', ')}`;
  if (from !== undefined) {
    const match = found.find((f) => f.reader.tool === from);
    if (!match)
      throw new UsageError(`adopt ${fromOption} ${from}: no ${from} state table in schema ${s.schema}`, {
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
      { hint: `pass ${fromOption} TOOL to say which tool migrated this database` },
    );
  return found[0]!;
}

async function fromTable(s: AdoptSession, found: FoundTable): Promise<string[]> {
  const state = await found.reader.read(s.client, found.qualified);
  const sources: AdoptSource[] = s.sources.map((m) => {
    const toolChecksum = found.reader.toolChecksum?.(m);
    // A tool that records names is matched by name: the id alone would accept a renamed file.
    const id = found.reader.recordsName ? m.name : m.id;
    return { name: m.name, id, ...(toolChecksum !== undefined ? { toolChecksum } : {}) };
  });
  const decision = decideAdoption(state, sources, found.reader);
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

function upTo(s: AdoptSession, to: string): string[] {
  const at = s.sources.findIndex((m) => m.name === to);
  if (at === -1) throw new UsageError(`adopt --to ${to}: no such migration in the directory`);
  return s.sources.slice(0, at + 1).map((m) => m.name);
}

/**
 * The rows and the event in one transaction: all recorded, or none. `by` says which command adopted, in the
 * event's detail. Three round trips: the rows travel as array parameters (state.ts insertAppliedRowsQuery).
 */
export async function recordAdoption(s: AdoptSession, adoption: Adoption, by: string): Promise<void> {
  const who = { ...s.who, release: adoption.release };
  const rows = insertAppliedRowsQuery(
    s.names,
    adoption.adopted.map((name) => s.bySource.get(name)!),
    who,
    'now()',
  );
  const event = insertEventSql(s.names, 'resolve', adoption.adopted.at(-1) ?? null, who, {
    detail: {
      action: 'adopt',
      by,
      from: adoption.from ?? 'manual',
      table: adoption.table,
      count: adoption.adopted.length,
      migrations: adoption.adopted,
    },
  });
  try {
    await s.client.query(`BEGIN;\n${ensureStateSql(s.names)}`);
    if (rows) await s.client.query(rows);
    await s.client.query(`${event};\nCOMMIT`);
  } catch (error) {
    await rollbackQuietly(s.client);
    throw error;
  }
}

/** The schema's fingerprint under the adoption's release; a failure is a warning, never the adoption's. */
export async function recordAdoptionFingerprint(
  s: AdoptSession,
  release: string,
): Promise<{ digest: string; outcome: string } | { error: string }> {
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

/** `golang-migrate ("public"."schema_migrations")`, or `--to NAME`. */
export function originOf(adoption: Adoption, to?: string): string {
  return adoption.table ? `${adoption.from} (${adoption.table})` : `--to ${to}`;
}

/**
 * `up --adopt`, under up's lock and before it reads what is pending: takes over the other tool's history only
 * when stepback's state tables do not exist yet (its first run on this database), so every later run leaves
 * adoption alone and says so. A schema without any table is a new database: nothing to adopt. Otherwise the
 * same table choice, refusals and record as `stepback adopt`; a refusal throws and up applies nothing.
 * Updates `s.state` to what was recorded.
 */
export async function adoptBeforeUp(s: AdoptSession, from: string | undefined): Promise<RunAdoption> {
  const none = (reason: string): RunAdoption => {
    s.log(`adopt: ${reason}`);
    return { adopted: false, from: null, table: null, release: null, migrations: [], reason };
  };
  if (s.state.exists) {
    const n = s.state.applied.length;
    return none(
      `nothing adopted: stepback's state tables exist already (${n} applied migration(s) recorded in ${s.names.migrations}); adoption happens only before stepback's first run${n === 0 ? '. If an earlier run created them and failed, record what the other tool applied with `stepback adopt`' : ''}`,
    );
  }
  const found = await tablesIn(s);
  if (found.length === 0) {
    if (from === undefined && !(await schemaHasRelations(s)))
      return none(
        `nothing adopted: schema ${s.schema} has no tables and no other tool's state table (a new database)`,
      );
    throw new UsageError(
      `up --adopt: schema ${s.schema} holds no ${from ?? 'other tool'}'s state table (looked for ${from ?? TOOL_NAMES.join(', ')})${from === undefined ? ', but holds tables' : ''}; nothing was changed`,
      {
        hint: 'pass --schema where the tool keeps its table; for a database no tool recorded, run `stepback adopt --to NAME` once, then up without --adopt',
      },
    );
  }
  const adoption = await planAdoption(s, {
    ...(from !== undefined ? { from } : {}),
    found,
    fromOption: '--adopt-from',
  });
  s.log(
    `adopting ${adoption.adopted.length} migration(s) from ${originOf(adoption)} as release ${adoption.release}; ${adoption.pending.length} left to apply`,
  );
  await recordAdoption(s, adoption, 'up --adopt');
  await recordAdoptionFingerprint(s, adoption.release);
  s.state = await readState(s.client, s.names);
  return {
    adopted: true,
    from: adoption.from,
    table: adoption.table,
    release: adoption.release,
    migrations: adoption.adopted,
    reason: null,
  };
}
