/**
 * node-pg-migrate's SQL layout and its `pgmigrations` table, against the real node-pg-migrate (the dev
 * dependency the benchmark also runs): the directory is read in node-pg-migrate's order, a database it
 * migrated is taken over by `up --adopt` in one run and ends in the schema stepback alone makes, and a history
 * naming a file the directory no longer has is refused with nothing changed.
 */
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runner } from 'node-pg-migrate';
import { afterAll, describe, expect, it } from 'vitest';
import type { SchemaFingerprint } from '../../../src/core/schema-diff.ts';
import { adopt } from '../../../src/migrate/adopt/adopt.ts';
import { up } from '../../../src/migrate/index.ts';
import { readMigrationDirectory } from '../../../src/migrate/sources.ts';
import { fingerprintSchema } from '../../../src/schema/fingerprint.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';
import { rowsOf } from './tools.ts';

const freshDb = databasesForThisFile();
const fixtures = resolve(import.meta.dirname, '../../fixtures/tools/node-pg-migrate');
const work = mkdtempSync(join(tmpdir(), 'stepback-npm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NAMES = [
  '1700000000000_create-users',
  '1700000000001_add-email',
  '1700000000002_seed-admin',
  '1700000000010_posts',
];

/** The first `count` migrations of `dir` applied by node-pg-migrate itself, one transaction each. */
const nodePgMigrate = (url: string, dir: string, count: number) =>
  runner({
    databaseUrl: url,
    dir,
    direction: 'up',
    count,
    migrationsTable: 'pgmigrations',
    singleTransaction: false,
    log: () => {},
  });

/** The schema without either tool's bookkeeping (stepback leaves its own tables out itself). */
const schemaOf = (url: string): Promise<SchemaFingerprint> =>
  withClient(url, (c) => fingerprintSchema(c, { excludeTables: ['pgmigrations'] }));

describe('node-pg-migrate', () => {
  it('its SQL layout is detected and read in its order, each step split at its markers', async () => {
    const read = await readMigrationDirectory(fixtures);
    expect(read.layout).toBe('node-pg-migrate');
    expect(read.sources.map((m) => [m.name, m.id, m.reversible, m.transactional])).toEqual([
      [NAMES[0], '1700000000000', true, true],
      [NAMES[1], '1700000000001', true, true],
      [NAMES[2], '1700000000002', false, true],
      [NAMES[3], '1700000000010', true, true],
    ]);
    expect(read.sources[1]!.upSql!.trim()).toBe('alter table users add column email text;');
    expect(read.sources[1]!.downSql!.trim()).toBe('alter table users drop column email;');
  });

  it('a database node-pg-migrate migrated is adopted by up --adopt and the rest applied, to the schema stepback alone makes', async () => {
    const db = await freshDb('npm_adopt');
    await nodePgMigrate(db.url, fixtures, 3);
    const table = await withClient(db.url, (c) => rowsOf(c, 'pgmigrations'));
    expect(table.map((r) => (r as { name: string }).name)).toEqual(NAMES.slice(0, 3));

    const result = await up({ databaseUrl: db.url, dir: fixtures, env: {}, release: 'v1', adopt: true });
    expect(result.error).toBeNull();
    expect(result.adoption).toMatchObject({
      adopted: true,
      from: 'node-pg-migrate',
      table: '"public"."pgmigrations"',
      release: 'adopted-node-pg-migrate',
      migrations: NAMES.slice(0, 3),
    });
    expect(result.applied.map((a) => a.name)).toEqual([NAMES[3]]);
    await withClient(db.url, async (c) => expect(await rowsOf(c, 'pgmigrations')).toEqual(table));

    const alone = await freshDb('npm_alone');
    expect((await up({ databaseUrl: alone.url, dir: fixtures, env: {} })).error).toBeNull();
    expect(await schemaOf(db.url)).toEqual(await schemaOf(alone.url));
  });

  it('a row naming a file the directory does not have (renamed) is refused; nothing is recorded', async () => {
    const db = await freshDb('npm_renamed');
    await nodePgMigrate(db.url, fixtures, 3);
    const dir = join(work, 'renamed');
    cpSync(fixtures, dir, { recursive: true });
    renameSync(join(dir, `${NAMES[1]}.sql`), join(dir, '1700000000001_add-user-email.sql'));
    const result = await adopt({ databaseUrl: db.url, dir, env: {} });
    expect(result.exitCode).toBe(3);
    expect(result.error).toContain(`has version(s) ${NAMES[1]} applied that this directory does not contain`);
    expect(result.error).toContain('1700000000001_add-user-email is not applied');
    await withClient(db.url, async (c) =>
      expect((await c.query(`select to_regclass('stepback_migrations') as t`)).rows[0].t).toBeNull(),
    );
  });
});
