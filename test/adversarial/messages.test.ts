/**
 * Every message true: a failing migration says where (file:line:col and the line of SQL, in the human output
 * and in --json), the failures whose fix is known say it, and a failed batched run raises no warning (pg's
 * "client.query() when the client is already executing a query", from a ROLLBACK sent while a queued
 * message was still in flight).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { up } from '../../src/migrate/index.ts';
import { allowSlowProcesses, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase } from '../support/pg.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url }, password: db.password });

function tables(count: number, override: Record<number, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const id = String(i).padStart(4, '0');
    files[`${id}_t${i}.up.sql`] = override[i] ?? `create table t${i} (id int primary key);\n`;
    files[`${id}_t${i}.down.sql`] = `drop table t${i};\n`;
  }
  return files;
}

const broken = 'create table t3 (id int);\n\n  insert into nope values (1);\n';

describe('a failing migration says where', () => {
  it.each([
    ['batched (several per message)', [] as string[]],
    ['--single-transaction', ['--single-transaction']],
  ])('%s: file:line:col and the line, on stderr and in the JSON result', async (_label, flags) => {
    const db = await freshDb('where_up');
    const dir = migrationsDir(tables(5, { 3: broken }));
    const run = await cli(db, ['--dir', dir, 'up', '--json', ...flags]);
    expect(run.code, run.stderr).toBe(1);
    const file = join(dir, '0003_t3.up.sql');
    const result = jsonLine(run);
    expect(result.failed).toEqual({
      name: '0003_t3',
      message: expect.stringContaining(`at ${file}:3:15: insert into nope values (1);`),
      location: { file, line: 3, column: 15, text: 'insert into nope values (1);' },
    });
    expect(run.stderr).toContain(`${file}:3:15: insert into nope values (1);`);
  });

  it('a no-transaction file (sent without any prefix)', async () => {
    const db = await freshDb('where_notx');
    const dir = migrationsDir({
      '0001_m.mjs': 'export async function up(ctx) { await ctx.sql("create table m (id int)"); }\n',
      '0002_idx.up.sql':
        '-- stepback:no-transaction\ncreate index concurrently m_idx\n  on m (id) whre id > 0;\n',
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const file = join(dir, '0002_idx.up.sql');
    expect(jsonLine(run).failed?.location).toEqual({
      file,
      line: 3,
      column: 13,
      text: 'on m (id) whre id > 0;',
    });
  });
});

describe('failures whose fix is known say it', () => {
  it('CREATE INDEX CONCURRENTLY inside a transaction: mark the file -- stepback:no-transaction', async () => {
    const db = await freshDb('cic_hint');
    const dir = migrationsDir({
      '0001_t.up.sql': 'create table t (x int);\n',
      '0002_idx.up.sql': 'create index concurrently t_x on t (x);\n',
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(1);
    expect(jsonLine(run).error).toMatch(
      /hint: .*put -- stepback:no-transaction in the first lines of its file .*keep that file to this one statement/,
    );
  });

  it('a no-transaction file with several statements: the problem ends with its own fix', async () => {
    const db = await freshDb('multi_hint');
    const dir = migrationsDir({
      '0001_idx.up.sql':
        '-- stepback:no-transaction\ncreate index concurrently a on t (x);\ncreate index concurrently b on t (y);\n',
    });
    const run = await cli(db, ['--dir', dir, 'up']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /0001_idx\.up\.sql: marked stepback:no-transaction but holds 2 statements; [^\n]*hint: split it into several migrations, one statement each\n/,
    );
    expect(run.stderr).not.toMatch(/names are <id>_<name>/);
  });
});

describe('a failed batched run raises no warning', () => {
  // test/support/fail-on-warnings.ts fails this test on any DeprecationWarning the run raises in-process.
  it('a failure with a message queued behind it, in-process', async () => {
    const db = await freshDb('no_warning');
    // Fast migrations travel [1] [2] [3 4] [5 6] [7 8 9 10]: 0006 fails while [7 8 9 10] waits behind it.
    const dir = migrationsDir(
      tables(12, { 6: 'create table t6 (id int primary key);\ninsert into t6 values (1), (1);\n' }),
    );
    const result = await up({ databaseUrl: db.url, dir, env: {} });
    expect(result.failed?.name).toBe('0006_t6');
    expect(result.applied.map((a) => a.name)).toHaveLength(5);
  });
});
