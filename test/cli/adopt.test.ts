import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyUps, toolTables } from '../migrate/adopt/tools.ts';
import { databasesForThisFile, withClient } from '../support/pg.ts';
import { allowSlowProcesses, type CliRun, runCli } from './cli.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();
const goose = resolve(import.meta.dirname, '../fixtures/tools/goose');

/** The one stepback/adopt@1 line --json prints. */
function adoptLine(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines, run.stderr).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('stepback adopt', () => {
  it('--dry-run prints the plan and records nothing; then adopts, one JSON line, exit 0; refuses a second time with 3', async () => {
    const db = await freshDb('cli_adopt');
    const sources = await applyUps(db.url, goose, 2);
    await withClient(db.url, (c) => toolTables.goose(c, sources.slice(0, 2)));
    const cli = (args: string[]) =>
      runCli(['--dir', goose, 'adopt', ...args], { env: { DATABASE_URL: db.url }, password: db.password });

    const dry = await cli(['--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(adoptLine(dry)).toMatchObject({
      format: 'stepback/adopt@1',
      dryRun: true,
      from: 'goose',
      adopted: ['00001_create_users', '00002_touch_trigger'],
      pending: ['00003_seed_admin', '00004_users_email_idx'],
    });
    expect(dry.stderr).toMatch(/would adopt 2 migration\(s\) from goose \("public"\."goose_db_version"\)/);
    await withClient(db.url, async (c) =>
      expect((await c.query(`select to_regclass('stepback_migrations') as t`)).rows[0].t).toBeNull(),
    );

    const run = await cli(['--release', 'v41']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/adopted {2}00002_touch_trigger/);
    expect(run.stderr).toMatch(/schema fingerprint recorded for release v41/);

    const again = await cli(['--json']);
    expect(again.code).toBe(3);
    expect(adoptLine(again).error).toMatch(/stepback already records 2 applied migration/);
  });

  it('bad options are reported together with exit 2', async () => {
    const db = await freshDb('cli_adopt_usage');
    const run = await runCli(['--dir', goose, 'adopt', '--from', 'liquibase', '--to', 'x'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--from liquibase: not a tool adopt reads/);
    expect(run.stderr).toMatch(/--from and --to exclude each other/);
  });
});
