/**
 * `stepback rehearse --engine django` with real Django (Debian's python3-django) on real PostgreSQL: each
 * migration the release adds goes forward, back and forward again in a scratch database, the whole release
 * goes back at once, and the schema is compared each time; broken and irreversible backwards runs are named.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RehearsalReport } from '../../src/rehearse/types.ts';
import { allowSlowProcesses, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withAdmin } from '../support/pg.ts';
import { type DjangoRelease, djangoMissing, djangoRelease, type FixtureRelease } from './django-fixture.ts';

allowSlowProcesses();
const fresh = databasesForThisFile();

function cli(db: TestDatabase, code: DjangoRelease, args: string[]) {
  return runCli(['--engine', 'django', '--manage-command', code.manage, ...args], {
    env: { DATABASE_URL: db.url },
    password: db.password,
  });
}

async function manifest(db: TestDatabase, release: FixtureRelease): Promise<string> {
  const out = join(migrationsDir({}), `${release}.json`);
  const run = await cli(db, djangoRelease(release), ['manifest', '--release', release, '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  return out;
}

async function rehearse(db: TestDatabase, code: DjangoRelease, args: string[] = []) {
  const run = await cli(db, code, ['rehearse', '--json', ...args]);
  const report = JSON.parse(run.stdout) as RehearsalReport;
  const outcomes = Object.fromEntries((report.migrations ?? []).map((m) => [m.name, m.outcome]));
  return { run, report, outcomes };
}

async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(
    async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1,
  );
}

describe.skipIf(djangoMissing)('stepback rehearse --engine django (real Django, real PostgreSQL)', () => {
  it('rehearses a first release from an empty database, and drops its scratch database', async () => {
    const db = await fresh('djr_v1');
    const { run, report, outcomes } = await rehearse(db, djangoRelease('v1'), ['--release', 'v1']);
    expect(run.code, run.stderr).toBe(0);
    expect(outcomes).toEqual({
      'shop.0001_initial': 'ok',
      'shop.0002_product_price': 'ok',
      'billing.0001_initial': 'ok',
    });
    expect(report.releaseRevert).toMatchObject({ outcome: 'ok', differences: [] });
    expect(report.releaseRevert.reverted.sort()).toEqual([
      'billing.0001_initial',
      'shop.0001_initial',
      'shop.0002_product_price',
    ]);
    expect(report.verdict).toBe('rehearsal passed: 3 ok');
    expect(await databaseExists(report.server.database)).toBe(false);
  });

  it('starts from the previous release: a squash of its migrations is not new; cross-app and non-atomic ones round-trip', async () => {
    const db = await fresh('djr_v2');
    const since = await manifest(db, 'v1');
    const { run, report, outcomes } = await rehearse(db, djangoRelease('v2'), ['--since', since]);
    expect(run.code, run.stderr).toBe(0);
    expect(report.since).toEqual({ release: 'v1', migrations: 3, source: 'manifest' });
    expect(outcomes).toEqual({
      'shop.0003_seed_products': 'ok',
      'billing.0002_invoice_note': 'ok',
      'shop.0004_product_sku_index': 'ok',
    });
    expect(report.releaseRevert.outcome).toBe('ok');
  });

  it('names irreversible migrations, and fails on them only with --require-reversible', async () => {
    const db = await fresh('djr_v3');
    const since = await manifest(db, 'v2');
    const code = djangoRelease('v3');
    const lenient = await rehearse(db, code, ['--since', since]);
    expect(lenient.run.code, lenient.run.stderr).toBe(0);
    expect(lenient.outcomes).toEqual({
      'shop.0005_backfill_prices': 'irreversible',
      'billing.0003_raw_total': 'irreversible',
    });
    expect(Object.fromEntries(lenient.report.migrations.map((m) => [m.name, m.note]))).toEqual({
      'shop.0005_backfill_prices': 'irreversible operation(s): RunPython',
      'billing.0003_raw_total': 'irreversible operation(s): RunSQL',
    });
    expect(lenient.report.releaseRevert).toMatchObject({ outcome: 'skipped' });
    expect(lenient.report.releaseRevert.reason).toMatch(/^the release cannot be reverted: irreversible /);
    expect(lenient.report.releaseRevert.reason).toMatch(/shop.0005_backfill_prices/);
    expect(lenient.report.releaseRevert.reason).toMatch(/billing.0003_raw_total/);
    const strict = await rehearse(db, code, ['--since', since, '--require-reversible']);
    expect(strict.run.code).toBe(3);
  });

  it('a backwards run that fails, and one that leaves the schema changed: exit 3, each named', async () => {
    const db = await fresh('djr_broken');
    const since = await manifest(db, 'v2');
    const code = djangoRelease('v2');
    writeFileSync(
      join(code.dir, 'shop/migrations/0005_half_undone.py'),
      [
        'from django.db import migrations',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("shop", "0004_product_sku_index")]',
        '    operations = [migrations.RunSQL("ALTER TABLE shop_product ADD COLUMN colour text", reverse_sql="SELECT 1")]',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(code.dir, 'billing/migrations/0003_bad_down.py'),
      [
        'from django.db import migrations',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("billing", "0002_invoice_note")]',
        '    operations = [migrations.RunSQL("CREATE TABLE billing_audit (id int)", reverse_sql="DROP TABLE billing_no_such_table")]',
        '',
      ].join('\n'),
    );
    const { run, report, outcomes } = await rehearse(db, code, ['--since', since]);
    expect(run.code, run.stderr).toBe(3);
    expect(outcomes).toEqual({
      'billing.0003_bad_down': 'down-failed',
      'shop.0005_half_undone': 'not-restored',
    });
    const broken = report.migrations.find((m) => m.name === 'billing.0003_bad_down');
    expect(broken?.error?.message).toMatch(/billing_no_such_table/);
    const halfUndone = report.migrations.find((m) => m.name === 'shop.0005_half_undone');
    expect(halfUndone?.differences.join('\n')).toMatch(/colour/);
    expect(report.verdict).toMatch(/^rehearsal failed \(2 broken down\(s\)/);
  });

  it('refuses a previous release that is not a Django manifest of this code (exit 2)', async () => {
    const db = await fresh('djr_since');
    const other = join(migrationsDir({ '0001_a.up.sql': 'create table a (id int);' }), 'sql.json');
    const dir = join(other, '..');
    const made = await runCli(['--dir', dir, 'manifest', '--release', 'sql1', '--out', other]);
    expect(made.code, made.stderr).toBe(0);
    const { run } = await rehearse(db, djangoRelease('v1'), ['--since', other]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/manifest is for the stepback engine, not django/);
  });
});
