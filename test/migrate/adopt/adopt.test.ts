/**
 * Adopting a database each tool migrated (its table shape, its rows): adopt records what the tool applied
 * and runs nothing; `up` then applies only the new migrations; `down --to` reverts across the adoption
 * point; the tool's table is never written. Each refusal leaves the database as it was.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adopt } from '../../../src/migrate/adopt/adopt.ts';
import { down, status, up } from '../../../src/migrate/index.ts';
import { migrationsDir } from '../../cli/cli.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';
import { applyUps, rowsOf, toolTables } from './tools.ts';

const freshDb = databasesForThisFile();
const tools = resolve(import.meta.dirname, '../../fixtures/tools');

const golangDir = () =>
  migrationsDir({
    '1_users.up.sql': 'create table users (id int primary key);',
    '1_users.down.sql': 'drop table users;',
    '2_posts.up.sql': 'create table posts (id int primary key, user_id int references users (id));',
    '2_posts.down.sql': 'drop table posts;',
    '10_tags.up.sql': 'create table tags (name text primary key);',
    '10_tags.down.sql': 'drop table tags;',
  });

const dieselDir = () =>
  migrationsDir({
    '00000000000000_diesel_initial_setup/up.sql':
      'create function diesel_noop() returns void as $$ $$ language sql;',
    '00000000000000_diesel_initial_setup/down.sql': 'drop function diesel_noop();',
    '2016-08-15-133237_create_users/up.sql': 'create table users (id int primary key);',
    '2016-08-15-133237_create_users/down.sql': 'drop table users;',
    '2016-08-16-090000_create_posts/up.sql': 'create table posts (id int primary key);',
    '2016-08-16-090000_create_posts/down.sql': 'drop table posts;',
  });

const cases = [
  { tool: 'golang-migrate', dir: golangDir, table: 'schema_migrations' },
  { tool: 'migratus', dir: () => resolve(tools, 'migratus'), table: 'schema_migrations' },
  { tool: 'goose', dir: () => resolve(tools, 'goose'), table: 'goose_db_version' },
  { tool: 'flyway', dir: () => resolve(tools, 'flyway'), table: 'flyway_schema_history' },
  { tool: 'diesel', dir: dieselDir, table: '__diesel_schema_migrations' },
] as const;

/** Whether stepback's state table exists (a refusal must not even create it). */
const stepbackTables = (url: string) =>
  withClient(url, async (c) => (await c.query(`select to_regclass('stepback_migrations') as t`)).rows[0].t);

describe.each(cases)('adopting from $tool', ({ tool, dir: makeDir, table }) => {
  it('records what the tool applied, runs nothing, then up applies only the rest and down reverts across it', async () => {
    const db = await freshDb(`adopt_${tool.replace('-', '_')}`);
    const dir = makeDir();
    const opts = { databaseUrl: db.url, dir, env: {} };
    // The tool applied all but the last migration.
    const all = await applyUps(db.url, dir, 0);
    const applied = all.slice(0, -1);
    await applyUps(db.url, dir, applied.length);
    const before = await withClient(db.url, async (c) => {
      await toolTables[tool](c, applied);
      return rowsOf(c, table);
    });

    const dry = await adopt({ ...opts, dryRun: true });
    expect(dry.error).toBeNull();
    expect(dry).toMatchObject({ dryRun: true, from: tool, adopted: applied.map((m) => m.name) });
    expect(await stepbackTables(db.url)).toBeNull();

    const result = await adopt({ ...opts, actor: 'adopter' });
    expect(result.error).toBeNull();
    expect(result).toMatchObject({
      ok: true,
      from: tool,
      release: `adopted-${tool}`,
      adopted: applied.map((m) => m.name),
      pending: [all.at(-1)!.name],
    });
    expect(result.fingerprint).toMatchObject({ outcome: 'new' });
    await withClient(db.url, async (c) => {
      expect(await rowsOf(c, table)).toEqual(before);
      const rows = await c.query(
        'select name, release, actor from stepback_migrations order by applied_order',
      );
      expect(rows.rows).toEqual(
        applied.map((m) => ({ name: m.name, release: `adopted-${tool}`, actor: 'adopter' })),
      );
      const events = await c.query(`select kind, detail from stepback_events`);
      expect(events.rows).toHaveLength(1);
      expect(events.rows[0]).toMatchObject({
        kind: 'resolve',
        detail: { action: 'adopt', from: tool, count: applied.length },
      });
    });

    const s = await status(opts);
    expect(s.pending).toEqual([all.at(-1)!.name]);
    expect(s.drifted).toEqual([]);
    const next = await up(opts);
    expect(next.error).toBeNull();
    expect(next.applied.map((a) => a.name)).toEqual([all.at(-1)!.name]);

    // Across the adoption point: the new migration and the last adopted one, when that one has a down;
    // otherwise the revert stops at it, refused as irreversible.
    const lastAdopted = all.at(-2)!;
    if (lastAdopted.reversible) {
      const reverted = await down({ ...opts, to: all.at(-3)!.name });
      expect(reverted.error).toBeNull();
      expect(reverted.reverted.map((r) => r.name)).toEqual([all.at(-1)!.name, lastAdopted.name]);
    } else {
      const refused = await down({ ...opts, to: all.at(-3)!.name });
      expect(refused.exitCode).toBe(3);
      expect(refused.error).toContain(`${lastAdopted.name}: irreversible`);
      const reverted = await down({ ...opts, to: lastAdopted.name });
      expect(reverted.reverted.map((r) => r.name)).toEqual([all.at(-1)!.name]);
    }
    await withClient(db.url, async (c) => expect(await rowsOf(c, table)).toEqual(before));
  });
});

describe('adopt refuses, changing nothing', () => {
  const refusal = async (
    label: string,
    setup: (url: string) => Promise<void>,
    dir: string,
    options: { from?: string; to?: string } = {},
  ) => {
    const db = await freshDb(`adopt_refuse_${label}`);
    await setup(db.url);
    const tables = () =>
      withClient(db.url, async (c) => {
        const r = await c.query(
          `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
        );
        const out: Record<string, unknown[]> = {};
        for (const { table_name } of r.rows) out[table_name] = await rowsOf(c, `"${table_name}"`);
        return out;
      });
    const before = await tables();
    const result = await adopt({ databaseUrl: db.url, dir, env: {}, ...options });
    expect(await tables()).toEqual(before);
    expect(await stepbackTables(db.url)).toBeNull();
    expect(result.ok).toBe(false);
    return result;
  };

  it('a dirty golang-migrate version, naming it and what to do', async () => {
    const dir = golangDir();
    const r = await refusal(
      'dirty',
      async (url) => {
        const sources = await applyUps(url, dir, 2);
        await withClient(url, (c) => toolTables['golang-migrate'](c, sources.slice(0, 2), { dirty: true }));
      },
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/"schema_migrations" is dirty at version 2: .*force/);
  });

  it('a golang-migrate version the directory lacks', async () => {
    const dir = golangDir();
    const r = await refusal(
      'ahead',
      (url) =>
        withClient(url, async (c) => {
          await c.query(
            'create table schema_migrations (version bigint not null primary key, dirty boolean not null)',
          );
          await c.query('insert into schema_migrations values (11, false)');
        }),
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/is at version 11, which this directory does not contain/);
  });

  it("migratus's lock row left behind", async () => {
    const dir = resolve(tools, 'migratus');
    const r = await refusal(
      'lock',
      async (url) => {
        const sources = await applyUps(url, dir, 1);
        await withClient(url, async (c) => {
          await toolTables.migratus(c, sources.slice(0, 1));
          await c.query(`insert into schema_migrations values (-1, now(), 'lock')`);
        });
      },
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/holds migratus's lock row \(id -1\)/);
  });

  it('a gap: goose applied a later version but not an earlier one', async () => {
    const dir = resolve(tools, 'goose');
    const r = await refusal(
      'gap',
      async (url) => {
        const sources = await applyUps(url, dir, 3);
        await withClient(url, (c) => toolTables.goose(c, [sources[0]!, sources[2]!]));
      },
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/00002_touch_trigger is not applied, but 00003_seed_admin after it is/);
  });

  it('goose versions applied that the directory lacks; a goose revert row counts as not applied', async () => {
    const dir = resolve(tools, 'goose');
    const r = await refusal(
      'missing',
      async (url) => {
        const sources = await applyUps(url, dir, 1);
        await withClient(url, async (c) => {
          await toolTables.goose(c, sources.slice(0, 1));
          await c.query(
            'insert into goose_db_version (version_id, is_applied) values (99, true), (4, true), (4, false)',
          );
        });
      },
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/has version\(s\) 99 applied that this directory does not contain/);
    expect(r.error).not.toMatch(/00004/);
  });

  it('a failed Flyway row, and a Flyway checksum that disagrees with the file, both listed', async () => {
    const dir = resolve(tools, 'flyway');
    const r = await refusal(
      'flyway',
      async (url) => {
        const sources = await applyUps(url, dir, 2);
        await withClient(url, async (c) => {
          await toolTables.flyway(c, sources.slice(0, 2));
          await c.query('update flyway_schema_history set checksum = checksum + 1 where version = $1', [
            '1.2.9',
          ]);
          await c.query(`insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
            values (3, '1.2.10', 'backfill name', 'SQL', 'V1_2_10__backfill_name.sql', 0, 'flyway', 1, false)`);
        });
      },
      dir,
    );
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/has a failed row for V1_2_10__backfill_name\.sql/);
    expect(r.error).toMatch(/V1\.2\.9__add_name: flyway recorded checksum -?\d+ but the file has -?\d+/);
  });

  it('two tools found is a usage error naming both; --from picks one', async () => {
    const dir = resolve(tools, 'goose');
    const setup = async (url: string) => {
      const sources = await applyUps(url, dir, 1);
      await withClient(url, async (c) => {
        await toolTables.goose(c, sources.slice(0, 1));
        await toolTables.flyway(c, []);
      });
    };
    const r = await refusal('two', setup, dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(/found the state tables of goose \("public"\."goose_db_version"\) and flyway/);
    const db = await freshDb('adopt_from');
    await setup(db.url);
    const picked = await adopt({ databaseUrl: db.url, dir, env: {}, from: 'goose' });
    expect(picked.error).toBeNull();
    expect(picked.adopted).toEqual(['00001_create_users']);
  });

  it('a database stepback already migrated', async () => {
    const dir = golangDir();
    const db = await freshDb('adopt_twice');
    expect((await up({ databaseUrl: db.url, dir, env: {}, to: '1_users' })).ok).toBe(true);
    const r = await adopt({ databaseUrl: db.url, dir, env: {}, to: '2_posts' });
    expect(r.exitCode).toBe(3);
    expect(r.error).toMatch(/stepback already records 1 applied migration/);
    expect((await status({ databaseUrl: db.url, dir, env: {} })).applied.map((a) => a.name)).toEqual([
      '1_users',
    ]);
  });

  it('no state table at all: usage error pointing at --to; --to adopts that prefix', async () => {
    const dir = golangDir();
    const r = await refusal('none', async () => {}, dir);
    expect(r.exitCode).toBe(2);
    expect(r.error).toMatch(/no other tool's state table found/);
    expect(r.error).toMatch(/--to NAME/);
    const db = await freshDb('adopt_to');
    await applyUps(db.url, dir, 2);
    const to = await adopt({ databaseUrl: db.url, dir, env: {}, to: '2_posts', release: 'v7' });
    expect(to.error).toBeNull();
    expect(to).toMatchObject({
      from: null,
      release: 'v7',
      adopted: ['1_users', '2_posts'],
      pending: ['10_tags'],
    });
  });
});
