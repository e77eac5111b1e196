/**
 * `stepback sync` and `down --sources-from` on real PostgreSQL, through the built CLI, with releases
 * recorded by the record-release flow into a file store (manifest + source bundle).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRollback } from '../../src/core/rollback-plan.ts';
import { status } from '../../src/migrate/index.ts';
import { loadReleaseSources } from '../../src/pipeline/local/sources.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { FileStore } from '../../src/stores/file-store.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { snapshot } from '../support/snapshot.ts';
import { allowSlowProcesses, applyWithApi, type CliRun, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();

const v1 = {
  '0001_users.up.sql': 'create table users (id int primary key, full_name text not null);',
  '0001_users.down.sql': 'drop table users;',
  '0002_seed.up.sql': "insert into users values (1, 'Ada Lovelace'), (2, 'Alan Turing');",
  '0002_seed.down.sql': 'delete from users where id in (1, 2);',
};
const v2 = {
  ...v1,
  // Moves data: the down must put it back where v1 expects it.
  '0003_split_names/up.sql': `alter table users add column first text, add column last text;
update users set first = split_part(full_name, ' ', 1), last = split_part(full_name, ' ', 2);
alter table users drop column full_name;`,
  '0003_split_names/down.sql': `alter table users add column full_name text;
update users set full_name = first || ' ' || last;
alter table users alter column full_name set not null;
alter table users drop column first, drop column last;`,
};
const v3 = {
  ...v2,
  '0004_posts.up.sql': 'create table posts (id int primary key, user_id int references users (id));',
  '0004_posts.down.sql': 'drop table posts;',
  '0005_posts_idx.up.sql':
    '-- stepback:no-transaction\ncreate index concurrently if not exists posts_user_idx on posts (user_id);',
  '0005_posts_idx.down.sql': '-- stepback:no-transaction\ndrop index concurrently if exists posts_user_idx;',
};

const silent = { info() {}, warn() {}, error() {}, group: <T>(_t: string, fn: () => Promise<T>) => fn() };

/** Records each release (manifest + bundle) the way record-release does; returns the store directory. */
async function recordAll(releases: [string, string][]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-store-'));
  const store = new FileStore(dir);
  for (const [release, migrations] of releases) {
    const { migrations: entries, sources } = await loadReleaseSources(migrations, release);
    await recordRelease({ release, migrations: entries, sources, now: new Date() }, { store }, silent);
  }
  return dir;
}

const cli = (db: TestDatabase, args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url }, password: db.password });

/** The one stdout line of `sync --json`: a stepback/sync@1 document. */
function syncLine(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  const doc = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(doc.format).toBe('stepback/sync@1');
  return doc;
}

async function appliedNames(url: string): Promise<string[]> {
  return withClient(url, async (c) =>
    (await c.query('select name from stepback_migrations order by applied_order')).rows.map((r) => r.name),
  );
}

async function eventCount(url: string): Promise<number> {
  return withClient(url, async (c) =>
    Number((await c.query('select count(*) from stepback_events')).rows[0].count),
  );
}

describe('stepback sync', () => {
  it('reverts v3 and v2 from their bundles with only v1 on disk, proves v1 schema and data, and a second run changes nothing', async () => {
    const db = await freshDb('sync_back');
    const dirs = { v1: migrationsDir(v1), v2: migrationsDir(v2), v3: migrationsDir(v3) };
    const storeDir = await recordAll([
      ['v1', dirs.v1],
      ['v2', dirs.v2],
      ['v3', dirs.v3],
    ]);
    await applyWithApi(db.url, dirs.v1, 'v1');
    const atV1 = await snapshot(db.url, { state: false });
    const usersAtV1 = await withClient(
      db.url,
      async (c) => (await c.query('select * from users order by id')).rows,
    );
    await applyWithApi(db.url, dirs.v2, 'v2');
    await applyWithApi(db.url, dirs.v3, 'v3');
    // The newer releases' files are gone: only the store has them.
    rmSync(dirs.v2, { recursive: true });
    rmSync(dirs.v3, { recursive: true });

    const run = await cli(db, [
      '--dir',
      dirs.v1,
      'sync',
      '--to-release',
      'v1',
      '--store',
      `file://${storeDir}`,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const out = syncLine(run);
    expect(out).toMatchObject({
      action: 'down',
      fromRelease: 'v3',
      toRelease: 'v1',
      sources: 'bundle',
      ok: true,
    });
    expect((out.reverted as { name: string }[]).map((r) => r.name)).toEqual([
      '0005_posts_idx',
      '0004_posts',
      '0003_split_names',
    ]);
    expect(out.proof).toMatchObject({ matches: true, release: 'v1' });
    expect(await appliedNames(db.url)).toEqual(['0001_users', '0002_seed']);
    expect(await snapshot(db.url, { state: false })).toEqual(atV1);
    expect(
      await withClient(db.url, async (c) => (await c.query('select * from users order by id')).rows),
    ).toEqual(usersAtV1);

    // A controller retrying the hook: nothing to do, nothing changes, exit 0.
    const events = await eventCount(db.url);
    const again = await cli(db, [
      '--dir',
      dirs.v1,
      'sync',
      '--to-release',
      'v1',
      '--store',
      `file://${storeDir}`,
      '--json',
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(syncLine(again)).toMatchObject({ action: 'none', ok: true, proof: { matches: true } });
    expect(await eventCount(db.url)).toBe(events);
    expect(await snapshot(db.url, { state: false })).toEqual(atV1);
  });

  it('migrates forward from the bundle with no migrations directory, is a no-op at the release, and refuses a rollback it could not prove', async () => {
    const db = await freshDb('sync_fwd');
    const storeDir = await recordAll([
      ['v2', migrationsDir(v2)],
      ['v3', migrationsDir(v3)],
    ]);
    const noDir = join(tmpdir(), 'stepback-no-such-dir');
    const store = `file://${storeDir}`;

    const fwd = await cli(db, ['--dir', noDir, 'sync', '--to-release', 'v3', '--store', store, '--json']);
    expect(fwd.code, fwd.stderr).toBe(0);
    expect(syncLine(fwd)).toMatchObject({ action: 'up', sources: 'bundle', proof: { matches: true } });
    expect(await appliedNames(db.url)).toEqual(
      Object.keys(v3)
        .filter((f) => !f.includes('down'))
        .map((f) => f.replace(/(\.up\.sql|\/up\.sql)$/, ''))
        .sort(),
    );

    const before = await snapshot(db.url);
    const same = await cli(db, ['--dir', noDir, 'sync', '--to-release', 'v3', '--store', store, '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(syncLine(same)).toMatchObject({ action: 'none' });
    expect(await snapshot(db.url)).toEqual(before);

    // v2 was never migrated on this database, so nothing records what its schema is: refused up front.
    const back = await cli(db, ['--dir', noDir, 'sync', '--to-release', 'v2', '--store', store, '--json']);
    expect(back.code, back.stderr).toBe(3);
    expect(syncLine(back)).toMatchObject({ action: 'down', ok: false });
    expect(back.stderr).toMatch(/no fingerprint recorded for release v2/);
    expect(await snapshot(db.url)).toEqual(before);
  });

  it('refuses a bundle with one byte of a down file changed, before anything runs', async () => {
    const db = await freshDb('sync_tamper');
    const dirs = { v1: migrationsDir(v1), v3: migrationsDir(v3) };
    const storeDir = await recordAll([
      ['v1', dirs.v1],
      ['v3', dirs.v3],
    ]);
    await applyWithApi(db.url, dirs.v1, 'v1');
    await applyWithApi(db.url, dirs.v3, 'v3');
    const bundlePath = join(storeDir, 'sources', 'v3.json');
    const text = readFileSync(bundlePath, 'utf8');
    const tampered = text.replace('drop table posts;', 'drop table posts:');
    expect(tampered).not.toBe(text);
    writeFileSync(bundlePath, tampered);
    const before = await snapshot(db.url);

    const run = await cli(db, [
      '--dir',
      dirs.v1,
      'sync',
      '--to-release',
      'v1',
      '--store',
      `file://${storeDir}`,
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/source bundle of release v3 .* cannot be trusted/);
    expect(run.stderr).toMatch(/its digest is sha256:[0-9a-f]{64}, but the manifest of v3 records/);
    expect(await snapshot(db.url)).toEqual(before);
  });
});

describe('down --plan --sources-from', () => {
  it("runs the plan's newer release's downs from its bundle without a migrations directory", async () => {
    const db = await freshDb('down_sources');
    const dirs = { v1: migrationsDir(v1), v2: migrationsDir(v2) };
    const storeDir = await recordAll([
      ['v1', dirs.v1],
      ['v2', dirs.v2],
    ]);
    await applyWithApi(db.url, dirs.v1, 'v1');
    const atV1 = await snapshot(db.url, { state: false });
    await applyWithApi(db.url, dirs.v2, 'v2');
    const store = new FileStore(storeDir);
    const planned = planRollback({
      newer: await store.get('v2'),
      older: await store.get('v1'),
      status: await status({ databaseUrl: db.url, dir: dirs.v2, env: {} }),
    });
    expect(planned.ok).toBe(true);
    const planFile = join(mkdtempSync(join(tmpdir(), 'stepback-plan-')), 'plan.json');
    writeFileSync(planFile, JSON.stringify(planned.ok && planned.plan));
    rmSync(dirs.v2, { recursive: true });

    const run = await cli(db, [
      '--dir',
      join(tmpdir(), 'stepback-no-such-dir'),
      'down',
      '--plan',
      planFile,
      '--sources-from',
      `file://${storeDir}`,
      '--release',
      'v1',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = jsonLine(run);
    expect(result.reverted.map((r) => r.name)).toEqual(['0003_split_names']);
    expect(result.verification).toMatchObject({ matches: true });
    expect(run.stderr).toMatch(/from its source bundle in file:\/\//);
    expect(await snapshot(db.url, { state: false })).toEqual(atV1);
  });

  it('refuses --sources-from without --plan (usage, exit 2)', async () => {
    const db = await freshDb('down_sources_usage');
    const run = await cli(db, ['down', '--to', '0', '--sources-from', 'file:///tmp/x', '--json']);
    expect(run.code).toBe(2);
    expect(jsonLine(run).error).toMatch(/--sources-from needs --plan/);
  });
});
