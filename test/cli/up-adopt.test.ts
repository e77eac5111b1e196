/**
 * `stepback up --adopt` on real PostgreSQL: in one run under the lock, a database golang-migrate migrated is
 * taken over (only while stepback's state tables do not exist) and the new migrations are applied; a later
 * run adopts nothing and says so; a refusal changes nothing at all.
 */
import { describe, expect, it } from 'vitest';
import { toolTables } from '../migrate/adopt/tools.ts';
import { databasesForThisFile, withClient } from '../support/pg.ts';
import { allowSlowProcesses, cliPath, jsonLine, migrationsDir, runCli, writeFiles } from './cli.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();

const golangFiles = {
  '1_users.up.sql': 'create table users (id int primary key);',
  '1_users.down.sql': 'drop table users;',
  '2_posts.up.sql': 'create table posts (id int primary key, user_id int references users (id));',
  '2_posts.down.sql': 'drop table posts;',
  '3_tags.up.sql': 'create table tags (name text primary key);',
  '3_tags.down.sql': 'drop table tags;',
};

/** Every table of `public` with its rows, for "changed nothing". */
const everything = (url: string) =>
  withClient(url, async (c) => {
    const r = await c.query(
      `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const out: Record<string, unknown[]> = {};
    for (const { table_name } of r.rows)
      out[table_name] = (await c.query(`select * from "${table_name}" order by 1`)).rows;
    return out;
  });

/** A database golang-migrate took to version 2 (of 3) in `dir`. */
async function migratedByGolang(label: string, opts: { dirty?: boolean } = {}) {
  const db = await freshDb(label);
  const dir = migrationsDir(golangFiles);
  await withClient(db.url, async (c) => {
    await c.query(golangFiles['1_users.up.sql']);
    await c.query(golangFiles['2_posts.up.sql']);
    await toolTables['golang-migrate'](c, [{ id: '2' } as never], opts);
  });
  const cli = (args: string[]) =>
    runCli(['--dir', dir, 'up', ...args, '--json'], { env: { DATABASE_URL: db.url }, password: db.password });
  return { db, dir, cli };
}

describe('stepback up --adopt', () => {
  it('adopts what golang-migrate applied, then applies the rest in the same run; a second run adopts nothing', async () => {
    const { db, dir, cli } = await migratedByGolang('up_adopt');
    const toolRows = await withClient(db.url, async (c) => (await c.query('table schema_migrations')).rows);

    const run = await cli(['--adopt', '--release', 'v1']);
    expect(run.code, run.stderr).toBe(0);
    const doc = jsonLine(run);
    expect(doc.adoption).toEqual({
      adopted: true,
      from: 'golang-migrate',
      table: '"public"."schema_migrations"',
      release: 'adopted-golang-migrate',
      migrations: ['1_users', '2_posts'],
      reason: null,
    });
    expect(doc.applied.map((a) => a.name)).toEqual(['3_tags']);
    expect(run.stderr).toMatch(
      /adopting 2 migration\(s\) from golang-migrate \("public"\."schema_migrations"\) as release adopted-golang-migrate; 1 left to apply/,
    );
    await withClient(db.url, async (c) => {
      const rows = await c.query('select name, release from stepback_migrations order by applied_order');
      expect(rows.rows).toEqual([
        { name: '1_users', release: 'adopted-golang-migrate' },
        { name: '2_posts', release: 'adopted-golang-migrate' },
        { name: '3_tags', release: 'v1' },
      ]);
      const events = await c.query(`select kind, name, detail from stepback_events order by id`);
      expect(events.rows.map((e) => [e.kind, e.name])).toEqual([
        ['resolve', '2_posts'],
        ['apply', '3_tags'],
      ]);
      expect(events.rows[0].detail).toMatchObject({
        action: 'adopt',
        by: 'up --adopt',
        from: 'golang-migrate',
        count: 2,
      });
      // Both fingerprints: the schema as adopted, and after this release's migration.
      const releases = await c.query(`select distinct release from stepback_fingerprints order by release`);
      expect(releases.rows.map((r) => r.release)).toEqual(['adopted-golang-migrate', 'v1']);
      expect(await c.query(`select to_regclass('tags') as t`)).toMatchObject({ rows: [{ t: 'tags' }] });
      // golang-migrate's table is read, never written.
      expect((await c.query('table schema_migrations')).rows).toEqual(toolRows);
    });

    writeFiles(dir, {
      '4_labels.up.sql': 'create table labels (id int primary key);',
      '4_labels.down.sql': 'drop table labels;',
    });
    const again = await cli(['--adopt', '--release', 'v2']);
    expect(again.code, again.stderr).toBe(0);
    const second = jsonLine(again);
    expect(second.adoption).toMatchObject({ adopted: false, from: null, migrations: [] });
    expect(second.adoption?.reason).toMatch(
      /nothing adopted: stepback's state tables exist already \(3 applied migration\(s\)/,
    );
    expect(second.applied.map((a) => a.name)).toEqual(['4_labels']);
    await withClient(db.url, async (c) => {
      const adopts = await c.query(`select 1 from stepback_events where detail->>'action' = 'adopt'`);
      expect(adopts.rowCount).toBe(1);
    });
  });

  it('`stepback pipeline migrate --adopt` runs the same up --adopt and reports the adoption in its outcome', async () => {
    const { db, dir } = await migratedByGolang('pipe_adopt');
    const run = await runCli(
      [
        'pipeline',
        'migrate',
        '--release',
        'v1',
        '--executor',
        'runner',
        '--runner-command',
        `${process.execPath} ${cliPath}`,
        '--migrations-dir',
        dir,
        '--adopt',
        '--json',
      ],
      { env: { DATABASE_URL: db.url }, password: db.password },
    );
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(doc.outcome.adoption).toMatchObject({ adopted: true, migrations: ['1_users', '2_posts'] });
    expect(doc.outcome.applied.map((a: { name: string }) => a.name)).toEqual(['3_tags']);
    expect(doc.outcome.message).toMatch(/^Adopted 2 migrations from golang-migrate/);
  });

  it('a refusal (a dirty golang-migrate version) exits 3 and leaves the database exactly as it was', async () => {
    const { db, cli } = await migratedByGolang('up_adopt_dirty', { dirty: true });
    const before = await everything(db.url);
    const run = await cli(['--adopt', '--release', 'v1']);
    expect(run.code).toBe(3);
    const doc = jsonLine(run);
    expect(doc.ok).toBe(false);
    expect(doc.applied).toEqual([]);
    expect(doc.error).toMatch(/refusing to adopt from golang-migrate/);
    expect(doc.error).toMatch(/dirty at version 2/);
    // Not even stepback's tables, nor the pending migration's.
    expect(await everything(db.url)).toEqual(before);
  });

  it('a new database (no tables at all) adopts nothing and applies everything', async () => {
    const db = await freshDb('up_adopt_new');
    const dir = migrationsDir(golangFiles);
    const run = await runCli(['--dir', dir, 'up', '--adopt', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(0);
    const doc = jsonLine(run);
    expect(doc.adoption).toMatchObject({ adopted: false, migrations: [] });
    expect(doc.adoption?.reason).toMatch(/schema public has no tables .*a new database/);
    expect(doc.applied.map((a) => a.name)).toEqual(['1_users', '2_posts', '3_tags']);
  });

  it('tables but no tool state table, or --adopt-from a tool not there: exit 2, nothing changed', async () => {
    const db = await freshDb('up_adopt_none');
    await withClient(db.url, (c) => c.query(golangFiles['1_users.up.sql']));
    const dir = migrationsDir(golangFiles);
    const cli = (args: string[]) =>
      runCli(['--dir', dir, 'up', ...args, '--json'], {
        env: { DATABASE_URL: db.url },
        password: db.password,
      });
    const before = await everything(db.url);
    const run = await cli(['--adopt']);
    expect(run.code).toBe(2);
    expect(jsonLine(run).error).toMatch(
      /schema public holds no other tool's state table .* but holds tables/,
    );
    const named = await cli(['--adopt', '--adopt-from', 'goose']);
    expect(named.code).toBe(2);
    expect(jsonLine(named).error).toMatch(/holds no goose's state table/);
    expect(await everything(db.url)).toEqual(before);
  });

  it('bad adopt options are usage errors reported together, before connecting', async () => {
    const run = await runCli(
      ['--dir', migrationsDir(golangFiles), 'up', '--adopt-from', 'liquibase', '--json'],
      {
        env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      },
    );
    expect(run.code).toBe(2);
    const error = jsonLine(run).error;
    expect(error).toMatch(/--adopt-from liquibase: not a tool adopt reads/);
    expect(error).toMatch(/--adopt-from is only read with --adopt/);
  });
});
