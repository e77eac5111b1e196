/** down --to, down --plan (with resume after a half-done revert), and resolve. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { planRollback, type RollbackPlan } from '../../src/core/rollback-plan.ts';
import { loadMigrations, manifestMigrations, status } from '../../src/migrate/index.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { snapshot } from '../support/snapshot.ts';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[], env: Record<string, string> = {}, stdin?: string) =>
  runCli(args, { env: { DATABASE_URL: db.url, ...env }, password: db.password, stdin });

const v1 = {
  '0001_flags.up.sql': 'create table flags (name text primary key);',
  '0001_flags.down.sql': 'drop table flags;',
  '0002_users.up.sql':
    "create table users (id int primary key, email text);\ninsert into users values (1, 'a@x');",
  '0002_users.down.sql': 'drop table users;',
};
const v2 = {
  ...v1,
  '0003_orders/up.sql': 'create table orders (id int primary key, user_id int references users (id));',
  '0003_orders/down.sql': 'drop table orders;',
  // Its down refuses while the flag is set: an operator must act first (a half-done rollback).
  '0004_users_name.up.sql':
    'alter table users add column name text;\ncreate index users_name_idx on users (name);',
  '0004_users_name.down.sql': `do $$ begin
  if exists (select 1 from flags where name = 'block-0004') then raise exception 'blocked by flag block-0004'; end if;
end $$;
drop index users_name_idx;
alter table users drop column name;`,
  '0005_audit.mjs': `export async function up({ sql }) { await sql('create table audit (at timestamptz default now())'); }
export async function down({ sql }) { await sql('drop table audit'); }`,
};

describe('down --to', () => {
  it('reverts after NAME (exclusive), and up again returns the schema to the same snapshot', async () => {
    const db = await freshDb('downto');
    const dir = migrationsDir(v2);
    await applyWithApi(db.url, dir);
    const full = await snapshot(db.url, { state: false });
    const run = await cli(db, ['--dir', dir, 'down', '--to', '0002_users', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = jsonLine(run);
    expect(result.reverted.map((r) => r.name)).toEqual(['0005_audit', '0004_users_name', '0003_orders']);
    expect(run.stderr).toMatch(/reverted 0005_audit \(\d+ ms\)/);
    await withClient(db.url, async (c) => {
      expect(
        (await c.query('select name from stepback_migrations order by applied_order')).rows.map(
          (r) => r.name,
        ),
      ).toEqual(['0001_flags', '0002_users']);
      const reverts = await c.query(`select name from stepback_events where kind = 'revert' order by id`);
      expect(reverts.rows.map((r) => r.name)).toEqual(['0005_audit', '0004_users_name', '0003_orders']);
      expect((await c.query(`select to_regclass('orders') as t`)).rows[0].t).toBeNull();
    });
    expect((await cli(db, ['--dir', dir, 'up'])).code).toBe(0);
    expect(await snapshot(db.url, { state: false })).toEqual(full);
  });

  it('--to 0 reverts everything', async () => {
    const db = await freshDb('downzero');
    const empty = await snapshot(db.url, { state: false });
    const dir = migrationsDir(v2);
    await applyWithApi(db.url, dir);
    const run = await cli(db, ['--dir', dir, 'down', '--to', '0', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLine(run).reverted).toHaveLength(5);
    const after = await snapshot(db.url, { state: false });
    // Only stepback's own tables remain.
    expect({ ...after, columns: [], constraints: [], indexes: [] }).toEqual({
      ...empty,
      columns: [],
      constraints: [],
      indexes: [],
    });
    expect(
      (after.columns as { table_name: string }[]).every((c) => c.table_name.startsWith('stepback_')),
    ).toBe(true);
  });
});

async function planFor(db: TestDatabase): Promise<RollbackPlan> {
  const createdAt = new Date('2026-11-21T10:00:00Z');
  const newer = buildManifest({
    release: 'v2',
    createdAt,
    migrations: manifestMigrations(await loadMigrations(migrationsDir(v2))),
  });
  const older = buildManifest({
    release: 'v1',
    createdAt,
    migrations: manifestMigrations(await loadMigrations(migrationsDir(v1))),
  });
  const current = await status({ databaseUrl: db.url, dir: migrationsDir(v2), env: {} });
  const planned = planRollback({ newer, older, status: current });
  if (!planned.ok) throw new Error(planned.reasons.join('; '));
  return planned.plan;
}

describe('down --plan', () => {
  it('reverts exactly the planned migrations; after a half-done revert a re-run continues where it stopped', async () => {
    const db = await freshDb('plan');
    const v1dir = migrationsDir(v1);
    const v2dir = migrationsDir(v2);
    await applyWithApi(db.url, v1dir, 'v1');
    const atV1 = await snapshot(db.url, { state: false });
    await applyWithApi(db.url, v2dir, 'v2');
    const plan = await planFor(db);
    expect(plan.revert.map((r) => r.name)).toEqual(['0005_audit', '0004_users_name', '0003_orders']);
    const planFile = join(migrationsDir({}), 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));

    await withClient(db.url, (c) => c.query(`insert into flags values ('block-0004')`));
    const first = await cli(db, ['--dir', v2dir, 'down', '--plan', planFile, '--json']);
    expect(first.code, first.stderr).toBe(1);
    const failed = jsonLine(first);
    expect(failed.reverted.map((r) => r.name)).toEqual(['0005_audit']);
    expect(failed.failed?.name).toBe('0004_users_name');
    expect(failed.failed?.message).toMatch(/blocked by flag block-0004/);
    await withClient(db.url, async (c) => {
      expect(
        (await c.query('select name from stepback_migrations order by applied_order')).rows.map(
          (r) => r.name,
        ),
      ).toEqual(['0001_flags', '0002_users', '0003_orders', '0004_users_name']);
      // The failed down left its migration fully in place.
      expect((await c.query(`select to_regclass('users_name_idx') as t`)).rows[0].t).toBe('users_name_idx');
      await c.query(`delete from flags where name = 'block-0004'`);
    });

    // The re-run, with the plan from the environment (gzip + base64, as a task override carries it).
    const encoded = `gz:${gzipSync(JSON.stringify(plan)).toString('base64')}`;
    const second = await cli(db, ['--dir', v2dir, 'down', '--plan', '--json'], { STEPBACK_PLAN: encoded });
    expect(second.code, second.stderr).toBe(0);
    const done = jsonLine(second);
    expect(done.reverted.map((r) => r.name)).toEqual(['0004_users_name', '0003_orders']);
    expect(second.stderr).toMatch(/resuming: already reverted 0005_audit/);
    expect(done.verification).toMatchObject({ release: 'v1', matches: true });
    expect(await snapshot(db.url, { state: false })).toEqual(atV1);

    // Once done, the plan holds nothing more to do.
    const third = await cli(db, ['--dir', v2dir, 'down', '--plan', planFile, '--json']);
    expect(third.code, third.stderr).toBe(0);
    expect(jsonLine(third).reverted).toEqual([]);
  });

  it('refuses (exit 3, nothing changed) when the database moved since the plan was made; plan read from stdin', async () => {
    const db = await freshDb('planstale');
    const v2dir = migrationsDir(v2);
    await applyWithApi(db.url, migrationsDir(v1), 'v1');
    await applyWithApi(db.url, v2dir, 'v2');
    const plan = await planFor(db);
    const v3dir = migrationsDir({
      ...v2,
      '0006_more.up.sql': 'create table more (x int);',
      '0006_more.down.sql': 'drop table more;',
    });
    await applyWithApi(db.url, v3dir, 'v3');
    const before = await snapshot(db.url);
    const run = await cli(db, ['--dir', v3dir, 'down', '--plan', '-', '--json'], {}, JSON.stringify(plan));
    expect(run.code, run.stderr).toBe(3);
    expect(jsonLine(run).error).toMatch(/0006_more/);
    expect(await snapshot(db.url)).toEqual(before);
  });

  it('refuses when the down file on disk differs from the plan', async () => {
    const db = await freshDb('plandrift');
    await applyWithApi(db.url, migrationsDir(v1), 'v1');
    await applyWithApi(db.url, migrationsDir(v2), 'v2');
    const plan = await planFor(db);
    const changed = migrationsDir({ ...v2, '0003_orders/down.sql': 'drop table orders cascade;' });
    const before = await snapshot(db.url);
    const run = await cli(db, ['--dir', changed, 'down', '--plan', '-', '--json'], {}, JSON.stringify(plan));
    expect(run.code, run.stderr).toBe(3);
    expect(jsonLine(run).error).toMatch(/0003_orders.*down/);
    expect(await snapshot(db.url)).toEqual(before);
  });

  it('an unreadable or invalid plan is a usage error', async () => {
    const db = await freshDb('planbad');
    const dir = migrationsDir(v1);
    const missing = await cli(db, ['--dir', dir, 'down', '--plan', '/nonexistent/plan.json', '--json']);
    expect(missing.code).toBe(2);
    expect(jsonLine(missing).error).toMatch(/cannot read/);
    const invalid = await cli(db, ['--dir', dir, 'down', '--plan', '-', '--json'], {}, '{"format":"nope"}');
    expect(invalid.code).toBe(2);
  });
});

describe('resolve', () => {
  it('records a hand-applied and a hand-reverted migration as resolve events', async () => {
    const db = await freshDb('resolve');
    const dir = migrationsDir(v2);
    await applyWithApi(db.url, migrationsDir(v1));
    // The operator applied 0003 by hand.
    await withClient(db.url, (c) =>
      c.query('create table orders (id int primary key, user_id int references users (id))'),
    );
    const applied = await cli(
      db,
      ['--dir', dir, 'resolve', '--applied', '0003_orders', '--reason', 'applied by hand', '--json'],
      {
        STEPBACK_ACTOR: 'ops-alice',
      },
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(jsonLine(applied)).toMatchObject({
      command: 'resolve',
      ok: true,
      applied: [{ name: '0003_orders' }],
    });
    const status = JSON.parse((await cli(db, ['--dir', dir, 'status', '--json'])).stdout);
    expect(status.applied.map((a: { name: string }) => a.name)).toEqual([
      '0001_flags',
      '0002_users',
      '0003_orders',
    ]);
    expect(status.drifted).toEqual([]);

    const reverted = await cli(db, ['--dir', dir, 'resolve', '--reverted', '0002_users', '--json']);
    expect(reverted.code).toBe(0);
    await withClient(db.url, async (c) => {
      const events = await c.query(
        `select name, actor, detail from stepback_events where kind = 'resolve' order by id`,
      );
      expect(events.rows).toEqual([
        { name: '0003_orders', actor: 'ops-alice', detail: { action: 'applied', reason: 'applied by hand' } },
        { name: '0002_users', actor: expect.any(String), detail: { action: 'reverted', reason: null } },
      ]);
      expect((await c.query(`select 1 from stepback_migrations where name = '0002_users'`)).rowCount).toBe(0);
    });
    // Contradictions are usage errors.
    expect((await cli(db, ['--dir', dir, 'resolve', '--applied', '0003_orders'])).code).toBe(2);
    expect((await cli(db, ['--dir', dir, 'resolve', '--reverted', '0005_audit'])).code).toBe(2);
    expect((await cli(db, ['--dir', dir, 'resolve'])).code).toBe(2);
  });

  it('refuses a second --applied or --reverted instead of keeping only the last, and records nothing', async () => {
    const db = await freshDb('resolve_two');
    const dir = migrationsDir(v2);
    await applyWithApi(db.url, migrationsDir(v1));
    const events = () =>
      withClient(
        db.url,
        async (c) => (await c.query(`select count(*)::int as n from stepback_events`)).rows[0].n,
      );
    const before = await events();
    for (const args of [
      ['--applied', '0003_orders', '--applied', '0004_users_name'],
      ['--applied', '0003_orders', '--reverted', '0002_users'],
    ]) {
      const run = await cli(db, ['--dir', dir, 'resolve', ...args, '--json']);
      expect(run.code).toBe(2);
      expect(jsonLine(run).error).toContain(
        `resolve records one migration per run; got --${args[0]!.slice(2)} ${args[1]}, --${args[2]!.slice(2)} ${args[3]}`,
      );
    }
    expect(await events()).toBe(before);
    const applied = JSON.parse((await cli(db, ['--dir', dir, 'status', '--json'])).stdout).applied;
    expect(applied.map((a: { name: string }) => a.name)).toEqual(['0001_flags', '0002_users']);
  });
});
