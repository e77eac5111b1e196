/**
 * The rehearse bundle under Node 24 with engine django: the Django fixture project (real Django 3.2 under
 * /usr/bin/python3) rehearsed on the real PostgreSQL server through the action's engine and manage-command
 * inputs, from the job's working directory (the checkout), as a workflow runs it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowSlowProcesses, migrationsDir, runCli } from '../cli/cli.ts';
import { djangoMissing, djangoRelease } from '../engines/django-fixture.ts';
import { databasesForThisFile } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

allowSlowProcesses();
const fresh = databasesForThisFile();

describe.skipIf(djangoMissing)('rehearse action, engine django (real Django, real PostgreSQL)', () => {
  it("rehearses this checkout's Django migrations through manage-command, listing each in the summary", async () => {
    const db = await fresh('dja_v1');
    const code = djangoRelease('v1');
    const run = await runAction('rehearse', {
      cwd: code.dir,
      inputs: { engine: 'django', 'manage-command': code.manage, release: 'v1', 'database-url': db.url },
      timeoutMs: 240_000,
    });
    expect(run.errors, run.stdout).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.verdict).toBe('rehearsal passed: 3 ok');
    const report = JSON.parse(run.outputs.report!) as {
      migrations: { name: string; outcome: string }[];
      releaseRevert: { outcome: string };
    };
    expect(Object.fromEntries(report.migrations.map((m) => [m.name, m.outcome]))).toEqual({
      'shop.0001_initial': 'ok',
      'shop.0002_product_price': 'ok',
      'billing.0001_initial': 'ok',
    });
    expect(report.releaseRevert.outcome).toBe('ok');
    for (const name of ['shop.0001_initial', 'shop.0002_product_price', 'billing.0001_initial'])
      expect(run.summary).toContain(name);
    // The runner's own mask commands carry the secret by design; nothing else may.
    const printed = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [printed, run.stderr, run.summary, JSON.stringify(run.outputs)])
      expect(text).not.toContain(db.password);
  });

  it('from the previous release: require-reversible fails (exit 3) naming the irreversible migrations', async () => {
    const db = await fresh('dja_v3');
    const since = join(migrationsDir({}), 'v2.json');
    const v2 = djangoRelease('v2');
    const made = await runCli(
      ['--engine', 'django', '--manage-command', v2.manage, 'manifest', '--release', 'v2', '--out', since],
      { env: { DATABASE_URL: db.url }, password: db.password },
    );
    expect(made.code, made.stderr).toBe(0);
    const code = djangoRelease('v3');
    const run = await runAction('rehearse', {
      cwd: code.dir,
      inputs: {
        engine: 'django',
        'manage-command': code.manage,
        since,
        'require-reversible': 'true',
        'database-url': db.url,
      },
      timeoutMs: 240_000,
    });
    expect(run.exitCode).toBe(3);
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.errors).toHaveLength(1);
    for (const name of ['shop.0005_backfill_prices', 'billing.0003_raw_total']) {
      expect(run.errors[0]).toContain(`${name}: irreversible`);
      expect(run.summary).toContain(name);
    }
  });

  it('a manage-command that does not start Django fails the step saying so', async () => {
    const db = await fresh('dja_bad');
    const code = djangoRelease('v1');
    const run = await runAction('rehearse', {
      cwd: code.dir,
      inputs: {
        engine: 'django',
        'manage-command': '/usr/bin/python3 no-such-manage.py',
        'database-url': db.url,
      },
      timeoutMs: 120_000,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/no-such-manage\.py/);
  });
});
