/**
 * Each layout read from a directory written in its tool's grammar (test/fixtures/tools): the migrations in
 * the tool's order, their up/down split and transaction flags; then applied to PostgreSQL, reverted, and
 * applied again.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { down, up } from '../../../src/migrate/index.ts';
import { readMigrationDirectory } from '../../../src/migrate/sources.ts';
import type { MigrationSource } from '../../../src/migrate/types.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';

const freshDb = databasesForThisFile();
const tools = resolve(import.meta.dirname, '../../fixtures/tools');

/** [name, id, reversible, up transactional, down transactional] */
const shape = (m: MigrationSource) => [m.name, m.id, m.reversible, m.transactional, m.downTransactional];

const golden = {
  goose: [
    ['00001_create_users', '00001', true, true, true],
    ['00002_touch_trigger', '00002', true, true, true],
    ['00003_seed_admin', '00003', false, true, true],
    ['00004_users_email_idx', '00004', true, false, false],
  ],
  dbmate: [
    ['20240101120000_create_users', '20240101120000', true, true, true],
    ['20240102120000_touch_trigger', '20240102120000', true, true, true],
    ['20240103120000_users_email_idx', '20240103120000', true, false, false],
    ['20240104120000_posts', '20240104120000', true, true, true],
  ],
  migratus: [
    ['1-create-users', '1', true, true, true],
    ['2-seed-roles', '2', false, true, true],
    ['10-users-email-idx', '10', true, false, false],
  ],
  flyway: [
    ['V1__create_users', '1', true, true, true],
    ['V1.2.9__add_name', '1.2.9', true, true, true],
    ['V1_2_10__backfill_name', '1.2.10', true, true, true],
    ['V1.3__seed', '1.3', false, true, true],
    ['V2__users_email_idx', '2', true, false, false],
  ],
} as const;

describe.each(Object.keys(golden) as (keyof typeof golden)[])('the %s layout', (tool) => {
  const dir = resolve(tools, tool);

  it('is detected and read in its order, with each step and its transaction flag', async () => {
    const read = await readMigrationDirectory(dir);
    expect(read.layout).toBe(tool);
    expect(read.sources.map(shape)).toEqual(golden[tool]);
  });

  it('applies to PostgreSQL, reverts everything, and applies again', async () => {
    const db = await freshDb(`golden_${tool}`);
    const opts = { databaseUrl: db.url, dir, env: {} };
    const first = await up(opts);
    expect(first.error).toBeNull();
    expect(first.applied.map((a) => a.name)).toEqual(golden[tool].map((g) => g[0]));
    const tables = () =>
      withClient(db.url, async (c) => {
        const r = await c.query(
          `select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'stepback%' order by 1`,
        );
        return r.rows.map((row) => row.table_name);
      });
    expect((await tables()).length).toBeGreaterThan(0);
    // Revert everything after the last irreversible migration (all of them when there is none).
    const sources = (await readMigrationDirectory(dir)).sources;
    const keep = sources.findLastIndex((s) => !s.reversible);
    const to = keep === -1 ? '0' : sources[keep]!.name;
    const reverted = await down({ ...opts, to });
    expect(reverted.error).toBeNull();
    const after = sources.slice(keep + 1).map((s) => s.name);
    expect(after.length).toBeGreaterThan(0);
    expect(reverted.reverted.map((r) => r.name)).toEqual([...after].reverse());
    if (keep === -1) expect(await tables()).toEqual([]);
    else {
      // Past an irreversible migration a revert is refused, with nothing changed.
      const refused = await down({ ...opts, to: '0' });
      expect(refused.exitCode).toBe(3);
      expect(refused.error).toContain(`${sources[keep]!.name}: irreversible`);
    }
    expect((await up(opts)).applied.map((a) => a.name)).toEqual(after);
  });
});

describe('layout steps', () => {
  it('goose: the Up and Down sections, annotations kept as the comments they are', async () => {
    const { sources } = await readMigrationDirectory(resolve(tools, 'goose'));
    const trigger = sources[1]!;
    expect(trigger.upSql).toContain('CREATE FUNCTION touch_updated_at()');
    expect(trigger.upSql).toContain('CREATE TRIGGER users_touch');
    expect(trigger.upSql).not.toContain('DROP TRIGGER');
    expect(trigger.downSql).toMatch(/^DROP TRIGGER users_touch ON users;/);
    expect(trigger.checksum).not.toBe(trigger.downChecksum);
  });

  it('dbmate: the sections under -- migrate:up and -- migrate:down', async () => {
    const { sources } = await readMigrationDirectory(resolve(tools, 'dbmate'));
    expect(sources[0]!.upSql).toMatch(/^create table users/);
    expect(sources[0]!.downSql).toBe('drop table users;\n');
  });

  it('flyway: the undo file is the down', async () => {
    const { sources } = await readMigrationDirectory(resolve(tools, 'flyway'));
    expect(sources[0]!.downPath).toBe(resolve(tools, 'flyway/U1__create_users.sql'));
    expect(sources[0]!.downSql).toBe('DROP TABLE users;\n');
  });
});
