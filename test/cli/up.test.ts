import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { status } from '../../src/migrate/index.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { snapshot } from '../support/snapshot.ts';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const layouts = resolve(import.meta.dirname, '../fixtures/layouts/migrations');
const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[], env: Record<string, string> = {}, node?: string) =>
  runCli(args, { env: { DATABASE_URL: db.url, ...env }, password: db.password, node });

describe('up with every layout', () => {
  for (const runtime of ['node20', 'node24'] as const) {
    it(`applies golang-migrate files, diesel folders, .ts/.mjs/.js modules and no-transaction files (${runtime})`, async () => {
      const db = await freshDb(`layouts_${runtime}`);
      const node = runtime === 'node24' ? process.env.STEPBACK_NODE24 : undefined;
      const run = await cli(
        db,
        ['--dir', layouts, 'up', '--release', 'v1', '--json'],
        { STEPBACK_RUN_ID: 'run-7', STEPBACK_ACTOR: 'tester' },
        node,
      );
      expect(run.code, run.stderr).toBe(0);
      const result = jsonLine(run);
      expect(run.stdout.startsWith('{"format":"stepback/result@1"')).toBe(true);
      expect(result).toMatchObject({ command: 'up', ok: true, exitCode: 0, release: 'v1', runId: 'run-7' });
      expect(result.applied.map((a) => a.name)).toEqual([
        '0001_users',
        '0002_posts',
        '0003_seed_posts',
        '0004_tags',
        '0005_posts_title_idx',
        '0006_audit',
      ]);
      // One human line per migration with its duration, and a summary, on stderr.
      expect(run.stderr).toMatch(/applied\s+0003_seed_posts \(\d+ ms\)/);
      expect(run.stderr).toMatch(/done: 6 applied in \d+ ms/);
      await withClient(db.url, async (c) => {
        expect((await c.query('select title from posts')).rows).toEqual([{ title: 'hello from ts' }]);
        expect((await c.query('select name from tags order by 1')).rows.map((r) => r.name)).toEqual([
          'a',
          'b',
        ]);
        const idx = await c.query(
          `select indexname from pg_indexes where indexname in ('posts_title_idx', 'users_email_lower_idx') order by 1`,
        );
        expect(idx.rows.map((r) => r.indexname)).toEqual(['posts_title_idx', 'users_email_lower_idx']);
        const rows = await c.query(
          `select name, transactional, reversible, release, run_id, actor, runner_version from stepback_migrations order by applied_order`,
        );
        expect(rows.rows[0]).toEqual({
          name: '0001_users',
          transactional: true,
          reversible: true,
          release: 'v1',
          run_id: 'run-7',
          actor: 'tester',
          runner_version: '0.1.0',
        });
        expect(rows.rows.find((r) => r.name === '0005_posts_title_idx')?.transactional).toBe(false);
        expect(rows.rows.find((r) => r.name === '0006_audit')?.reversible).toBe(false);
        const events = await c.query(`select kind, name, release from stepback_events order by id`);
        expect(events.rows).toHaveLength(6);
        expect(events.rows.every((e) => e.kind === 'apply' && e.release === 'v1')).toBe(true);
        // What every command reads back (status, plans, refusals) is the table's rows, field for field.
        const table = await c.query(
          `select name, checksum, down_checksum, reversible, transactional, release, run_id, actor,
                  runner_version, started_at, duration_ms from stepback_migrations order by applied_order`,
        );
        const read = await status({ databaseUrl: db.url, dir: layouts, env: {} });
        expect(read.applied).toEqual(
          table.rows.map((r, i) => ({
            name: r.name,
            order: i + 1,
            checksum: r.checksum,
            downChecksum: r.down_checksum,
            reversible: r.reversible,
            transactional: r.transactional,
            release: r.release,
            runId: r.run_id,
            actor: r.actor,
            runnerVersion: r.runner_version,
            appliedAt: (r.started_at as Date).toISOString(),
            durationMs: r.duration_ms,
          })),
        );
        expect(read.applied.find((a) => a.name === '0006_audit')).toMatchObject({
          downChecksum: null,
          reversible: false,
        });
      });
      // Re-running is a no-op.
      const again = await cli(db, ['--dir', layouts, 'up', '--json'], {}, node);
      expect(again.code).toBe(0);
      expect(jsonLine(again).applied).toEqual([]);
    });
  }

  it('status --json reports applied with release, pending and out-of-order', async () => {
    const db = await freshDb('status');
    const dir = migrationsDir({
      '0001_a.up.sql': 'create table a (x int);',
      '0003_c.up.sql': 'create table c (x int);',
    });
    await applyWithApi(db.url, dir, 'r1');
    const withNew = migrationsDir({
      '0001_a.up.sql': 'create table a (x int);',
      '0002_b.up.sql': 'create table b (x int);',
      '0003_c.up.sql': 'create table c (x int);',
      '0004_d.up.sql': 'create table d (x int);',
    });
    const run = await cli(db, ['--dir', withNew, 'status', '--json']);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.format).toBe('stepback/status@1');
    expect(status.applied.map((a: { name: string; release: string }) => [a.name, a.release])).toEqual([
      ['0001_a', 'r1'],
      ['0003_c', 'r1'],
    ]);
    expect(status.pending).toEqual(['0002_b', '0004_d']);
    expect(status.outOfOrder).toEqual(['0002_b']);
    expect(status.unknownApplied).toEqual([]);

    // The human report is the command's output too: on stdout, so it can be piped; nothing of it on stderr.
    const human = await cli(db, ['--dir', withNew, 'status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('schema public: 2 applied, 2 pending');
    expect(human.stdout).toContain('  pending  0002_b  (out of order)');
    expect(human.stderr).toBe('');
  });
});

describe('the migrations directory from the environment', () => {
  const files = { '0001_a.up.sql': 'create table a (x int);' };

  it('is STEPBACK_DIR; STEPBACK_MIGRATIONS_DIR still works with a warning, and both differing is refused', async () => {
    const db = await freshDb('direnv');
    const dir = migrationsDir(files);
    const other = migrationsDir(files);
    const named = await cli(db, ['status', '--json'], { STEPBACK_DIR: dir });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).pending).toEqual(['0001_a']);
    expect(named.stderr).toBe('');

    const old = await cli(db, ['status', '--json'], { STEPBACK_MIGRATIONS_DIR: dir });
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(old.stdout).pending).toEqual(['0001_a']);
    expect(old.stderr).toContain('STEPBACK_MIGRATIONS_DIR is deprecated; set STEPBACK_DIR instead');

    const same = await cli(db, ['status', '--json'], { STEPBACK_DIR: dir, STEPBACK_MIGRATIONS_DIR: dir });
    expect(same.code, same.stderr).toBe(0);

    const both = await cli(db, ['up', '--json'], { STEPBACK_DIR: dir, STEPBACK_MIGRATIONS_DIR: other });
    expect(both.code).toBe(2);
    expect(jsonLine(both).error).toContain(
      `STEPBACK_DIR (${dir}) and STEPBACK_MIGRATIONS_DIR (${other}) both name the migrations directory and differ`,
    );
    // Refused before connecting: nothing was applied.
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('public.a') as t`)).rows[0].t).toBeNull();
    });
  });
});

describe('--schema', () => {
  it('keeps the state tables in the given schema, creating it when missing', async () => {
    const db = await freshDb('schema');
    const dir = migrationsDir({ '0001_a.up.sql': 'create table public.a (x int);' });
    const run = await cli(db, ['--dir', dir, '--schema', 'ops', 'up']);
    expect(run.code, run.stderr).toBe(0);
    await withClient(db.url, async (c) => {
      expect((await c.query('select name from ops.stepback_migrations')).rows).toEqual([{ name: '0001_a' }]);
      expect((await c.query(`select to_regclass('public.stepback_migrations') as t`)).rows[0].t).toBeNull();
    });
    const status = await cli(db, ['--dir', dir, 'status', '--json'], { STEPBACK_SCHEMA: 'ops' });
    expect(JSON.parse(status.stdout)).toMatchObject({ schema: 'ops', pending: [] });
  });
});

describe('a failing migration', () => {
  const files = {
    '0001_one.up.sql': 'create table one (x int);',
    '0002_two.up.sql': 'create table two (x int); insert into two values (2);',
    '0003_three.up.sql': 'create table three (x int);\ninsert into two values (3);\nselect 1/0;',
    '0004_four.up.sql': 'create table four (x int);',
    '0005_five.up.sql': 'create table five (x int);',
  };

  it('3 of 5 fails: 1–2 stay applied, 3 leaves no trace but a failure event, exit 1', async () => {
    const db = await freshDb('fail3');
    const run = await cli(db, ['--dir', migrationsDir(files), 'up', '--json', '--release', 'v5']);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result).toMatchObject({ ok: false, exitCode: 1, failed: { name: '0003_three' } });
    expect(result.failed?.message).toMatch(/division by zero/);
    expect(result.applied.map((a) => a.name)).toEqual(['0001_one', '0002_two']);
    expect(run.stderr).toMatch(/FAILED\s+0003_three/);
    await withClient(db.url, async (c) => {
      const tables = await c.query(
        `select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'stepback_%' order by 1`,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(['one', 'two']);
      expect((await c.query('select x from two')).rows).toEqual([{ x: 2 }]);
      expect((await c.query('select name from stepback_migrations order by applied_order')).rows).toEqual([
        { name: '0001_one' },
        { name: '0002_two' },
      ]);
      const events = await c.query(`select kind, name, release, error from stepback_events order by id`);
      expect(events.rows.map((e) => [e.kind, e.name])).toEqual([
        ['apply', '0001_one'],
        ['apply', '0002_two'],
        ['failure', '0003_three'],
      ]);
      expect(events.rows[2].error).toMatch(/division by zero/);
      expect(events.rows[2].release).toBe('v5');
    });
  });

  it('with --single-transaction nothing is applied', async () => {
    const db = await freshDb('fail3single');
    const before = await snapshot(db.url, { state: false });
    const run = await cli(db, ['--dir', migrationsDir(files), 'up', '--single-transaction', '--json']);
    expect(run.code).toBe(1);
    const result = jsonLine(run);
    expect(result.applied).toEqual([]);
    expect(result.failed?.name).toBe('0003_three');
    expect(await snapshot(db.url, { state: false })).toEqual(before);
    await withClient(db.url, async (c) => {
      expect((await c.query('select count(*)::int as n from stepback_migrations')).rows[0].n).toBe(0);
      expect((await c.query(`select kind, name from stepback_events`)).rows).toEqual([
        { kind: 'failure', name: '0003_three' },
      ]);
    });
  });

  it('--single-transaction applies a good batch all together', async () => {
    const db = await freshDb('single_ok');
    const good = { ...files, '0003_three.up.sql': 'create table three (x int);' };
    const run = await cli(db, ['--dir', migrationsDir(good), 'up', '--single-transaction', '--json']);
    expect(run.code).toBe(0);
    expect(jsonLine(run).applied).toHaveLength(5);
    await withClient(db.url, async (c) => {
      expect((await c.query('select count(*)::int as n from stepback_migrations')).rows[0].n).toBe(5);
    });
  });

  it('a failing JS module rolls back its own changes', async () => {
    const db = await freshDb('failjs');
    const dir = migrationsDir({
      '0001_ok.up.sql': 'create table ok (x int);',
      '0002_bad.mjs':
        "export async function up({ sql }) { await sql('create table bad (x int)'); throw new Error('boom in js'); }",
    });
    const run = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(run.code).toBe(1);
    expect(jsonLine(run).failed).toEqual({ name: '0002_bad', message: 'boom in js' });
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('bad') as t`)).rows[0].t).toBeNull();
      expect((await c.query('select name from stepback_migrations')).rows).toEqual([{ name: '0001_ok' }]);
    });
  });
});
