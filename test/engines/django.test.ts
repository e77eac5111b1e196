/**
 * The Django engine end to end through the built CLI, with real Django (Debian's python3-django) against
 * real PostgreSQL: manifest, up, status, plan, down to an older release with its proofs, the refusals, a
 * half-done rollback resumed, and the lock shared with stepback's runner.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/core/checksum.ts';
import { djangoEngine } from '../../src/engines/django/engine.ts';
import { DJANGO_COMMAND } from '../../src/engines/django/program.ts';
import { lockKey } from '../../src/migrate/lock.ts';
import { allowSlowProcesses, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { type DjangoRelease, djangoMissing, djangoRelease, type FixtureRelease } from './django-fixture.ts';

allowSlowProcesses();
const fresh = databasesForThisFile();

function cli(db: TestDatabase, code: DjangoRelease, args: string[], env: Record<string, string> = {}) {
  return runCli(['--engine', 'django', '--manage-command', code.manage, ...args], {
    env: { DATABASE_URL: db.url, ...env },
    password: db.password,
  });
}

async function rows(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query<{ n: string }>(`select app || '.' || name as n from django_migrations order by n`)
    ).rows.map((r) => r.n),
  );
}

async function manifestOf(
  db: TestDatabase,
  release: FixtureRelease,
  code = djangoRelease(release),
): Promise<string> {
  const out = join(migrationsDir({}), `${release}.json`);
  const run = await cli(db, code, ['manifest', '--release', release, '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  return out;
}

async function upTo(db: TestDatabase, release: FixtureRelease): Promise<DjangoRelease> {
  const code = djangoRelease(release);
  const run = await cli(db, code, ['up', '--release', release, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return code;
}

async function planFile(
  db: TestDatabase,
  code: DjangoRelease,
  newer: string,
  older: string,
): Promise<{ run: Awaited<ReturnType<typeof runCli>>; plan: string }> {
  const dir = migrationsDir({});
  const status = await cli(db, code, ['status', '--json']);
  expect(status.code, status.stderr).toBe(0);
  writeFileSync(join(dir, 'status.json'), status.stdout);
  const plan = join(dir, 'plan.json');
  const run = await runCli(
    ['plan', '--from', newer, '--to', older, '--status', join(dir, 'status.json'), '--out', plan],
    {
      password: db.password,
    },
  );
  return { run, plan };
}

describe.skipIf(djangoMissing)('the django engine (real Django, real PostgreSQL)', () => {
  it('writes the graph as Django sees it into a stepback/manifest@2: plan order, dependencies, squash, per-app leaves', async () => {
    const db = await fresh('dj_manifest');
    const v2 = djangoRelease('v2');
    const manifest = JSON.parse(readFileSync(await manifestOf(db, 'v2', v2), 'utf8'));
    expect(manifest).toMatchObject({ format: 'stepback/manifest@2', engine: 'django', release: 'v2' });
    expect(manifest.migrations.map((m: { name: string }) => m.name)).toEqual([
      'shop.0001_squashed_0002',
      'shop.0003_seed_products',
      'billing.0001_initial',
      'billing.0002_invoice_note',
      'shop.0004_product_sku_index',
    ]);
    const [squash, , , note, index] = manifest.migrations;
    expect(squash).toEqual({
      name: 'shop.0001_squashed_0002',
      checksum: checksumOf(readFileSync(join(v2.dir, 'shop/migrations/0001_squashed_0002.py'))),
      downChecksum: squash.checksum,
      reversible: true,
      transactional: true,
      dependencies: [],
      replaces: ['shop.0001_initial', 'shop.0002_product_price'],
    });
    expect(note.dependencies).toEqual(['billing.0001_initial', 'shop.0003_seed_products']);
    expect(index).toMatchObject({ transactional: false, reversible: true });
    expect(manifest.targets).toEqual({
      billing: 'billing.0002_invoice_note',
      shop: 'shop.0004_product_sku_index',
    });

    const v3 = JSON.parse(readFileSync(await manifestOf(db, 'v3'), 'utf8'));
    const irreversible = v3.migrations.filter((m: { reversible: boolean }) => !m.reversible);
    expect(irreversible).toEqual([
      expect.objectContaining({ name: 'billing.0003_raw_total', downChecksum: null }),
      expect.objectContaining({ name: 'shop.0005_backfill_prices', downChecksum: null }),
    ]);
  });

  it('marks a custom operation that declares itself irreversible as irreversible in the manifest', async () => {
    const db = await fresh('dj_custom_op');
    const code = djangoRelease('v2');
    writeFileSync(
      join(code.dir, 'shop/migrations/0005_custom.py'),
      [
        'from django.db import migrations',
        'from django.db.migrations.operations.base import Operation',
        '',
        'class Archive(Operation):',
        '    reversible = False',
        '    def state_forwards(self, app_label, state):',
        '        pass',
        '    def database_forwards(self, app_label, schema_editor, from_state, to_state):',
        '        pass',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("shop", "0004_product_sku_index")]',
        '    operations = [Archive()]',
        '',
      ].join('\n'),
    );
    const manifest = JSON.parse(readFileSync(await manifestOf(db, 'v3', code), 'utf8'));
    expect(manifest.migrations.filter((m: { reversible: boolean }) => !m.reversible)).toEqual([
      expect.objectContaining({ name: 'shop.0005_custom', downChecksum: null }),
    ]);
  });

  it('applies forward under the lock, reports status, and rolls v2 back to v1 with the state and schema proofs', async () => {
    const db = await fresh('dj_cycle');
    const v1Manifest = await manifestOf(db, 'v1');
    const v2Manifest = await manifestOf(db, 'v2');
    const v1 = djangoRelease('v1');
    const first = await cli(db, v1, ['up', '--release', 'v1', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(jsonLine(first).applied.map((a) => a.name)).toEqual([
      'shop.0001_initial',
      'shop.0002_product_price',
      'billing.0001_initial',
    ]);
    const v1Rows = await rows(db);

    const v2 = djangoRelease('v2');
    const before = JSON.parse((await cli(db, v2, ['status', '--json'])).stdout);
    expect(before).toMatchObject({ format: 'stepback/status@1', engine: 'django' });
    expect(before.pending).toEqual([
      'shop.0003_seed_products',
      'billing.0002_invoice_note',
      'shop.0004_product_sku_index',
    ]);

    const second = await cli(db, v2, ['up', '--release', 'v2', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(jsonLine(second).applied.map((a) => a.name)).toEqual(before.pending);
    const after = JSON.parse((await cli(db, v2, ['status', '--json'])).stdout);
    expect(after.pending).toEqual([]);
    expect(after.unknownApplied).toEqual([]);

    const { run: planned, plan } = await planFile(db, v2, v2Manifest, v1Manifest);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toContain('migrate shop 0001_squashed_0002 · migrate billing 0001_initial');
    const planDoc = JSON.parse(readFileSync(plan, 'utf8'));
    expect(planDoc.revert.map((r: { name: string }) => r.name)).toEqual([
      'shop.0004_product_sku_index',
      'billing.0002_invoice_note',
      'shop.0003_seed_products',
    ]);

    const down = await cli(db, v2, ['down', '--plan', plan, '--json']);
    expect(down.code, down.stderr).toBe(0);
    const result = jsonLine(down);
    expect(result.reverted.map((r) => r.name)).toEqual(planDoc.revert.map((r: { name: string }) => r.name));
    expect(result.verification).toMatchObject({
      state: { matches: true, stillApplied: [], missing: [] },
      schema: { release: 'v1', matches: true },
    });
    // django_migrations holds v1's rows again (and the squash's record, which v1's code never reads).
    expect(await rows(db)).toEqual([...v1Rows, 'shop.0001_squashed_0002'].sort());
    const v1Status = JSON.parse((await cli(db, v1, ['status', '--json'])).stdout);
    expect(v1Status.pending).toEqual([]);
  });

  it("keeps stepback's audit trail in stepback_events (applies, reverts, a failure: release, run, actor, duration); stepback_migrations stays empty and a failed run leaves django_migrations as it was", async () => {
    const db = await fresh('dj_audit');
    const who = { STEPBACK_RUN_ID: 'run-41-1', STEPBACK_ACTOR: 'alice' };
    const events = () =>
      withClient(
        db.url,
        async (c) =>
          (
            await c.query<{
              kind: string;
              name: string;
              release: string;
              run_id: string;
              actor: string;
              runner_version: string;
              error: string | null;
              detail: { durationMs?: number; engine?: string } | null;
            }>(
              'select kind, name, release, run_id, actor, runner_version, error, detail from stepback_events order by id',
            )
          ).rows,
      );
    const v1Manifest = await manifestOf(db, 'v1');
    const v2Manifest = await manifestOf(db, 'v2');
    const v1 = djangoRelease('v1');
    expect((await cli(db, v1, ['up', '--release', 'v1'], who)).code).toBe(0);
    const v2 = djangoRelease('v2');
    expect((await cli(db, v2, ['up', '--release', 'v2'], { ...who, STEPBACK_RUN_ID: 'run-42-1' })).code).toBe(
      0,
    );
    const applied = await events();
    expect(applied.map((e) => [e.kind, e.name, e.release, e.run_id, e.actor])).toEqual([
      ['apply', 'shop.0001_initial', 'v1', 'run-41-1', 'alice'],
      ['apply', 'shop.0002_product_price', 'v1', 'run-41-1', 'alice'],
      ['apply', 'billing.0001_initial', 'v1', 'run-41-1', 'alice'],
      ['apply', 'shop.0003_seed_products', 'v2', 'run-42-1', 'alice'],
      ['apply', 'billing.0002_invoice_note', 'v2', 'run-42-1', 'alice'],
      ['apply', 'shop.0004_product_sku_index', 'v2', 'run-42-1', 'alice'],
    ]);
    for (const e of applied) {
      expect(e.runner_version).toMatch(/ django$/);
      expect(e.detail?.engine).toBe('django');
      expect(typeof e.detail?.durationMs).toBe('number');
    }
    // stepback's own migrations table stays empty: what Django applied is django_migrations' to say.
    expect(
      await withClient(db.url, async (c) => (await c.query('select 1 from stepback_migrations')).rowCount),
    ).toBe(0);

    const { plan } = await planFile(db, v2, v2Manifest, v1Manifest);
    expect((await cli(db, v2, ['down', '--plan', plan], { ...who, STEPBACK_RUN_ID: 'run-43-1' })).code).toBe(
      0,
    );
    expect((await events()).slice(6).map((e) => [e.kind, e.name, e.release, e.run_id])).toEqual([
      ['revert', 'shop.0004_product_sku_index', 'v1', 'run-43-1'],
      ['revert', 'billing.0002_invoice_note', 'v1', 'run-43-1'],
      ['revert', 'shop.0003_seed_products', 'v1', 'run-43-1'],
    ]);

    const broken = djangoRelease('v1');
    writeFileSync(
      join(broken.dir, 'shop/migrations/0003_divide.py'),
      [
        'from django.db import migrations',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("shop", "0002_product_price")]',
        '    operations = [migrations.RunSQL("SELECT 1/0", migrations.RunSQL.noop)]',
        '',
      ].join('\n'),
    );
    const rowsBefore = await rows(db);
    const failed = await cli(db, broken, ['up', '--release', 'v1b'], { ...who, STEPBACK_RUN_ID: 'run-44-1' });
    expect(failed.code).toBe(1);
    const failure = (await events()).at(-1);
    expect(failure).toMatchObject({
      kind: 'failure',
      name: 'shop.0003_divide',
      release: 'v1b',
      run_id: 'run-44-1',
    });
    expect(failure?.error).toMatch(/division by zero/);
    expect(failure?.detail).toEqual({ direction: 'up', engine: 'django' });
    expect(await rows(db)).toEqual(rowsBefore);
  });

  it('refuses a rollback across an irreversible migration before changing anything, in the planner and again in Django', async () => {
    const db = await fresh('dj_irreversible');
    const v2Manifest = await manifestOf(db, 'v2');
    const v3Manifest = await manifestOf(db, 'v3');
    await upTo(db, 'v2');
    const v3 = await upTo(db, 'v3');
    const applied = await rows(db);

    const { run: refused } = await planFile(db, v3, v3Manifest, v2Manifest);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(/shop\.0005_backfill_prices is irreversible/);
    expect(refused.stderr).toMatch(/billing\.0003_raw_total is irreversible/);

    // A manifest that claims otherwise (edited, or from a different build) does not get past Django itself.
    const lying = JSON.parse(readFileSync(v3Manifest, 'utf8'));
    for (const m of lying.migrations)
      if (!m.reversible) Object.assign(m, { reversible: true, downChecksum: m.checksum });
    writeFileSync(v3Manifest, JSON.stringify(lying));
    const { run: planned, plan } = await planFile(db, v3, v3Manifest, v2Manifest);
    expect(planned.code, planned.stderr).toBe(0);
    const down = await cli(db, v3, ['down', '--plan', plan, '--json']);
    expect(down.code).toBe(3);
    expect(jsonLine(down).error).toMatch(
      /irreversible: .*shop\.0005_backfill_prices \(RunPython\).*billing\.0003_raw_total \(RunSQL\)|irreversible: .*billing\.0003_raw_total \(RunSQL\).*shop\.0005_backfill_prices \(RunPython\)/,
    );
    expect(jsonLine(down).reverted).toEqual([]);
    expect(await rows(db)).toEqual(applied);
  });

  it('a rollback that fails half way reports where django_migrations stands, and the same plan resumes it', async () => {
    const db = await fresh('dj_resume');
    const v1Manifest = await manifestOf(db, 'v1');
    const v2Manifest = await manifestOf(db, 'v2');
    await upTo(db, 'v1');
    const v2 = await upTo(db, 'v2');
    // An invoice for a seeded product: unseeding (shop.0003 backwards) is then refused by on_delete=PROTECT.
    await withClient(db.url, (c) =>
      c.query(
        `insert into billing_invoice (product_id, amount, note) select id, 5, '' from shop_product where name = 'mug'`,
      ),
    );
    const { run: planned, plan } = await planFile(db, v2, v2Manifest, v1Manifest);
    expect(planned.code, planned.stderr).toBe(0);

    const failed = await cli(db, v2, ['down', '--plan', plan, '--json']);
    expect(failed.code).toBe(1);
    const half = jsonLine(failed);
    expect(half.reverted.map((r) => r.name)).toEqual([
      'shop.0004_product_sku_index',
      'billing.0002_invoice_note',
    ]);
    expect(half.failed?.name).toBe('shop.0003_seed_products');
    expect(half.error).toMatch(/IntegrityError: .*still referenced from table/s);
    expect(half.error).toMatch(
      /still to revert: shop\.0003_seed_products; run the same plan again to resume/,
    );
    expect(await rows(db)).toContain('shop.0003_seed_products');
    expect(await rows(db)).not.toContain('billing.0002_invoice_note');

    await withClient(db.url, (c) => c.query('delete from billing_invoice'));
    const resumed = await cli(db, v2, ['down', '--plan', plan, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /resuming: already reverted shop\.0004_product_sku_index, billing\.0002_invoice_note/,
    );
    expect(jsonLine(resumed).reverted.map((r) => r.name)).toEqual(['shop.0003_seed_products']);
    expect(jsonLine(resumed).verification).toMatchObject({ state: { matches: true } });
  });

  it('waits on the same advisory lock as stepback runs, names the holder, and times out with exit 4', async () => {
    const db = await fresh('dj_lock');
    await withClient(db.url, async (holder) => {
      await holder.query(`set application_name = 'the other migrator'`);
      await holder.query('select pg_advisory_lock($1, $2)', lockKey(db.name, 'public'));
      const run = await cli(db, djangoRelease('v1'), ['up', '--lock-timeout', '1', '--json']);
      expect(run.code).toBe(4);
      expect(jsonLine(run).error).toMatch(/held by pid \d+, application "the other migrator"/);
    });
    expect(
      await withClient(
        db.url,
        async (c) => (await c.query(`select to_regclass('django_migrations') as t`)).rows[0].t,
      ),
    ).toBeNull();
  });

  it('eight concurrent runs apply each Django migration exactly once', async () => {
    const db = await fresh('dj_concurrent');
    const v2 = djangoRelease('v2');
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        djangoEngine.up({
          dir: v2.dir,
          manageCommand: v2.manage,
          databaseUrl: db.url,
          release: null,
          env: {},
        }),
      ),
    );
    for (const run of runs) expect(run.error).toBeNull();
    // Between them the runs applied each node of v2's graph once (a fresh database gets the squash itself)…
    expect(runs.flatMap((r) => r.applied.map((a) => a.name)).sort()).toEqual(
      [
        'billing.0001_initial',
        'billing.0002_invoice_note',
        'shop.0001_squashed_0002',
        'shop.0003_seed_products',
        'shop.0004_product_sku_index',
      ].sort(),
    );
    expect(runs.filter((r) => r.applied.length > 0)).toHaveLength(1);
    // …and django_migrations has one row each (Django records a squash as the migrations it replaces, and
    // the squash once all of those are applied).
    const all = await rows(db);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(7);
    const seeded = await withClient(
      db.url,
      async (c) => (await c.query('select count(*)::int as n from shop_product')).rows[0].n,
    );
    expect(seeded).toBe(3);
  });

  it('a task killed (SIGKILL) mid-migration leaves nothing half-applied and the lock free; the next run completes', async () => {
    const db = await fresh('dj_sigkill');
    const code = await upTo(db, 'v2');
    writeFileSync(
      join(code.dir, 'shop/migrations/0005_slow.py'),
      [
        'import os, time',
        'from django.db import migrations',
        '',
        'def pause(apps, schema_editor):',
        '    if os.environ.get("FIXTURE_PAUSE"):',
        '        time.sleep(120)',
        '',
        'class Migration(migrations.Migration):',
        '    dependencies = [("shop", "0004_product_sku_index")]',
        '    operations = [',
        '        migrations.RunSQL("ALTER TABLE shop_product ADD COLUMN slow integer", "ALTER TABLE shop_product DROP COLUMN slow"),',
        '        migrations.RunPython(pause, migrations.RunPython.noop),',
        '    ]',
        '',
      ].join('\n'),
    );
    // The one-off task as ECS runs it: the image's python with the program, no Node.
    const [python, manage] = code.manage.split(' ') as [string, string];
    const task = spawn(python, [manage, 'shell', '-c', DJANGO_COMMAND], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        FIXTURE_PAUSE: '1',
        STEPBACK_DJANGO: JSON.stringify({
          op: 'up',
          schema: 'public',
          table: 'stepback_migrations',
          lockTimeoutMs: 10_000,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      task.stderr.on('data', (d) => {
        err += d;
        if (err.includes('applying shop.0005_slow')) resolve();
      });
      task.on('close', () => reject(new Error(`the task ended before the slow migration: ${err}`)));
    });
    // Past the ALTER TABLE, inside the migration's transaction.
    await expect
      .poll(async () =>
        withClient(
          db.url,
          async (c) =>
            (
              await c.query(
                `select count(*)::int as n from pg_stat_activity where datname = $1 and state = 'idle in transaction'`,
                [db.name],
              )
            ).rows[0].n,
        ),
      )
      .toBe(1);
    const closed = new Promise((resolve) => task.on('close', (_code, signal) => resolve(signal)));
    task.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');

    const column = async () =>
      withClient(
        db.url,
        async (c) =>
          (
            await c.query(
              `select count(*)::int as n from information_schema.columns where table_name = 'shop_product' and column_name = 'slow'`,
            )
          ).rows[0].n,
      );
    expect(await rows(db)).not.toContain('shop.0005_slow');
    expect(await column()).toBe(0);
    const next = await cli(db, code, ['up', '--lock-timeout', '30', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(jsonLine(next).applied.map((a) => a.name)).toEqual(['shop.0005_slow']);
    expect(await column()).toBe(1);
  });

  it('says how to point it at the python that has Django', async () => {
    const db = await fresh('dj_missing');
    const code = djangoRelease('v1');
    const run = await runCli(
      ['--engine', 'django', '--manage-command', `no-such-python ${code.dir}/manage.py`, 'status'],
      {
        env: { DATABASE_URL: db.url },
        password: db.password,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot run the manage command .*ENOENT/);
    expect(run.stderr).toMatch(/--manage-command/);
  });
});
