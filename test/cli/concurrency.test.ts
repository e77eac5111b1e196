/** Runners racing, killed, blocked by a lock holder, and started before the database accepts connections. */
import { createConnection, createServer, type Server } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { lockKey } from '../../src/migrate/lock.ts';
import { freePort } from '../support/net.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { allowSlowProcesses, jsonLine, migrationsDir, runCli, startCli } from './cli.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

async function advisoryLocks(db: TestDatabase): Promise<number> {
  return withClient(db.url, async (c) => {
    const { rows } = await c.query(
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    return rows[0].n;
  });
}

describe('8 runners at once', () => {
  it('all exit 0 and every migration is applied exactly once', async () => {
    const db = await freshDb('eight');
    const dir = migrationsDir({
      '0001_hits.up.sql': 'create table hits (name text not null);',
      '0002_slow.up.sql': "select pg_sleep(0.3); create table t2 (x int); insert into hits values ('0002');",
      '0003_more.up.sql': "create table t3 (x int); insert into hits values ('0003');",
      '0004_js.mjs': 'export async function up({ sql }) { await sql("insert into hits values (\'0004\')"); }',
    });
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        runCli(['--dir', dir, 'up', '--json'], { env: { DATABASE_URL: db.url }, password: db.password }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const appliedBy = runs.flatMap((r) => jsonLine(r).applied.map((a) => a.name)).sort();
    expect(appliedBy).toEqual(['0001_hits', '0002_slow', '0003_more', '0004_js']);
    await withClient(db.url, async (c) => {
      expect((await c.query('select name from hits order by 1')).rows.map((r) => r.name)).toEqual([
        '0002',
        '0003',
        '0004',
      ]);
      const rows = await c.query(
        'select name, count(*)::int as n from stepback_migrations group by 1 order by 1',
      );
      expect(rows.rows).toEqual([
        { name: '0001_hits', n: 1 },
        { name: '0002_slow', n: 1 },
        { name: '0003_more', n: 1 },
        { name: '0004_js', n: 1 },
      ]);
      const events = await c.query(`select count(*)::int as n from stepback_events where kind = 'apply'`);
      expect(events.rows[0].n).toBe(4);
    });
    expect(await advisoryLocks(db)).toBe(0);
  });
});

describe('a runner killed with SIGKILL during a slow migration', () => {
  it('leaves nothing half-applied, frees the lock, and the next run completes', async () => {
    const db = await freshDb('sigkill');
    const dir = migrationsDir({
      '0001_a.up.sql': 'create table a (x int);',
      '0002_slow.up.sql':
        'create table half (x int); insert into half values (1); select pg_sleep(1.5); insert into half values (2);',
      '0003_c.up.sql': 'create table c (x int);',
    });
    const first = startCli(['--dir', dir, 'up'], { env: { DATABASE_URL: db.url }, password: db.password });
    // Wait until the runner's backend is inside the slow statement.
    await withClient(db.url, async (c) => {
      for (let i = 0; i < 200; i++) {
        const { rows } = await c.query(
          `select 1 from pg_stat_activity where application_name like 'stepback %' and query like '%pg_sleep(1.5)%' and state = 'active'`,
        );
        if (rows.length > 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the runner never reached the slow migration: ${first.stderr()}`);
    });
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    // Whatever the dead runner's backend does with its transaction, it is all or nothing with its state row.
    await withClient(db.url, async (c) => {
      const half = (await c.query(`select to_regclass('half') as t`)).rows[0].t;
      const recorded = (await c.query(`select name from stepback_migrations where name = '0002_slow'`))
        .rowCount;
      if (half) {
        expect((await c.query('select x from half order by x')).rows).toEqual([{ x: 1 }, { x: 2 }]);
        expect(recorded).toBe(1);
      } else expect(recorded).toBe(0);
    });

    const second = await runCli(['--dir', dir, 'up', '--json', '--lock-timeout', '30'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(second.code, second.stderr).toBe(0);
    await withClient(db.url, async (c) => {
      expect(
        (await c.query('select name from stepback_migrations order by applied_order')).rows.map(
          (r) => r.name,
        ),
      ).toEqual(['0001_a', '0002_slow', '0003_c']);
      expect((await c.query('select x from half order by x')).rows).toEqual([{ x: 1 }, { x: 2 }]);
    });
    expect(await advisoryLocks(db)).toBe(0);
  });
});

describe('the lock', () => {
  it('times out with exit 4, naming the session that holds it', async () => {
    const db = await freshDb('locktimeout');
    const holder = new pg.Client({ connectionString: db.url, application_name: 'lock-holder-under-test' });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1, $2)', lockKey(db.name, 'public'));
      const pid = (await holder.query('select pg_backend_pid() as pid')).rows[0].pid;
      const dir = migrationsDir({ '0001_a.up.sql': 'create table a (x int);' });
      const run = await runCli(['--dir', dir, '--lock-timeout', '1', 'up', '--json'], {
        env: { DATABASE_URL: db.url },
        password: db.password,
      });
      expect(run.code).toBe(4);
      const result = jsonLine(run);
      expect(result.exitCode).toBe(4);
      expect(result.error).toContain(`pid ${pid}`);
      expect(result.error).toContain('lock-holder-under-test');
      expect(run.stderr).toMatch(
        /waiting for the migration lock, held by pid \d+, application "lock-holder-under-test"/,
      );
      await withClient(db.url, async (c) => {
        expect((await c.query(`select to_regclass('a') as t`)).rows[0].t).toBeNull();
      });
    } finally {
      await holder.end();
    }
  });

  it('is per schema: a holder on another schema does not block', async () => {
    const db = await freshDb('lockschema');
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1, $2)', lockKey(db.name, 'other'));
      const dir = migrationsDir({ '0001_a.up.sql': 'create table a (x int);' });
      const run = await runCli(['--dir', dir, '--lock-timeout', '1', 'up'], {
        env: { DATABASE_URL: db.url },
        password: db.password,
      });
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await holder.end();
    }
  });
});

describe('--wait', () => {
  it('retries until the database accepts connections', async () => {
    const db = await freshDb('wait');
    const target = new URL(db.url);
    const port = await freePort();
    const url = new URL(db.url);
    url.host = `127.0.0.1:${port}`;
    const dir = migrationsDir({ '0001_a.up.sql': 'create table a (x int);' });
    const run = startCli(['--dir', dir, '--wait', '30', 'up', '--json'], {
      env: { DATABASE_URL: url.toString() },
      password: db.password,
    });
    // The "database" comes up once the runner has been refused at least once: a TCP proxy to the real server.
    let server: Server | undefined;
    for (let i = 0; i < 200 && !/waiting for PostgreSQL/.test(run.stderr()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(run.stderr()).toMatch(/waiting for PostgreSQL at 127\.0\.0\.1:\d+, database "sb_wait_[0-9a-f]+"/);
    server = createServer((socket) => {
      const upstream = createConnection(Number(target.port || 5432), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
    try {
      const result = await run.done;
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLine(result).applied.map((a) => a.name)).toEqual(['0001_a']);
    } finally {
      server.close();
    }
  });
});
