/**
 * A no-transaction migration that dies half-way: CREATE INDEX CONCURRENTLY (IF NOT EXISTS, as the README
 * advises) that fails mid-build leaves an INVALID index, which a re-run's IF NOT EXISTS would skip and
 * record as applied. stepback checks for invalid indexes a no-transaction step leaves (or names) before
 * recording it, says how to fix it, and `status` and `verify` report them.
 */
import { describe, expect, it } from 'vitest';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const cli = (db: TestDatabase, args: string[]) =>
  runCli(args, { env: { DATABASE_URL: db.url }, password: db.password });

const index =
  '-- stepback:no-transaction\ncreate unique index concurrently if not exists t_x_idx on t (x);\n';

async function recorded(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (await c.query('select name from stepback_migrations order by applied_order')).rows.map((r) => r.name),
  );
}

describe('an invalid index left by a no-transaction migration', () => {
  it('fails the run with the fix spelled out, and the re-run (IF NOT EXISTS) does not record it either', async () => {
    const db = await freshDb('notx_invalid');
    // Duplicates make the unique build fail after the index was created: it stays behind, invalid.
    const dir = migrationsDir({
      '0001_t.up.sql': 'create table t (x int);\ninsert into t values (1), (1);\n',
      '0002_idx.up.sql': index,
    });
    const first = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(first.code, first.stderr).toBe(1);
    expect(jsonLine(first).failed?.name).toBe('0002_idx');
    expect(jsonLine(first).failed?.message).toMatch(
      /0002_idx left an invalid index: "public"\."t_x_idx" on t; it failed \(could not create unique index/,
    );
    expect(jsonLine(first).failed?.message).toContain(
      'Fix: DROP INDEX CONCURRENTLY "public"."t_x_idx"; then run again',
    );

    const again = await cli(db, ['--dir', dir, 'up', '--json']);
    expect(again.code, again.stderr).toBe(1);
    expect(jsonLine(again).failed?.message).toMatch(
      /left an invalid index: "public"\."t_x_idx" on t; it is not recorded/,
    );
    expect(await recorded(db)).toEqual(['0001_t']);

    // Following the fix (and removing the duplicate) lets the re-run finish.
    await withClient(db.url, (c) =>
      c
        .query('drop index concurrently "public"."t_x_idx"')
        .then(() => c.query('delete from t where ctid = (select max(ctid) from t)')),
    );
    const fixed = await cli(db, ['--dir', dir, 'up']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await recorded(db)).toEqual(['0001_t', '0002_idx']);
  });

  it('status lists invalid indexes (human and JSON)', async () => {
    const db = await freshDb('notx_status');
    const dir = migrationsDir({
      '0001_t.up.sql': 'create table t (x int);\ninsert into t values (1), (1);\n',
    });
    await applyWithApi(db.url, dir);
    await withClient(db.url, (c) =>
      c.query('create unique index concurrently t_x_idx on t (x)').catch(() => {}),
    );
    const human = await cli(db, ['--dir', dir, 'status']);
    expect(`${human.stdout}${human.stderr}`).toMatch(
      /INVALID {2}index public\.t_x_idx on t: .*DROP INDEX CONCURRENTLY/,
    );
    const json = await cli(db, ['--dir', dir, 'status', '--json']);
    expect(JSON.parse(json.stdout).invalidIndexes).toEqual([
      { schema: 'public', name: 't_x_idx', table: 't' },
    ]);
  });

  it('verify reports an index that became invalid since the release was recorded', async () => {
    const db = await freshDb('notx_verify');
    const dir = migrationsDir({
      '0001_t.up.sql': 'create table t (x int);\ncreate index t_x_idx on t (x);\n',
    });
    expect((await cli(db, ['--dir', dir, 'up', '--release', 'v1'])).code).toBe(0);
    // What an interrupted rebuild leaves: the same index, marked invalid (set directly, as the server does).
    await withClient(db.url, (c) =>
      c.query(`update pg_index set indisvalid = false where indexrelid = 'public.t_x_idx'::regclass`),
    );
    const run = await cli(db, ['verify', '--release', 'v1', '--json']);
    expect(run.code, run.stderr).toBe(3);
    expect(JSON.parse(run.stdout).differences.join('\n')).toMatch(/index t_x_idx: .*INVALID/);
  });
});
