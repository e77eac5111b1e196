/**
 * A rollback plan is bound to what it was made from: it records the two manifests' digests and its own
 * content digest, so a plan edited after `stepback plan` wrote it — a kept migration moved into `revert` — is
 * refused by `down --plan` (exit 3, nothing changed) instead of reverting a migration the target release
 * needs. Where both manifests are at hand (`--sources-from` or `--store`), a plan whose digest was made again
 * after the edit is still refused, naming what differs from the plan the manifests give. Plans of the first
 * format carry no digest and are refused with what to do.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RollbackPlan, sealPlan } from '../../src/core/rollback-plan.ts';
import { loadReleaseSources } from '../../src/pipeline/local/sources.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { FileStore } from '../../src/stores/file-store.ts';
import { allowSlowProcesses, applyWithApi, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();

const v1 = {
  '0001_users.up.sql': 'create table users (id int primary key);',
  '0001_users.down.sql': 'drop table users;',
  '0002_orders.up.sql': 'create table orders (id int primary key);',
  '0002_orders.down.sql': 'drop table orders;',
};
const v2 = {
  ...v1,
  '0003_posts.up.sql': 'create table posts (id int primary key);',
  '0003_posts.down.sql': 'drop table posts;',
};

const silent = { info() {}, warn() {}, error() {}, group: <T>(_t: string, fn: () => Promise<T>) => fn() };

async function tables(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query(
        "select tablename from pg_tables where schemaname = 'public' and tablename not like 'stepback%' order by 1",
      )
    ).rows.map((r) => r.tablename as string),
  );
}

/** v1 and v2 recorded in a file store (manifest and source bundle), v2 applied, and the plan v2 → v1. */
async function setup(name: string) {
  const db = await freshDb(name);
  const v1Dir = migrationsDir(v1);
  const v2Dir = migrationsDir(v2);
  const storeDir = mkdtempSync(join(tmpdir(), 'stepback-store-'));
  const store = new FileStore(storeDir);
  for (const [release, dir] of [
    ['v1', v1Dir],
    ['v2', v2Dir],
  ] as const) {
    const { migrations, sources } = await loadReleaseSources(dir, release);
    await recordRelease({ release, migrations, sources, now: new Date() }, { store }, silent);
  }
  await applyWithApi(db.url, v2Dir, 'v2');
  const work = mkdtempSync(join(tmpdir(), 'stepback-plan-'));
  const planFile = join(work, 'plan.json');
  const made = await runCli([
    'plan',
    '--from',
    'v2',
    '--to',
    'v1',
    '--store',
    `file://${storeDir}`,
    '--out',
    planFile,
  ]);
  expect(made.code, made.stderr).toBe(0);
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as RollbackPlan;
  expect(plan.format).toBe('stepback/plan@2');
  expect(plan.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(plan.revert.map((r) => r.name)).toEqual(['0003_posts']);
  expect(plan.keep).toEqual(['0001_users', '0002_orders']);
  return { db, v2Dir, storeDir, work, plan };
}

/** The edit: 0002_orders, which v1 keeps, moved into `revert` with v2's own checksums for it. */
async function movedIntoRevert(plan: RollbackPlan, v2Dir: string): Promise<RollbackPlan> {
  const { migrations } = await loadReleaseSources(v2Dir, 'v2');
  const orders = migrations.find((m) => m.name === '0002_orders')!;
  return {
    ...plan,
    revert: [
      ...plan.revert,
      { name: orders.name, checksum: orders.checksum, downChecksum: orders.downChecksum! },
    ],
    keep: ['0001_users'],
  };
}

function write(dir: string, name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return path;
}

describe('down --plan refuses a plan that is not the one `stepback plan` wrote', () => {
  it('a kept migration moved into revert: exit 3, the plan named as changed, every table still there', async () => {
    const { db, v2Dir, work, plan } = await setup('binding_edit');
    const edited = write(work, 'edited.json', await movedIntoRevert(plan, v2Dir));
    const run = await runCli(['--dir', v2Dir, 'down', '--plan', edited, '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('it was changed after `stepback plan` wrote it; nothing was changed');
    expect(run.stderr).toContain(`the plan records digest ${plan.digest}`);
    expect(run.stderr).toContain('reverts 0003_posts, 0002_orders');
    expect(await tables(db)).toEqual(['orders', 'posts', 'users']);

    // The plan as written runs: only 0003_posts goes.
    const ok = await runCli(['--dir', v2Dir, 'down', '--plan', write(work, 'plan.json', plan)], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await tables(db)).toEqual(['orders', 'users']);
  });

  it('the same edit with its digest made again: refused where the manifests are at hand, naming what differs', async () => {
    const { db, v2Dir, storeDir, work, plan } = await setup('binding_resealed');
    const resealed = write(work, 'resealed.json', sealPlan(await movedIntoRevert(plan, v2Dir)));
    const run = await runCli(['down', '--plan', resealed, '--sources-from', `file://${storeDir}`], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain("it is not the plan the releases' manifests");
    expect(run.stderr).toContain('the plan reverts 0002_orders, which v1 keeps');
    expect(await tables(db)).toEqual(['orders', 'posts', 'users']);

    // The same check with the downs from the directory: `--store` names where the manifests are.
    const withStore = await runCli(
      ['--dir', v2Dir, 'down', '--plan', resealed, '--store', `file://${storeDir}`],
      { env: { DATABASE_URL: db.url }, password: db.password },
    );
    expect(withStore.code, withStore.stderr).toBe(3);
    expect(withStore.stderr).toContain('the plan reverts 0002_orders, which v1 keeps');
    expect(await tables(db)).toEqual(['orders', 'posts', 'users']);
    const asMade = await runCli(
      ['--dir', v2Dir, 'down', '--plan', write(work, 'plan.json', plan), '--store', `file://${storeDir}`],
      { env: { DATABASE_URL: db.url }, password: db.password },
    );
    expect(asMade.code, asMade.stderr).toBe(0);
    expect(await tables(db)).toEqual(['orders', 'users']);
  });

  it('a plan naming another manifest than the store holds: refused with both digests', async () => {
    const { db, storeDir, work, plan } = await setup('binding_digest');
    const other = `sha256:${'0'.repeat(64)}`;
    const doc = write(work, 'other.json', sealPlan({ ...plan, to: { ...plan.to, manifestDigest: other } }));
    const run = await runCli(['down', '--plan', doc, '--sources-from', `file://${storeDir}`], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(`the plan's to is v1 (${other}), but the manifest at hand is v1 (sha256:`);
    expect(await tables(db)).toEqual(['orders', 'posts', 'users']);
  });

  it('a plan of the first format (no digest): exit 2, saying to make the plan again', async () => {
    const { db, v2Dir, work, plan } = await setup('binding_v1');
    const { digest: _digest, ...body } = plan;
    const old = write(work, 'old.json', { ...body, format: 'stepback/plan@1' });
    const run = await runCli(['--dir', v2Dir, 'down', '--plan', old], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('"stepback/plan@1" is a plan from an earlier stepback');
    expect(run.stderr).toContain('make the plan again');
    expect(await tables(db)).toEqual(['orders', 'posts', 'users']);
  });
});
