/**
 * A migration's own transaction control (BEGIN, COMMIT, ROLLBACK, END, ABORT, …) must never let the state
 * table and the database disagree. SQL files are refused before anything runs (exit 2, file and line); a
 * module is stopped at run time (exit 1, its transaction rolled back); and whatever slips past both is caught
 * before the state row is written, by the check that the transaction is still the one stepback opened.
 * Each `it` below started as a reproduction that passed silently (exit 0, state and database apart).
 */
import { describe, expect, it } from 'vitest';
import { batchedSteps, timedStep } from '../../src/migrate/batch.ts';
import { connect, disconnect } from '../../src/migrate/connect.ts';
import { TransactionControlError, TX_MARK } from '../../src/migrate/execute.ts';
import { loadMigrations } from '../../src/migrate/sources.ts';
import { sqlFileProblems } from '../../src/migrate/sql-text.ts';
import { ensureStateSql, stateNames } from '../../src/migrate/state.ts';
import type { MigrationSource } from '../../src/migrate/types.ts';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url }, password: db.password });

async function recorded(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const exists = await c.query(`select to_regclass('stepback_migrations') is not null as ok`);
    if (!exists.rows[0].ok) return [];
    return (await c.query('select name from stepback_migrations order by applied_order')).rows.map(
      (r) => r.name,
    );
  });
}

async function tablesNamed(db: TestDatabase, names: string[]): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query(
        `select tablename from pg_tables where schemaname = 'public' and tablename = any($1) order by 1`,
        [names],
      )
    ).rows.map((r) => r.tablename),
  );
}

/**
 * Applies `up` with a harmless down, then records `badDown`'s checksum as the applied down (as a stepback that
 * accepted the file would have), and returns a directory holding the same up with `badDown`.
 */
async function appliedWithDown(db: TestDatabase, name: string, up: string, badDown: string): Promise<string> {
  await applyWithApi(db.url, migrationsDir({ [`${name}.up.sql`]: up, [`${name}.down.sql`]: 'select 1;\n' }));
  const dir = migrationsDir({ [`${name}.up.sql`]: up, [`${name}.down.sql`]: badDown });
  const { createHash } = await import('node:crypto');
  const checksum = `sha256:${createHash('sha256').update(badDown).digest('hex')}`;
  await withClient(db.url, (c) =>
    c.query('update stepback_migrations set down_checksum = $1 where name = $2', [checksum, name]),
  );
  return dir;
}

describe('transaction control in SQL files is refused before anything runs', () => {
  it('--single-transaction with a ROLLBACK in the middle file: exit 2 naming file and line; nothing applied or recorded', async () => {
    const db = await freshDb('tc_single');
    const dir = migrationsDir({
      '0001_a.up.sql': 'CREATE TABLE a1 (id int);\n',
      '0002_b.up.sql': 'CREATE TABLE b2 (id int);\nROLLBACK;\n',
      '0003_c.up.sql': 'CREATE TABLE c3 (id int);\n',
    });
    const run = await cli(db, ['--dir', dir, 'up', '--single-transaction', '--json']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/0002_b\.up\.sql:2:1 \("ROLLBACK;"\): ROLLBACK inside a migration/);
    expect(jsonLine(run)).toMatchObject({ ok: false, exitCode: 2, applied: [] });
    expect(await recorded(db)).toEqual([]);
    expect(await tablesNamed(db, ['a1', 'b2', 'c3'])).toEqual([]);
  });

  it('an up wrapped in its own BEGIN … COMMIT: exit 2, the table is not created, so a re-run is not stuck', async () => {
    const db = await freshDb('tc_own_tx');
    const dir = migrationsDir({ '0001_own.up.sql': 'BEGIN;\nCREATE TABLE own_tx (id int);\nCOMMIT;\n' });
    const run = await cli(db, ['--dir', dir, 'up']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/0001_own\.up\.sql:1:1 \("BEGIN;"\): BEGIN inside a migration/);
    expect(run.stderr).toMatch(/0001_own\.up\.sql:3:1 \("COMMIT;"\): COMMIT inside a migration/);
    expect(await tablesNamed(db, ['own_tx'])).toEqual([]);
    expect(await recorded(db)).toEqual([]);
  });

  it('a down ending in ROLLBACK: exit 2, the table stays and stays recorded as applied', async () => {
    const db = await freshDb('tc_down_rb');
    const dir = await appliedWithDown(
      db,
      '0001_keep',
      'CREATE TABLE keep_me (id int);\n',
      'DROP TABLE keep_me;\nROLLBACK;\n',
    );
    const run = await cli(db, ['--dir', dir, 'down', '--to', '0']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/0001_keep\.down\.sql:2:1 \("ROLLBACK;"\): ROLLBACK inside a migration/);
    expect(await recorded(db)).toEqual(['0001_keep']);
    expect(await tablesNamed(db, ['keep_me'])).toEqual(['keep_me']);
  });

  it('a down committing its own DROP before failing: exit 2, nothing dropped, still recorded', async () => {
    const db = await freshDb('tc_down_commit');
    const dir = await appliedWithDown(
      db,
      '0001_b',
      'CREATE TABLE b (id int);\n',
      'BEGIN; DROP TABLE b; COMMIT; SELECT 1/0;\n',
    );
    const run = await cli(db, ['--dir', dir, 'down', '--to', '0', '--json']);
    expect(run.code, run.stderr).toBe(2);
    expect(jsonLine(run).error).toMatch(/0001_b\.down\.sql:1:1 .*BEGIN inside a migration/);
    expect(jsonLine(run).error).toMatch(/0001_b\.down\.sql:1:22 .*COMMIT inside a migration/);
    expect(await recorded(db)).toEqual(['0001_b']);
    expect(await tablesNamed(db, ['b'])).toEqual(['b']);
  });

  it.each([
    ['BEGIN', 'begin;'],
    ['START TRANSACTION', 'start transaction isolation level serializable;'],
    ['COMMIT', 'commit work;'],
    ['COMMIT', 'commit and chain;'],
    ['END', 'end;'],
    ['ABORT', 'abort;'],
    ['ROLLBACK', 'rollback and chain;'],
    ['SET TRANSACTION', 'set transaction read only;'],
    ['SET SESSION CHARACTERISTICS', 'set session characteristics as transaction read only;'],
    ['PREPARE TRANSACTION', "prepare transaction 'x';"],
    ['COMMIT PREPARED', "commit prepared 'x';"],
    ['ROLLBACK PREPARED', "rollback prepared 'x';"],
  ])('%s (%s) is refused in both SQL layouts and in a no-transaction file', async (command, statement) => {
    const sql = `create table t (id int);\n  ${statement}\n`;
    const dir = migrationsDir({
      '0001_files.up.sql': sql,
      '0002_folder/up.sql': sql,
      '0003_notx.up.sql': `-- stepback:no-transaction\n${statement}\n`,
    });
    const error = await loadMigrations(dir).then(
      () => null,
      (e: { problems: string[] }) => e,
    );
    expect(error?.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`0001_files\\.up\\.sql:2:3 .*: ${command} inside a migration`)),
        expect.stringMatching(new RegExp(`0002_folder/up\\.sql:2:3 .*: ${command} inside a migration`)),
        expect.stringMatching(new RegExp(`0003_notx\\.up\\.sql:2:1 .*: ${command} in a no-transaction`)),
      ]),
    );
  });

  it.each([
    ['savepoints', 'savepoint a;\ninsert into t values (1);\nrollback to savepoint a;\nrelease a;'],
    ['ROLLBACK WORK TO a savepoint', 'savepoint a;\nrollback work to a;'],
    [
      'a SQL-standard function body',
      'create function f() returns int language sql\nbegin atomic\n  select 1;\n  select case when true then 2 end;\nend;',
    ],
    ['a DO block', 'do $$ begin perform 1; end $$;'],
    ['words in strings and comments', "select 'commit;'; -- rollback;\n/* end; */ select $x$ abort; $x$;"],
    ['END inside CASE', 'select case when true then 1 end;'],
  ])('%s are not transaction control', (_label, sql) => {
    expect(sqlFileProblems('f.sql', sql, { transactional: true })).toEqual([]);
  });
});

describe('transaction control in modules is stopped at run time', () => {
  it('ctx.sql("ROLLBACK") fails the migration (exit 1); its transaction is rolled back and nothing is recorded', async () => {
    const db = await freshDb('tc_module_sql');
    const dir = migrationsDir({
      '0001_m.mjs': `export async function up(ctx) {\n  await ctx.sql('CREATE TABLE m (id int)');\n  await ctx.sql('ROLLBACK');\n}\n`,
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const result = jsonLine(run);
    expect(result.failed?.name).toBe('0001_m');
    expect(result.failed?.message).toMatch(/ctx\.sql\("ROLLBACK"\) runs ROLLBACK/);
    expect(await recorded(db)).toEqual([]);
    expect(await tablesNamed(db, ['m'])).toEqual([]);
  });

  it('a COMMIT through ctx.client is caught before the state row is written (exit 1, not recorded, said what stays)', async () => {
    const db = await freshDb('tc_module_client');
    const dir = migrationsDir({
      '0001_m.mjs': `export async function up(ctx) {\n  await ctx.client.query('CREATE TABLE m2 (id int)');\n  await ctx.client.query('COMMIT');\n  await ctx.client.query('BEGIN');\n}\n`,
      '0002_after.up.sql': 'CREATE TABLE after_m (id int);\n',
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const result = jsonLine(run);
    expect(result.failed?.name).toBe('0001_m');
    expect(result.failed?.message).toMatch(/ended the transaction stepback ran it in/);
    expect(result.failed?.message).toMatch(/whatever it committed itself .*stays committed/);
    expect(await recorded(db)).toEqual([]);
    // Its own COMMIT made m2 permanent (the message says so); nothing after it ran.
    expect(await tablesNamed(db, ['m2', 'after_m'])).toEqual(['m2']);
  });

  it('a module without a transaction that leaves one open: rolled back, not recorded (exit 1)', async () => {
    const db = await freshDb('tc_module_open');
    const dir = migrationsDir({
      '0001_m.mjs': `export const transaction = false;\nexport async function up(ctx) {\n  await ctx.client.query('BEGIN');\n  await ctx.client.query('CREATE TABLE m3 (id int)');\n}\n`,
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(1);
    expect(jsonLine(run).failed?.message).toMatch(/left a transaction open/);
    expect(await recorded(db)).toEqual([]);
    expect(await tablesNamed(db, ['m3'])).toEqual([]);
  });
});

/**
 * What slips past the load-time check (a lexer gap, a file changed after loading) meets the run-time check
 * in every path that writes a state row: batched segments, a step of its own, and --single-transaction.
 */
describe('the run-time check that the transaction is still stepback’s', () => {
  const source = (name: string, upSql: string): MigrationSource => ({
    name,
    id: name.split('_')[0]!,
    layout: 'sql-files',
    upPath: `${name}.up.sql`,
    downPath: null,
    checksum: `sha256:${'0'.repeat(64)}`,
    downChecksum: null,
    reversible: false,
    transactional: true,
    downTransactional: true,
    upSql,
    downSql: null,
  });

  async function session(db: TestDatabase) {
    const client = await connect({
      databaseUrl: db.url,
      applicationName: 'test',
      waitMs: 0,
      clock: { now: () => Date.now(), sleep: async () => {} },
      log: () => {},
    });
    const names = stateNames('public');
    await client.query(ensureStateSql(names));
    const who = { release: null, runId: null, actor: 'test', runnerVersion: 'test' };
    return { client, names, who, log: () => {} };
  }

  it.each([
    ['ROLLBACK', 'create table slip (id int);\nrollback;'],
    ['COMMIT', 'create table slip (id int);\ncommit;'],
    ['COMMIT then BEGIN', 'create table slip (id int);\ncommit;\nbegin;'],
  ])('a batched segment with %s is not recorded and stops the message', async (_label, sql) => {
    const db = await freshDb('tc_guard_batch');
    const s = await session(db);
    try {
      const order = [
        source('0001_ok', 'create table ok1 (id int);'),
        source('0002_slip', sql),
        source('0003_next', 'create table next3 (id int);'),
      ];
      const step = batchedSteps(s, order, 'up');
      await step(order[0]!);
      const failure = await step(order[1]!).then(
        () => null,
        (e: { error: unknown }) => e.error,
      );
      expect(failure).toBeInstanceOf(TransactionControlError);
      expect(await recorded(db)).toEqual(['0001_ok']);
      expect(await tablesNamed(db, ['next3'])).toEqual([]);
    } finally {
      await disconnect(s.client);
    }
  });

  it.each(['own', 'batch'] as const)(
    'a step of its own (%s mode) ending the transaction is not recorded',
    async (mode) => {
      const db = await freshDb(`tc_guard_${mode}`);
      const s = await session(db);
      try {
        if (mode === 'batch') await s.client.query(`BEGIN;\n${TX_MARK}`);
        const failure = await timedStep(
          s,
          source('0001_slip', 'create table slip (id int);\nrollback;'),
          'up',
          mode,
        ).then(
          () => null,
          (e: { error: unknown }) => e.error,
        );
        expect(failure).toBeInstanceOf(TransactionControlError);
        await s.client.query('ROLLBACK').catch(() => {});
        expect(await recorded(db)).toEqual([]);
      } finally {
        await disconnect(s.client);
      }
    },
  );
});
