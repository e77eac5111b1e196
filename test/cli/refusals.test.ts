/**
 * Every fail-closed refusal: exit 3, the reason in the output, and the database exactly as before
 * (schema, data, state rows and event count).
 */
import { describe, expect, it } from 'vitest';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { snapshot } from '../support/snapshot.ts';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const base = {
  '0001_a.up.sql': 'create table a (x int); insert into a values (1);',
  '0001_a.down.sql': 'drop table a;',
  '0002_b.up.sql': 'create table b (x int);',
  '0002_b.down.sql': 'drop table b;',
  '0003_c.up.sql': 'create table c (x int);',
  '0003_c.down.sql': 'drop table c;',
};

/** A database with `files` applied (as release v1). */
async function applied(label: string, files: Record<string, string> = base) {
  const db = await freshDb(label);
  await applyWithApi(db.url, migrationsDir(files), 'v1');
  return db;
}

async function expectRefused(
  db: TestDatabase,
  files: Record<string, string>,
  args: string[],
  reason: RegExp,
) {
  const before = await snapshot(db.url);
  const run = await runCli(['--dir', migrationsDir(files), ...args, '--json'], {
    env: { DATABASE_URL: db.url },
    password: db.password,
  });
  expect(run.code, run.stderr).toBe(3);
  const result = jsonLine(run);
  expect(result).toMatchObject({ ok: false, exitCode: 3, applied: [], reverted: [] });
  expect(result.error).toMatch(reason);
  expect(run.stderr).toMatch(reason);
  expect(await snapshot(db.url)).toEqual(before);
}

describe('up refuses', () => {
  it('when the database is ahead of the code, naming the unknown migrations and their release', async () => {
    const db = await applied('ahead');
    const older = { '0001_a.up.sql': base['0001_a.up.sql'], '0001_a.down.sql': base['0001_a.down.sql'] };
    await expectRefused(
      db,
      older,
      ['up'],
      /ahead of this code.*0002_b \(applied by release v1\), 0003_c \(applied by release v1\)/,
    );
  });

  it('on checksum drift of an applied migration', async () => {
    const db = await applied('drift');
    await expectRefused(
      db,
      {
        ...base,
        '0002_b.up.sql': 'create table b (x int, y int);',
        '0004_d.up.sql': 'create table d (x int);',
      },
      ['up'],
      /0002_b was changed after it was applied/,
    );
  });

  it('on an out-of-order pending migration, unless --allow-out-of-order', async () => {
    const db = await applied('ooo');
    const late = { ...base, '0002.5_late.up.sql': 'create table late (x int);' };
    await expectRefused(db, late, ['up'], /0002\.5_late sort before the newest applied migration 0003_c/);
    const run = await runCli(['--dir', migrationsDir(late), 'up', '--allow-out-of-order', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code).toBe(0);
    expect(jsonLine(run).applied.map((a) => a.name)).toEqual(['0002.5_late']);
  });

  it('--single-transaction with a non-transactional migration in the batch', async () => {
    const db = await applied('single_mixed');
    const files = {
      ...base,
      '0004_d.up.sql': 'create table d (x int);',
      '0005_idx.up.sql': '-- stepback:no-transaction\ncreate index concurrently d_x on d (x);',
    };
    await expectRefused(
      db,
      files,
      ['up', '--single-transaction'],
      /single-transaction cannot include.*0005_idx/,
    );
  });
});

describe('down refuses', () => {
  it('when a migration to revert is missing from the directory', async () => {
    const db = await applied('down_missing');
    const { '0003_c.up.sql': _u, '0003_c.down.sql': _d, ...without } = base;
    await expectRefused(
      db,
      without,
      ['down', '--to', '0001_a'],
      /0003_c: applied, but this directory does not contain it/,
    );
  });

  it('when a migration to revert is irreversible', async () => {
    const db = await applied('down_irrev', { ...base, '0004_d.up.sql': 'create table d (x int);' });
    await expectRefused(
      db,
      { ...base, '0004_d.up.sql': 'create table d (x int);' },
      ['down', '--to', '0002_b'],
      /0004_d: irreversible/,
    );
  });

  it('when a down file changed since the migration was applied', async () => {
    const db = await applied('down_drift');
    await expectRefused(
      db,
      { ...base, '0003_c.down.sql': 'drop table c cascade;' },
      ['down', '--to', '0', '--release', 'v0'],
      /0003_c: the down step differs/,
    );
  });

  it('without a target: a usage error (exit 2), nothing changed', async () => {
    const db = await applied('down_notarget');
    const before = await snapshot(db.url);
    const run = await runCli(['--dir', migrationsDir(base), 'down', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code).toBe(2);
    expect(jsonLine(run).error).toMatch(/down needs a target/);
    expect(await snapshot(db.url)).toEqual(before);
  });
});

describe('usage and connection errors', () => {
  it('a bad directory exits 2 listing every problem', async () => {
    const db = await applied('baddir');
    const run = await runCli(
      ['--dir', migrationsDir({ 'x.up.sql': '', '0001_a.down.sql': '', '0002_b.txt.sql': '' }), 'up'],
      { env: { DATABASE_URL: db.url }, password: db.password },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/3 problem\(s\)/);
    expect(run.stderr).toMatch(/x\.up\.sql/);
    expect(run.stderr).toMatch(/0001_a\.down\.sql: a down without an up/);
    expect(run.stderr).toMatch(/0002_b\.txt\.sql/);
  });

  it('an unreachable server is one clear line with a hint, exit 2, no password', async () => {
    const url = 'postgres://app:pa55-w0rd-xyz@127.0.0.1:1/appdb';
    const run = await runCli(['--dir', migrationsDir(base), 'up', '--json'], {
      env: { DATABASE_URL: url },
      password: 'pa55-w0rd-xyz',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /cannot connect to PostgreSQL at 127\.0\.0\.1:1, database "appdb", user "app"/,
    );
    expect(run.stderr).toMatch(/hint: .*--wait/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(jsonLine(run).exitCode).toBe(2);
  });

  it('a database that does not exist, exit 2 with a hint', async () => {
    const db = await applied('nodb');
    const url = new URL(db.url);
    url.pathname = '/sb_does_not_exist';
    const run = await runCli(['--dir', migrationsDir(base), '--database-url', url.toString(), 'status'], {
      password: db.password,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/database "sb_does_not_exist"/);
    expect(run.stderr).toMatch(/hint: the database does not exist/);
  });

  it('no DATABASE_URL at all is a usage error', async () => {
    const run = await runCli(['--dir', migrationsDir(base), 'status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no database to connect to/);
  });

  it('unknown options are usage errors (exit 2)', async () => {
    expect((await runCli(['up', '--bogus'])).code).toBe(2);
  });

  it('the state tables are not created by a refused or empty run', async () => {
    const db = await freshDb('nostate');
    const run = await runCli(['--dir', migrationsDir({}), 'up'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code).toBe(0);
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('stepback_migrations') as t`)).rows[0].t).toBeNull();
    });
  });
});
