/**
 * Several migrations per message (src/migrate/batch.ts), each still in its own transaction: what commits,
 * what is blamed, and what is recorded when a message stops part-way. Messages grow 1, 2, 4, … while they
 * return quickly, and one is always queued behind the one running, so with fast migrations they are
 * [1] [2] [3 4] [5 6] [7 8 9 10] [11 …]: a failure in [5 6] has [7 8 9 10] waiting behind it.
 */
import { describe, expect, it } from 'vitest';
import { batchMessage } from '../../src/migrate/batch.ts';
import type { MigrationSource } from '../../src/migrate/types.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { allowSlowProcesses, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url }, password: db.password });

/** `count` migrations creating tables t1…tN; `override` replaces some up files. */
function tables(count: number, override: Record<number, string> = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const id = String(i).padStart(4, '0');
    files[`${id}_t${i}.up.sql`] = override[i] ?? `create table t${i} (id int primary key);\n`;
    files[`${id}_t${i}.down.sql`] = `drop table t${i};\n`;
  }
  return files;
}

async function recorded(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (await c.query('select name from stepback_migrations order by applied_order')).rows.map((r) => r.name),
  );
}

async function tablesPresent(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query(
        `select tablename from pg_tables where schemaname = 'public' and tablename ~ '^t[0-9]+$' order by length(tablename), tablename`,
      )
    ).rows.map((r) => r.tablename),
  );
}

describe('several migrations per message', () => {
  it('applies and reverts 40 migrations in batched messages, one state row and one event per migration', async () => {
    const db = await freshDb('batch_ok');
    const dir = migrationsDir(tables(40));
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLine(run).applied).toHaveLength(40);
    const messages = run.stderr.match(/sending \d+ migrations in one message, each in its own transaction/g);
    expect(messages?.length).toBeGreaterThanOrEqual(3);
    expect(await recorded(db)).toHaveLength(40);
    expect(await tablesPresent(db)).toHaveLength(40);
    const down = await cli(db, ['--dir', dir, 'down', '--to', '0', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(
      jsonLine(down)
        .reverted.map((r) => r.name)
        .slice(0, 2),
    ).toEqual(['0040_t40', '0039_t39']);
    expect(await recorded(db)).toEqual([]);
    expect(await tablesPresent(db)).toEqual([]);
    await withClient(db.url, async (c) => {
      const kinds = await c.query(
        `select kind, count(*)::int as n from stepback_events group by kind order by kind`,
      );
      expect(kinds.rows).toEqual([
        { kind: 'apply', n: 40 },
        { kind: 'revert', n: 40 },
      ]);
    });
  });

  it('a runtime failure inside a batch: the migrations before it stay applied, it and the rest do not', async () => {
    const db = await freshDb('batch_runtime');
    // 0006 is the second segment of [5 6]; [7 8 9 10] is queued behind it and must not run.
    const dir = migrationsDir(
      tables(9, { 6: 'create table t6 (id int primary key);\ninsert into t6 values (1), (1);\n' }),
    );
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result.failed).toMatchObject({ name: '0006_t6' });
    expect(result.failed?.message).toMatch(/duplicate key value violates unique constraint/);
    expect(result.applied.map((a) => a.name)).toEqual([
      '0001_t1',
      '0002_t2',
      '0003_t3',
      '0004_t4',
      '0005_t5',
    ]);
    expect(result.error).toMatch(/5 migration\(s\) before it in this run stay applied/);
    expect(await recorded(db)).toEqual(['0001_t1', '0002_t2', '0003_t3', '0004_t4', '0005_t5']);
    expect(await tablesPresent(db)).toEqual(['t1', 't2', 't3', 't4', 't5']);
    await withClient(db.url, async (c) => {
      const failure = await c.query(`select name, error from stepback_events where kind = 'failure'`);
      expect(failure.rows).toHaveLength(1);
      expect(failure.rows[0].name).toBe('0006_t6');
    });
  });

  it('a syntax error in a later segment (the message never ran) is blamed on its own migration', async () => {
    const db = await freshDb('batch_syntax');
    // 0006 is the second segment of [5 6]: the server rejects the whole message before running 0005.
    const dir = migrationsDir(tables(9, { 6: 'create tabel t6 (id int);\n' }));
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result.failed).toMatchObject({ name: '0006_t6' });
    expect(result.failed?.message).toMatch(/syntax error at or near "tabel"/);
    const five = ['0001_t1', '0002_t2', '0003_t3', '0004_t4', '0005_t5'];
    expect(result.applied.map((a) => a.name)).toEqual(five);
    expect(await recorded(db)).toEqual(five);
    expect(await tablesPresent(db)).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  it('a deferred constraint failing at COMMIT stops the message there: nothing after it runs', async () => {
    const db = await freshDb('batch_deferred');
    const dir = migrationsDir(
      tables(9, {
        1: 'create table t1 (id int primary key);\ncreate table child (p int references t1 deferrable initially deferred);\n',
        // 0005's own statements succeed; its COMMIT fails on the deferred foreign key. That ends its
        // transaction, so only the guard keeps the queued [7 8 9 10] from running.
        5: 'create table t5 (id int primary key);\ninsert into child values (42);\n',
      }),
    );
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result.failed).toMatchObject({ name: '0005_t5' });
    expect(result.failed?.message).toMatch(/foreign key constraint/);
    expect(await recorded(db)).toEqual(['0001_t1', '0002_t2', '0003_t3', '0004_t4']);
    expect(await tablesPresent(db)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('records each batched migration with its own start, not the start of the message', async () => {
    const db = await freshDb('batch_times');
    // 0005 and 0006 share a message; 0005 sleeps.
    const dir = migrationsDir(
      tables(7, { 5: 'create table t5 (id int primary key);\nselect pg_sleep(0.5);\n' }),
    );
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /sending 2 migrations in one message, each in its own transaction: 0005_t5 … 0006_t6/,
    );
    await withClient(db.url, async (c) => {
      const rows = (
        await c.query(
          `select name, started_at, finished_at, duration_ms from stepback_migrations where name in ('0005_t5', '0006_t6')  order by name`,
        )
      ).rows;
      const [sleeper, next] = rows;
      expect(sleeper.duration_ms).toBeGreaterThanOrEqual(500);
      // 0006 started after 0005 finished: its duration does not include its neighbour's sleep.
      expect(next.started_at.getTime()).toBeGreaterThanOrEqual(sleeper.finished_at.getTime());
    });
    expect(jsonLine(run).applied.find((a) => a.name === '0005_t5')?.durationMs).toBeGreaterThanOrEqual(500);
  });

  it('times each batched revert on its own: a slow down step, not its neighbours in the message', async () => {
    const db = await freshDb('batch_revert_times');
    const files = tables(7);
    files['0003_t3.down.sql'] = 'drop table t3;\nselect pg_sleep(0.5);\n';
    const dir = migrationsDir(files);
    expect((await cli(db, ['--dir', dir, 'up'])).code).toBe(0);
    const run = await cli(db, ['--dir', dir, 'down', '--to', '0', '--json']);
    expect(run.code, run.stderr).toBe(0);
    // Reverted newest first: [7] [6] [5 4] [3 2] [1]; 0003 shares its message with 0002, which follows it.
    expect(run.stderr).toMatch(
      /sending 2 migrations in one message, each in its own transaction: 0003_t3 … 0002_t2/,
    );
    const ms = Object.fromEntries(jsonLine(run).reverted.map((r) => [r.name, r.durationMs]));
    expect(ms['0003_t3']).toBeGreaterThanOrEqual(500);
    expect(ms['0002_t2']).toBeLessThan(500);
    expect(run.stderr).toMatch(/reverted 0003_t3 \((\d{3,}) ms\)/);
  });
});

describe('the batch message', () => {
  const session = {
    who: { release: 'v1', runId: null, actor: null, runnerVersion: '0.1.0' },
  };
  const source = (n: number): MigrationSource => ({
    name: `000${n}_t${n}`,
    id: `000${n}`,
    layout: 'sql-files',
    upPath: `/m/000${n}_t${n}.up.sql`,
    downPath: null,
    checksum: `sha256:${'a'.repeat(64)}`,
    downChecksum: null,
    reversible: false,
    transactional: true,
    downTransactional: true,
    upSql: `create table t${n} (id int);`,
  });

  it('turns off the flush wait in every segment but the one holding the run’s last migration', () => {
    const group = [source(1), source(2), source(3)];
    const { text, starts } = batchMessage(session, group, 'up', '0003_t3');
    const segments = starts.map((s, i) => text.slice(s, starts[i + 1]));
    expect(segments).toHaveLength(3);
    expect(segments[0]).toContain("set_config('synchronous_commit', 'off', true)");
    expect(segments[1]).toContain("set_config('synchronous_commit', 'off', true)");
    expect(segments[2]).not.toContain('synchronous_commit');
    for (const [i, seg] of segments.entries()) {
      expect(seg.startsWith('BEGIN;')).toBe(true);
      expect(seg.trimEnd().endsWith('COMMIT;')).toBe(true);
      expect(seg).toContain(`create table t${i + 1} (id int);`);
    }
    // Not the run's last: every segment is asynchronous.
    expect(
      batchMessage(session, group, 'up', '0009_t9').text.match(
        /set_config\('synchronous_commit', 'off', true\)/g,
      ),
    ).toHaveLength(3);
  });
});
