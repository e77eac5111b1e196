/**
 * The benchmark's own databases on the admin server: created per run, dropped afterwards, and dropped on exit
 * (even after a failure or Ctrl-C) through `dropAll()`. Names start with `sbbench_<pid>_` so leftovers of a
 * killed run can be recognised and removed by the next one.
 */
import pg from 'pg';

export const adminUrl =
  process.env.STEPBACK_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const live = new Set();
let counter = 0;

export async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function dbUrl(name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createDatabase(label) {
  const name = `sbbench_${process.pid}_${++counter}_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  live.add(name);
  return { name, url: dbUrl(name), drop: () => dropDatabase(name) };
}

export async function dropDatabase(name) {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  live.delete(name);
}

export async function dropAll() {
  for (const name of [...live]) await dropDatabase(name).catch(() => {});
}

/** Drops databases left behind by benchmark processes that no longer exist. */
export async function dropStale() {
  await withAdmin(async (c) => {
    const { rows } = await c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'sbbench\\_%'`);
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[1]);
      if (pid === process.pid || isAlive(pid)) continue;
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function serverVersion() {
  return withAdmin(async (c) => (await c.query('SHOW server_version')).rows[0].server_version);
}

export async function serverSettings() {
  return withAdmin(async (c) => {
    const { rows } = await c.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_level')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  });
}

/**
 * What the generated migrations built (their tables `t0001…`, columns, indexes, rows), ignoring each tool's
 * own state tables: two tools that applied the same history must give the same fingerprint.
 */
export async function fingerprint(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`
      SELECT
        (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$')::int AS tables,
        (SELECT count(*) FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name ~ '^t[0-9]+$')::int AS columns,
        (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$')::int AS indexes`);
    const fp = rows[0];
    let data = 'no data';
    if (fp.tables > 0) {
      // Per table: rows, rows touched by the seed updates, and the sum of every integer column (backfills).
      const { rows: cols } = await client.query(
        `SELECT p.tablename AS t, string_agg(format('coalesce(sum(%I), 0)', c.column_name), ' + ')
                 FILTER (WHERE c.column_name IS NOT NULL) AS ints
           FROM pg_tables p LEFT JOIN information_schema.columns c
             ON c.table_schema = 'public' AND c.table_name = p.tablename AND c.data_type = 'integer'
          WHERE p.schemaname = 'public' AND p.tablename ~ '^t[0-9]+$'
          GROUP BY p.tablename`,
      );
      const { rows: tables } = await client.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$' ORDER BY 1`,
      );
      const ints = new Map(cols.map((c) => [c.t, c.ints]));
      const parts = tables.map(
        ({ tablename: t }) =>
          `SELECT count(*) AS n, count(updated_at) AS u, (${ints.get(t) ?? '0'})::bigint AS s FROM ${t}`,
      );
      const sums = (
        await client.query(
          `SELECT sum(n)::int AS n, sum(u)::int AS u, sum(s)::bigint AS s FROM (${parts.join(' UNION ALL ')}) x`,
        )
      ).rows[0];
      data = `${sums.n} rows (${sums.u} updated, integer sum ${sums.s})`;
    }
    return `${fp.tables} tables, ${fp.columns} columns, ${fp.indexes} indexes, ${data}`;
  } finally {
    await client.end();
  }
}
