/**
 * stepback against the real dbmate on the same directory: the same order, the same schema after up and after a
 * rollback, and a database dbmate migrated adopted by stepback ending in the schema stepback alone makes.
 *
 * The binary comes from npm's `@dbmate/linux-x64`, not the `dbmate` wrapper: the wrapper lists every platform's
 * binary as an optional dependency, and a registry without them all leaves a lock file `npm ci` refuses.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SchemaFingerprint } from '../../../src/core/schema-diff.ts';
import { adopt } from '../../../src/migrate/adopt/adopt.ts';
import { down, up } from '../../../src/migrate/index.ts';
import { fingerprintSchema } from '../../../src/schema/fingerprint.ts';
import { migrationsDir } from '../../cli/cli.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';

const run = promisify(execFile);
const freshDb = databasesForThisFile();
const fixtures = resolve(import.meta.dirname, '../../fixtures/tools/dbmate');
const dbmateBin = join(
  dirname(createRequire(import.meta.url).resolve('@dbmate/linux-x64/package.json')),
  'bin/dbmate',
);

/** Runs dbmate; its stdout lines. */
async function dbmate(url: string, dir: string, ...args: string[]): Promise<string[]> {
  const target = new URL(url);
  target.searchParams.set('sslmode', 'disable');
  const { stdout } = await run(
    dbmateBin,
    ['--url', target.toString(), '--migrations-dir', dir, '--no-dump-schema', ...args],
    { env: { PATH: process.env.PATH ?? '' } },
  );
  return stdout.split('\n').filter(Boolean);
}

/** The schema without either tool's bookkeeping (stepback leaves its own tables out itself). */
const schemaOf = (url: string): Promise<SchemaFingerprint> =>
  withClient(url, (c) => fingerprintSchema(c, { excludeTables: ['schema_migrations'] }));

const applying = (lines: string[], verb: string) =>
  lines.filter((l) => l.startsWith(`${verb}: `)).map((l) => l.slice(verb.length + 2).replace(/\.sql$/, ''));

describe('side by side with the real dbmate', () => {
  it('applies the files in the same order to the same schema, and rolls the latest back to the same schema', async () => {
    const [byDbmate, byStepback] = [await freshDb('dbmate_ref'), await freshDb('dbmate_sb')];
    const lines = await dbmate(byDbmate.url, fixtures, 'up');
    const result = await up({ databaseUrl: byStepback.url, dir: fixtures, env: {} });
    expect(result.error).toBeNull();
    const order = applying(lines, 'Applying');
    expect(order).toHaveLength(4);
    expect(result.applied.map((a) => a.name)).toEqual(order);
    expect(await schemaOf(byStepback.url)).toEqual(await schemaOf(byDbmate.url));

    const rolled = await dbmate(byDbmate.url, fixtures, 'rollback');
    const latest = applying(rolled, 'Rolling back');
    const reverted = await down({ databaseUrl: byStepback.url, dir: fixtures, to: order.at(-2)!, env: {} });
    expect(reverted.error).toBeNull();
    expect(reverted.reverted.map((r) => r.name)).toEqual(latest);
    expect(await schemaOf(byStepback.url)).toEqual(await schemaOf(byDbmate.url));
  });

  it('orders unpadded versions as dbmate does, by whole file name (10_c.sql sorts before 1_a.sql)', async () => {
    const [byDbmate, byStepback] = [await freshDb('dbmate_order_ref'), await freshDb('dbmate_order_sb')];
    const step = (n: string) =>
      `-- migrate:up\ncreate table t${n} (x int);\n-- migrate:down\ndrop table t${n};\n`;
    const dir = migrationsDir({ '1_a.sql': step('1'), '2_b.sql': step('2'), '10_c.sql': step('10') });
    const order = applying(await dbmate(byDbmate.url, dir, 'up'), 'Applying');
    expect(order).toEqual(['10_c', '1_a', '2_b']);
    const result = await up({ databaseUrl: byStepback.url, dir, env: {} });
    expect(result.applied.map((a) => a.name)).toEqual(order);
  });

  it('a database dbmate migrated, adopted, then taken to the end by stepback, has the schema stepback alone makes', async () => {
    const [migrated, alone] = [await freshDb('dbmate_adopted'), await freshDb('dbmate_alone')];
    // dbmate applied the first three migrations.
    const firstThree = mkdtempSync(join(tmpdir(), 'stepback-dbmate-'));
    try {
      cpSync(fixtures, firstThree, { recursive: true, filter: (src) => !src.endsWith('_posts.sql') });
      await dbmate(migrated.url, firstThree, 'up');
    } finally {
      rmSync(firstThree, { recursive: true, force: true });
    }
    const adopted = await adopt({ databaseUrl: migrated.url, dir: fixtures, env: {} });
    expect(adopted.error).toBeNull();
    expect(adopted).toMatchObject({ from: 'dbmate', pending: ['20240104120000_posts'] });
    expect(adopted.adopted).toHaveLength(3);
    const rest = await up({ databaseUrl: migrated.url, dir: fixtures, env: {} });
    expect(rest.applied.map((a) => a.name)).toEqual(['20240104120000_posts']);
    expect((await up({ databaseUrl: alone.url, dir: fixtures, env: {} })).ok).toBe(true);
    expect(await schemaOf(migrated.url)).toEqual(await schemaOf(alone.url));
    // dbmate's table is as dbmate left it.
    await withClient(migrated.url, async (c) => {
      const rows = await c.query('select version from schema_migrations order by 1');
      expect(rows.rows.map((r) => r.version)).toEqual(adopted.adopted.map((n) => n.slice(0, 14)));
    });
  });
});
