import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.ts';
import { down, loadMigrations, status, up } from '../../../src/migrate/index.ts';
import { compareIds } from '../../../src/migrate/layouts/order.ts';
import { migrationsDir } from '../../cli/cli.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';

const freshDb = databasesForThisFile();
const problemsOf = async (dir: string) => {
  const error = await loadMigrations(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).problems;
};
const pair = (names: string[]) =>
  Object.fromEntries(
    names.flatMap((n) => [
      [`${n}.up.sql`, 'select 1;'],
      [`${n}.down.sql`, 'select 1;'],
    ]),
  );

describe('numeric ids', () => {
  it.each([
    ['2', '10', -1],
    ['0002', '0010', -1],
    ['1.2.9', '1.2.10', -1],
    ['1.2', '1.2.1', -1],
    ['20240101T0900', '20240101T1000', -1],
    ['007', '7', 0],
  ])('%s against %s', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
    expect(Math.sign(compareIds(b, a))).toBe(sign === 0 ? 0 : -sign);
  });

  it('Flyway counts a missing part as 0 (1.0 is 1), other layouts sort the shorter id first', () => {
    expect(compareIds('1', '1.0', true)).toBe(0);
    expect(compareIds('1', '1.0')).toBeLessThan(0);
  });

  it('golang-migrate files run in numeric order: 1, 2, 10 (not 1, 10, 2 as text)', async () => {
    const sources = await loadMigrations(migrationsDir(pair(['10_c', '1_a', '2_b'])));
    expect(sources.map((s) => s.name)).toEqual(['1_a', '2_b', '10_c']);
  });

  it('refuses the same number written two ways, and a zero-padding mix that sorts differently as text', async () => {
    expect((await problemsOf(migrationsDir(pair(['01_a', '1_b', '2_c'])))).join('\n')).toMatch(
      /01_a and 1_b: ids 01 and 1 are the same number written two ways/,
    );
    expect((await problemsOf(migrationsDir(pair(['09_a', '1_b'])))).join('\n')).toMatch(
      /1_b and 09_a: ids mix zero-padded and unpadded numbers/,
    );
    // Widths that grew past their padding still sort the same both ways: no problem.
    const grown = await loadMigrations(migrationsDir(pair(['098_a', '099_b', '100_c', '1000_d'])));
    expect(grown.map((s) => s.id)).toEqual(['098', '099', '100', '1000']);
  });

  it('up applies in numeric order, status and --to follow it, down reverts newest first', async () => {
    const db = await freshDb('numeric_order');
    const dir = migrationsDir({
      '1_a.up.sql': 'create table a (x int);',
      '1_a.down.sql': 'drop table a;',
      '2_b.up.sql': 'alter table a add column y int;',
      '2_b.down.sql': 'alter table a drop column y;',
      '10_c.up.sql': 'alter table a add column z int;',
      '10_c.down.sql': 'alter table a drop column z;',
    });
    const opts = { databaseUrl: db.url, dir, env: {} };
    const first = await up({ ...opts, to: '2_b' });
    expect(first.error).toBeNull();
    expect(first.applied.map((a) => a.name)).toEqual(['1_a', '2_b']);
    expect((await status(opts)).pending).toEqual(['10_c']);
    expect((await status(opts)).outOfOrder).toEqual([]);
    expect((await up(opts)).applied.map((a) => a.name)).toEqual(['10_c']);
    await withClient(db.url, async (c) => {
      const rows = await c.query('select name from stepback_migrations order by applied_order');
      expect(rows.rows.map((r) => r.name)).toEqual(['1_a', '2_b', '10_c']);
    });
    expect((await down({ ...opts, to: '1_a' })).reverted.map((r) => r.name)).toEqual(['10_c', '2_b']);
  });
});
