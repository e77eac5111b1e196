/**
 * Fixture rows for the data check: a SQL file of rows loaded before a migration's up, so that a down which
 * loses or corrupts data shows up, not only one that breaks the schema.
 *
 * Where the rows file is found, first match wins:
 * 1. a `-- stepback:rehearse-with <file>` directive in the up file's leading comment lines (path relative
 *    to the up file's folder);
 * 2. the fixture folder convention: `<migrations dir>/.rehearse/<name>.sql` (a dot folder, so the runner's
 *    directory scan ignores it), or `<name>/rehearse.sql` inside a folder-layout migration.
 *
 * After up + down, every table that existed before the up is compared row by row (rows as jsonb, so a
 * column that moved to the end does not count as a change).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import pg from 'pg';
import { STEPBACK_TABLES } from '../schema/fingerprint.ts';

const DIRECTIVE = /--\s*stepback:rehearse-with\s+(\S+)/i;

/** The directive's file, from the up SQL's leading comment/blank lines (first 20 lines at most). */
export function rehearseWithDirective(upSql: string): string | null {
  for (const line of upSql.split(/\r?\n/).slice(0, 20)) {
    const trimmed = line.trim();
    const match = DIRECTIVE.exec(trimmed);
    if (match?.[1]) return match[1];
    if (trimmed !== '' && !trimmed.startsWith('--')) return null;
  }
  return null;
}

export interface FixtureRef {
  /** Absolute path. */
  path: string;
  /** Relative to the migrations directory, for the report. */
  display: string;
}

export interface FixtureSource {
  name: string;
  layout: string;
  upPath: string;
  upSql?: string;
}

/** The rows file for a migration, or null when it has none. A directive naming a missing file is an error. */
export function findFixture(dir: string, m: FixtureSource): FixtureRef | { error: string } | null {
  const named = m.upSql !== undefined ? rehearseWithDirective(m.upSql) : null;
  const ref = (path: string): FixtureRef => ({ path, display: relative(dir, path) || path });
  if (named) {
    const path = resolve(dirname(m.upPath), named);
    if (!existsSync(path))
      return {
        error: `stepback:rehearse-with names ${named}, which does not exist (looked at ${relative(dir, path)})`,
      };
    return ref(path);
  }
  const candidates = [join(dir, '.rehearse', `${m.name}.sql`)];
  if (m.layout === 'sql-folder') candidates.push(join(dir, m.name, 'rehearse.sql'));
  for (const path of candidates) if (existsSync(path)) return ref(path);
  return null;
}

export function readFixture(ref: FixtureRef): string {
  return readFileSync(ref.path, 'utf8');
}

/** Rows of one table, as sorted jsonb text. */
export type TableRows = string[];
export type DataSnapshot = Map<string, TableRows>;

/** Most rows a fixture check reads per table; fixtures are meant to be small. */
const MAX_ROWS = 10_000;

/** Every user table's rows (stepback's own excluded), keyed by `schema.table`. */
export async function snapshotRows(client: pg.ClientBase): Promise<DataSnapshot> {
  const { rows: tables } = await client.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r','p') and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
       and not c.relispartition and c.relname <> all($1::text[])
     order by 1, 2`,
    [[...STEPBACK_TABLES]],
  );
  const snapshot: DataSnapshot = new Map();
  for (const t of tables) {
    const qualified = `${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)}`;
    const { rows } = await client.query<{ r: string }>(
      `select to_jsonb(t)::text as r from ${qualified} t limit ${MAX_ROWS + 1}`,
    );
    snapshot.set(`${t.schema}.${t.name}`, rows.map((r) => r.r).sort());
  }
  return snapshot;
}

function display(name: string): string {
  return name.startsWith('public.') ? name.slice(7) : name;
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

/**
 * Readable differences between the rows before the up and after the down, for the tables that existed
 * before (pure). Rows are compared as multisets.
 */
export function diffRows(before: DataSnapshot, after: DataSnapshot): string[] {
  const out: string[] = [];
  for (const [table, rowsBefore] of before) {
    const rowsAfter = after.get(table);
    if (!rowsAfter) {
      if (rowsBefore.length > 0)
        out.push(`table ${display(table)}: gone with its ${rowsBefore.length} row(s)`);
      continue;
    }
    const counts = new Map<string, number>();
    for (const r of rowsAfter) counts.set(r, (counts.get(r) ?? 0) + 1);
    const lost: string[] = [];
    for (const r of rowsBefore) {
      const n = counts.get(r) ?? 0;
      if (n > 0) counts.set(r, n - 1);
      else lost.push(r);
    }
    const added = [...counts].flatMap(([r, n]) => Array<string>(n).fill(r));
    if (lost.length === 0 && added.length === 0) continue;
    const parts: string[] = [];
    if (lost.length > 0) parts.push(`${lost.length} row(s) lost or changed, e.g. ${shorten(lost[0] ?? '')}`);
    if (added.length > 0)
      parts.push(`${added.length} row(s) new or changed, e.g. ${shorten(added[0] ?? '')}`);
    out.push(`table ${display(table)}: ${parts.join('; ')}`);
  }
  return out;
}
