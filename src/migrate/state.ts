/**
 * The state tables (DESIGN.md §3): `stepback_migrations`, one row per applied migration, and the
 * append-only `stepback_events`. Statements that change state are built as text with inline literals so
 * they can travel in the same simple-query round trip as the migration itself (see apply.ts).
 */
import pg from 'pg';
import type { AppliedMigration } from '../core/status.ts';

export const STATE_TABLE = 'stepback_migrations';
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

interface StateRow {
  name: string;
  order: string;
  checksum: string;
  down_checksum: string | null;
  reversible: boolean;
  transactional: boolean;
  release: string | null;
  run_id: string | null;
  actor: string | null;
  runner_version: string;
  started_at: Date;
  duration_ms: number;
}

export interface State {
  exists: boolean;
  applied: AppliedMigration[];
}

/** Reads the applied rows in one round trip; a missing table means nothing is applied yet. */
export async function readState(client: pg.Client, names: StateNames): Promise<State> {
  let result: pg.QueryResult<StateRow>;
  try {
    result = await client.query<StateRow>(
      `select name, row_number() over (order by applied_order) as "order", checksum, down_checksum, reversible,
              transactional, release, run_id, actor, runner_version, started_at, duration_ms
         from ${names.migrations} order by applied_order`,
    );
  } catch (error) {
    // 42P01 undefined_table, 3F000 invalid_schema_name
    const code = (error as { code?: string }).code;
    if (code === '42P01' || code === '3F000') return { exists: false, applied: [] };
    throw error;
  }
  return {
    exists: true,
    applied: result.rows.map((r) => ({
      name: r.name,
      order: Number(r.order),
      checksum: r.checksum,
      downChecksum: r.down_checksum,
      reversible: r.reversible,
      transactional: r.transactional,
      release: r.release,
      runId: r.run_id,
      actor: r.actor,
      runnerVersion: r.runner_version,
      appliedAt: r.started_at.toISOString(),
      durationMs: r.duration_ms,
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
  return `insert into ${names.migrations} (name, checksum, down_checksum, reversible, transactional, release, run_id,
      actor, runner_version, started_at, finished_at, duration_ms)
    values (${lit(row.name)}, ${lit(row.checksum)}, ${lit(row.downChecksum)}, ${row.reversible}, ${row.transactional},
      ${lit(who.release)}, ${lit(who.runId)}, ${lit(who.actor)}, ${lit(who.runnerVersion)}, ${startedExpr},
      clock_timestamp(), greatest(0, round(extract(epoch from clock_timestamp() - ${startedExpr}) * 1000))::integer)`;
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
