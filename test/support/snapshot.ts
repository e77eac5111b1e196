/**
 * A comparable picture of a database, for "nothing changed" and "back to the same schema" assertions:
 * every user table's columns, constraints and indexes, each user table's row count, and (optionally) the
 * stepback state: applied rows and the number of events.
 */
import { withClient } from './pg.ts';

export interface SnapshotOptions {
  /** Include stepback_migrations rows and the stepback_events count (default true). */
  state?: boolean;
  /** Schema holding the stepback tables (default public). */
  stateSchema?: string;
}

const SYSTEM = `('pg_catalog', 'information_schema', 'pg_toast')`;

export async function snapshot(url: string, options: SnapshotOptions = {}): Promise<Record<string, unknown>> {
  const withState = options.state ?? true;
  const stateSchema = options.stateSchema ?? 'public';
  return withClient(url, async (client) => {
    const isStateTable = (schema: string, table: string) =>
      table.startsWith('stepback_') && schema === stateSchema;
    const schemas = (
      await client.query(`select nspname from pg_namespace where nspname not in ${SYSTEM}
         and nspname not like 'pg_temp%' and nspname not like 'pg_toast_temp%' order by 1`)
    ).rows.map((r) => r.nspname as string);
    const columns = (
      await client.query(`select table_schema, table_name, column_name, data_type, is_nullable, column_default
         from information_schema.columns where table_schema not in ${SYSTEM}
         order by table_schema, table_name, ordinal_position`)
    ).rows.filter((r) => withState || !isStateTable(r.table_schema, r.table_name));
    const constraints = (
      await client.query(`select n.nspname, c.conrelid::regclass::text as rel, c.conname, pg_get_constraintdef(c.oid) as def
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
         where n.nspname not in ${SYSTEM} order by 1, 2, 3`)
    ).rows.filter((r) => withState || !String(r.rel).includes('stepback_'));
    const indexes = (
      await client.query(`select schemaname, tablename, indexname, indexdef from pg_indexes
         where schemaname not in ${SYSTEM} order by 1, 2, 3`)
    ).rows.filter((r) => withState || !isStateTable(r.schemaname, r.tablename));
    const tables = (
      await client.query(`select table_schema, table_name from information_schema.tables
         where table_schema not in ${SYSTEM} and table_type = 'BASE TABLE' order by 1, 2`)
    ).rows as { table_schema: string; table_name: string }[];
    const rowCounts: Record<string, number> = {};
    for (const t of tables) {
      if (isStateTable(t.table_schema, t.table_name) || t.table_name === 'stepback_fingerprints') continue;
      const q = `select count(*)::int as n from "${t.table_schema}"."${t.table_name}"`;
      rowCounts[`${t.table_schema}.${t.table_name}`] = (await client.query(q)).rows[0].n;
    }
    const result: Record<string, unknown> = { schemas, columns, constraints, indexes, rowCounts };
    if (withState) {
      const exists = (
        await client.query(`select to_regclass($1) as t`, [`"${stateSchema}".stepback_migrations`])
      ).rows[0].t;
      result.applied = exists
        ? (
            await client.query(
              `select name, checksum, down_checksum, release from "${stateSchema}".stepback_migrations order by applied_order`,
            )
          ).rows
        : null;
      result.events = exists
        ? (await client.query(`select count(*)::int as n from "${stateSchema}".stepback_events`)).rows[0].n
        : null;
    }
    return result;
  });
}
