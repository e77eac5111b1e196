/**
 * A rollback planned from manifests alone (no database status) for unpadded numeric ids: the manifest lists
 * the directory's apply order (1_a, 2_b, 10_c), not name order (10_c, 1_a, 2_b), so the plan reverts newest
 * applied first and `down --plan` carries it out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { databasesForThisFile, withClient } from '../support/pg.ts';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

const files = {
  '1_a.up.sql': 'create table a (x int);',
  '1_a.down.sql': 'drop table a;',
  // Each later down reads the table the earlier migration made: reverted out of order, it fails.
  '2_b.up.sql': 'create table b (x int); insert into a values (2);',
  '2_b.down.sql': 'delete from a where x = 2; drop table b;',
  '10_c.up.sql': 'create table c (x int); insert into b values (10);',
  '10_c.down.sql': 'delete from b where x = 10; drop table c;',
};

describe('rollback of numeric ids from manifests alone', () => {
  it('the manifest keeps apply order; a plan without status reverts 10_c, 2_b, 1_a and down --plan runs it', async () => {
    const db = await freshDb('numeric_rollback');
    const dir = migrationsDir(files);
    await applyWithApi(db.url, dir, 'v2');
    const env = { DATABASE_URL: db.url };
    const out = migrationsDir({});

    const newer = join(out, 'v2.json');
    const made = await runCli(['--dir', dir, 'manifest', '--release', 'v2', '--out', newer], { env });
    expect(made.code, made.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(newer, 'utf8')) as { migrations: { name: string }[] };
    expect(manifest.migrations.map((m) => m.name)).toEqual(['1_a', '2_b', '10_c']);

    const older = join(out, 'v1.json');
    writeFileSync(
      older,
      JSON.stringify(buildManifest({ release: 'v1', createdAt: new Date(), migrations: [] })),
    );
    const planFile = join(out, 'plan.json');
    const planned = await runCli(['plan', '--from', newer, '--to', older, '--out', planFile]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('The database was not checked');
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as { revert: { name: string }[] };
    expect(plan.revert.map((r) => r.name)).toEqual(['10_c', '2_b', '1_a']);

    const run = await runCli(['--dir', dir, 'down', '--plan', planFile, '--json'], {
      env,
      password: db.password,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLine(run).reverted.map((r) => r.name)).toEqual(['10_c', '2_b', '1_a']);
    await withClient(db.url, async (c) => {
      expect((await c.query('select count(*)::int as n from stepback_migrations')).rows[0].n).toBe(0);
      const reverts = await c.query(`select name from stepback_events where kind = 'revert' order by id`);
      expect(reverts.rows.map((r) => r.name)).toEqual(['10_c', '2_b', '1_a']);
      expect((await c.query(`select to_regclass('a') as t`)).rows[0].t).toBeNull();
    });
  });
});
