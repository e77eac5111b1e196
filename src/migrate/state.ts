/**
 * The state tables: `stepback_migrations`, one row per applied migration, and the
 * append-only `stepback_events`. Statements that change state are built as text with inline literals so
 * they can travel in the same simple-query round trip as the migration itself (execute.ts); batch.ts sends
 * the prepared forms below.
 */
import pg from 'pg';
import { STATE_TABLE } from '../core/state-table.ts';
import type { AppliedMigration } from '../core/status.ts';

export { STATE_TABLE };
export const EVENTS_TABLE = 'stepback_events';

export interface StateNames {
  schema: string;
  /** Quoted, schema-qualified table names. */
  migrations: string;
  events: string;
}

export function stateNames(schema: string): StateNames {
  const s = pg.escapeIdentifier(schema);
  return { schema, migrations: `${s}.${STATE_TABLE}`, events: `${s}.${EVENTS_TABLE}` };
}

/** Creates the schema and tables when missing, without needing CREATE on the database when they exist. */
export function ensureStateSql(names: StateNames): string {
  const schemaLit = pg.escapeLiteral(names.schema);
  const schemaId = pg.escapeIdentifier(names.schema);
  const ddl = `
    create table if not exists ${names.migrations} (
      name text primary key,
      applied_order bigint generated always as identity,
      checksum text not null,
      down_checksum text,
      reversible boolean not null,
      transactional boolean not null,
      release text,
      run_id text,
      actor text,
      runner_version text not null,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      duration_ms integer not null
    );
    create table if not exists ${names.events} (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('apply', 'revert', 'failure', 'resolve')),
      name text,
      release text,
      run_id text,
      actor text,
      runner_version text,
      at timestamptz not null default clock_timestamp(),
      error text,
      detail jsonb
    );`;
  return `do $stepback$ begin
    if not exists (select 1 from pg_namespace where nspname = ${schemaLit}) then
      execute ${pg.escapeLiteral(`create schema ${schemaId}`)};
    end if;
    if to_regclass(${pg.escapeLiteral(names.migrations)}) is null
       or to_regclass(${pg.escapeLiteral(names.events)}) is null then
      execute ${pg.escapeLiteral(ddl)};
    end if;
  end $stepback$`;
}

/** One applied row as readState's query encodes it in its JSON array. */
type StateTuple = [
  name: string,
  checksum: string,
  downChecksum: string | null,
  reversible: boolean,
  transactional: boolean,
  release: string | null,
  runId: string | null,
  actor: string | null,
  runnerVersion: string,
  appliedAt: string,
  durationMs: number,
];

export interface State {
  exists: boolean;
  applied: AppliedMigration[];
}

/**
 * Reads the applied rows in one round trip; a missing table means nothing is applied yet. The server sends
 * them as one JSON array in one row: every command reads them, and for 1,000 applied migrations pg's parsing of
 * 1,000 rows took 10 ms where the same data as one JSON.parse took 5.6 ms. Each row is an array: as objects
 * with keys they cost as much as pg's rows.
 */
export async function readState(client: pg.Client, names: StateNames): Promise<State> {
  let result: pg.QueryResult<{ rows: string }>;
  try {
    result = await client.query<{ rows: string }>(
      `select coalesce(json_agg(json_build_array(name, checksum, down_checksum, reversible, transactional,
                release, run_id, actor, runner_version,
                to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), duration_ms)
              order by applied_order), '[]')::text as rows
         from ${names.migrations}`,
    );
  } catch (error) {
    // 42P01 undefined_table, 3F000 invalid_schema_name
    const code = (error as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return { exists: false, applied: [] };
    throw error;
  }
  const tuples = JSON.parse(result.rows[0]!.rows) as StateTuple[];
  return {
    exists: true,
    // Ordered by applied_order, so a row's position is its order (1-based), however the identity has gaps.
    applied: tuples.map((t, i) => ({
      name: t[0],
      order: i + 1,
      checksum: t[1],
      downChecksum: t[2],
      reversible: t[3],
      transactional: t[4],
      release: t[5],
      runId: t[6],
      actor: t[7],
      runnerVersion: t[8],
      appliedAt: t[9],
      durationMs: t[10],
    })),
  };
}

/** Who and what a change is recorded with. */
export interface Provenance {
  release: string | null;
  runId: string | null;
  actor: string | null;
  runnerVersion: string;
}

const lit = (value: string | null): string => (value === null ? 'null' : pg.escapeLiteral(value));

export interface StateRowValues {
  name: string;
  checksum: string;
  downChecksum: string | null;
  reversible: boolean;
  transactional: boolean;
}

/** Elapsed ms since `startedExpr`, as the integer stored in duration_ms. */
const elapsedMsSql = (startedExpr: string): string =>
  `greatest(0, round(extract(epoch from clock_timestamp() - ${startedExpr}) * 1000))::integer`;

/** The applied rows' insert with each value given as SQL (a literal, or a parameter of a prepared statement). */
function appliedInsert(
  names: StateNames,
  values: string[],
  startedExpr: string,
  more: string[][] = [],
): string {
  const tuple = (v: string[]) =>
    `(${v.join(', ')}, ${startedExpr}, clock_timestamp(), ${elapsedMsSql(startedExpr)})`;
  return `insert into ${names.migrations} (name, checksum, down_checksum, reversible, transactional, release, run_id,
      actor, runner_version, started_at, finished_at, duration_ms)
    values ${[values, ...more].map(tuple).join(',\n      ')}`;
}

/**
 * Insert of the applied row. `startedExpr` is SQL for the start time: `statement_timestamp()` when the row
 * travels in the same query as the migration, `now()` when a transaction was opened just before.
 */
export function insertAppliedSql(
  names: StateNames,
  row: StateRowValues,
  who: Provenance,
  startedExpr: string,
): string {
  return appliedInsert(names, appliedValues(row, who), startedExpr);
}

/**
 * One insert of many applied rows, in order, their values as array parameters (adopt records a whole history
 * at once). As a VALUES list of literals, 1,000 rows took the server 150-280 ms to parse and plan; as arrays,
 * 25-40 ms. Undefined for no rows.
 */
export function insertAppliedRowsQuery(
  names: StateNames,
  rows: readonly StateRowValues[],
  who: Provenance,
  startedExpr: string,
): { text: string; values: unknown[] } | undefined {
  if (rows.length === 0) return undefined;
  const column = <K extends keyof StateRowValues>(key: K) => rows.map((row) => row[key]);
  const values = [
    column('name'),
    column('checksum'),
    column('downChecksum'),
    column('reversible'),
    column('transactional'),
    who.release,
    who.runId,
    who.actor,
    who.runnerVersion,
  ];
  const text = `insert into ${names.migrations} (name, checksum, down_checksum, reversible, transactional, release,
      run_id, actor, runner_version, started_at, finished_at, duration_ms)
    select r.name, r.checksum, r.down_checksum, r.reversible, r.transactional, $6::text, $7::text, $8::text,
      $9::text, ${startedExpr}, clock_timestamp(), ${elapsedMsSql(startedExpr)}
    from unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::boolean[])
      with ordinality as r(name, checksum, down_checksum, reversible, transactional, n)
    order by r.n`;
  return { text, values };
}

/** The literal values of the applied row, in appliedInsert's column order (name … runner_version). */
export function appliedValues(row: StateRowValues, who: Provenance): string[] {
  return [
    lit(row.name),
    lit(row.checksum),
    lit(row.downChecksum),
    String(row.reversible),
    String(row.transactional),
    lit(who.release),
    lit(who.runId),
    lit(who.actor),
    lit(who.runnerVersion),
  ];
}

/**
 * The same state changes as prepared statements, for a session that records many steps (batch.ts): planned
 * once instead of parsed and planned per migration, which halves what recording costs the server. Each
 * writes the state row and its event in one statement (a data-modifying CTE: one statement fewer per
 * migration than a separate event insert, about 5 µs of the server's time per migration).
 *   stepback_applied(name … runner_version, like appliedValues): returns the step's name and duration as
 *     `stepback_step`, `stepback_ms`
 *   stepback_reverted(name, release, run_id, actor, runner_version, like revertedValues): returns the step's
 *     name and when it ended, in ms since its message arrived (statement_timestamp(), the same for every
 *     statement of a message), as `stepback_step`, `stepback_at`
 * `startedExpr` is the step's start; the revert evaluates it too, as the check that the step's transaction is
 * still the one its segment opened (batch.ts). (Column names no migration's own output would use.)
 */
export function prepareStateSql(names: StateNames, startedExpr: string): string {
  const params = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`);
  // The event's release, run_id, actor and runner_version are the parameters from $first on.
  const event = (kind: EventKind, first: number) =>
    `insert into ${names.events} (kind, name, release, run_id, actor, runner_version)
       select ${lit(kind)}, name, $${first}, $${first + 1}, $${first + 2}, $${first + 3} from changed`;
  return `PREPARE stepback_applied(text, text, text, boolean, boolean, text, text, text, text) AS
    with changed as (${appliedInsert(names, params(9), startedExpr)} returning name, duration_ms),
      event as (${event('apply', 6)})
    select name AS stepback_step, duration_ms AS stepback_ms from changed;
  PREPARE stepback_reverted(text, text, text, text, text) AS
    with changed as (delete from ${names.migrations} where name = $1 and (${startedExpr}) is not null returning name),
      event as (${event('revert', 2)})
    select name AS stepback_step,
      (extract(epoch from clock_timestamp() - statement_timestamp()) * 1000)::float8 AS stepback_at
    from changed`;
}

/** The literal arguments of `EXECUTE stepback_reverted(…)`. */
export function revertedValues(name: string, who: Provenance): string[] {
  return [lit(name), lit(who.release), lit(who.runId), lit(who.actor), lit(who.runnerVersion)];
}

export function deleteAppliedSql(names: StateNames, name: string): string {
  return `delete from ${names.migrations} where name = ${lit(name)}`;
}

export type EventKind = 'apply' | 'revert' | 'failure' | 'resolve';

export function insertEventSql(
  names: StateNames,
  kind: EventKind,
  name: string | null,
  who: Provenance,
  extra: { error?: string | null; detail?: Record<string, unknown> | null } = {},
): string {
  const detail = extra.detail ? `${pg.escapeLiteral(JSON.stringify(extra.detail))}::jsonb` : 'null';
  return `insert into ${names.events} (kind, name, release, run_id, actor, runner_version, error, detail)
    values (${lit(kind)}, ${lit(name)}, ${lit(who.release)}, ${lit(who.runId)}, ${lit(who.actor)},
      ${lit(who.runnerVersion)}, ${lit(extra.error ?? null)}, ${detail})`;
}
