/**
 * The state tables adopt can read, and which of them a database has. golang-migrate, migratus and dbmate
 * all name theirs `schema_migrations`; the columns tell them apart (checked in this order: dbmate's single
 * `version` column is also in golang-migrate's table).
 */
import pg from 'pg';
import { dbmateState } from './dbmate.ts';
import { dieselState } from './diesel.ts';
import { flywayState } from './flyway.ts';
import { golangMigrate } from './golang-migrate.ts';
import { gooseState } from './goose.ts';
import { migratusState } from './migratus.ts';
import { nodePgMigrateState } from './node-pg-migrate.ts';
import { isToolName, TOOL_NAMES } from './tools.ts';
import type { StateReader } from './types.ts';

export { isToolName, TOOL_NAMES };

export const STATE_READERS: readonly StateReader[] = [
  golangMigrate,
  migratusState,
  dbmateState,
  gooseState,
  flywayState,
  dieselState,
  nodePgMigrateState,
];

export interface FoundTable {
  reader: StateReader;
  /** Quoted, schema-qualified. */
  qualified: string;
}

/** Every tool whose state table is in `schema` (at most one per table name). */
export async function findStateTables(client: pg.ClientBase, schema: string): Promise<FoundTable[]> {
  const tables = [...new Set(STATE_READERS.map((r) => r.table))];
  const { rows } = await client.query<{ table_name: string; columns: string[] }>(
    `select table_name, array_agg(column_name::text) as columns from information_schema.columns
     where table_schema = $1 and table_name = any($2) group by table_name`,
    [schema, tables],
  );
  const found: FoundTable[] = [];
  for (const row of rows) {
    const columns = new Set(row.columns);
    const reader = STATE_READERS.find(
      (r) => r.table === row.table_name && r.columns.every((c) => columns.has(c)),
    );
    if (reader)
      found.push({
        reader,
        qualified: `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(row.table_name)}`,
      });
  }
  return found.sort((a, b) => STATE_READERS.indexOf(a.reader) - STATE_READERS.indexOf(b.reader));
}
