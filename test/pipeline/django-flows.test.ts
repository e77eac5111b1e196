/**
 * The Django engine through the pipeline flows on the runner executor: record-release reads the graph
 * through the checkout's manage.py, migrate and the rollback run the Django program through `manage.py
 * shell -c` (no stepback CLI anywhere in the run), with real Django against real PostgreSQL; and the
 * program's requests fit into an ECS RunTask override.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellCommand } from '../../src/core/codebuild-env.ts';
import { checkEcsOverride, ECS_OVERRIDE_LIMIT } from '../../src/core/ecs-override.ts';
import { planGraphRollback } from '../../src/core/graph-plan.ts';
import type { ExecRequest, ExecResult, Log, MigrationExecutor } from '../../src/core/ports.ts';
import { djangoRemote } from '../../src/engines/django/remote.ts';
import { FileDeployTarget, FileTaskDefinitions } from '../../src/pipeline/local/file-deploy-target.ts';
import { RunnerExecutor } from '../../src/pipeline/local/runner-executor.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { rollback } from '../../src/pipeline/rollback.ts';
import { openStore } from '../../src/stores/registry.ts';
import { pipelineEngine } from '../../src/wiring/engines.ts';
import {
  type DjangoRelease,
  djangoMissing,
  djangoRelease,
  type FixtureRelease,
} from '../engines/django-fixture.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { tdArn } from './fakes.ts';

const fresh = databasesForThisFile();

async function rows(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (
      await c.query<{ n: string }>(`select app || '.' || name as n from django_migrations order by n`)
    ).rows.map((r) => r.n),
  );
}

/** Every command the executor was asked to run, for "no stepback CLI in the run". */
class Watching implements MigrationExecutor {
  readonly kind = 'runner' as const;
  readonly runs = 'checkout' as const;
  readonly requests: ExecRequest[] = [];
  constructor(private readonly inner: RunnerExecutor) {}
  run(request: ExecRequest, log: Log): Promise<ExecResult> {
    this.requests.push(request);
    return this.inner.run(request, log);
  }
}

function setup(db: TestDatabase) {
  const work = mkdtempSync(join(tmpdir(), 'stepback-django-flows-'));
  const taskDefinitions = new FileTaskDefinitions(join(work, 'task-definitions.json'));
  const target = new FileDeployTarget(join(work, 'live.json'));
  const code: Partial<Record<FixtureRelease, DjangoRelease>> = {};
  const codeOf = (release: FixtureRelease) => {
    code[release] ??= djangoRelease(release);
    return code[release]!;
  };
  const log = memoryLog();
  const engine = (release: FixtureRelease) =>
    djangoRemote({ manageCommand: codeOf(release).manage, databaseUrl: db.url });
  const executor = () =>
    new Watching(new RunnerExecutor({ command: ['false'], dir: work, env: { DATABASE_URL: db.url } }));
  return {
    work,
    log,
    engine,
    executor,
    target,
    store: () => openStore(`file://${join(work, 'store')}`),
    async record(release: FixtureRelease, td: number) {
      taskDefinitions.define(tdArn(td), { family: 'app', containerDefinitions: [] });
      const read = await pipelineEngine('django').readRelease(
        { manageCommand: codeOf(release).manage, log },
        'migrations',
        release,
      );
      return recordRelease(
        {
          release,
          engine: 'django',
          migrations: read.migrations,
          ...(read.targets ? { targets: read.targets } : {}),
          taskDefinitionArn: tdArn(td),
          now: new Date('2026-12-03T10:00:00Z'),
        },
        { store: await this.store(), taskDefinitions },
        log,
      );
    },
    async up(release: FixtureRelease) {
      const ex = executor();
      const outcome = await migrate(
        ex,
        { release, engine: engine(release), idempotencyKey: `up-${release}`, timeoutMs: 60_000 },
        log,
      );
      return { outcome, ex };
    },
  };
}

describe.skipIf(djangoMissing)('the django engine through the pipeline flows (runner executor)', () => {
  it('records v1 and v2, migrates both, rolls v2 back to v1 with both proofs, then deploys v1', async () => {
    const db = await fresh('djp_cycle');
    const s = setup(db);
    const v1 = await s.record('v1', 1);
    expect(v1.manifest).toMatchObject({ engine: 'django', format: 'stepback/manifest@2' });
    expect(v1.manifest.targets).toEqual({ billing: 'billing.0001_initial', shop: 'shop.0002_product_price' });
    // Django migrations are code: no source bundle.
    expect(v1.manifest.sourceBundle).toBeUndefined();
    const v2 = await s.record('v2', 2);

    const first = await s.up('v1');
    expect(first.outcome.ok, first.outcome.message).toBe(true);
    expect(first.outcome.applied.map((a) => a.name).sort()).toEqual(
      v1.manifest.migrations.map((m) => m.name).sort(),
    );
    for (const a of first.outcome.applied) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    // The run is the project's own manage.py with the program; nothing of stepback's CLI.
    const [run] = first.ex.requests;
    expect(run!.command!.slice(-3, -1)).toEqual(['shell', '-c']);
    expect(run!.command![0]).toBe(s.engine('v1').up('v1', []).command![0]);
    expect(run!.args).toEqual([]);
    const v1Rows = await rows(db);

    const second = await s.up('v2');
    expect(second.outcome.ok, second.outcome.message).toBe(true);
    expect(second.outcome.applied.map((a) => a.name)).toEqual([
      'shop.0003_seed_products',
      'billing.0002_invoice_note',
      'shop.0004_product_sku_index',
    ]);
    await s.target.deploy({ taskDefinitionArn: tdArn(2), release: 'v2', timeoutMs: 1000 }, s.log);

    const ex = s.executor();
    const outcome = await rollback(
      { toRelease: 'v1', idempotencyKey: 'rb', timeoutMs: 60_000 },
      { store: await s.store(), executor: ex, target: s.target, engine: s.engine('v2') },
      s.log,
    );
    expect(outcome.status, outcome.message).toBe('rolled-back');
    expect(outcome.fromRelease).toBe('v2');
    expect(outcome.reverted.map((r) => r.name)).toEqual([
      'shop.0004_product_sku_index',
      'billing.0002_invoice_note',
      'shop.0003_seed_products',
    ]);
    expect(outcome.verification).toMatchObject({
      release: 'v1',
      matches: true,
      state: { matches: true, stillApplied: [], missing: [] },
    });
    expect(outcome.message).toContain('schema matches release v1 as deployed');
    // django_migrations holds v1's rows again (and the squash's record, which v1's code never reads).
    expect(await rows(db)).toEqual([...v1Rows, 'shop.0001_squashed_0002'].sort());
    expect((await s.target.live()).taskDefinitionArn).toBe(tdArn(1));
    // Status, then the downs: both the program through v2's manage.py.
    expect(ex.requests.map((r) => JSON.parse(r.env.STEPBACK_DJANGO!).op)).toEqual(['status', 'down']);
    expect(v2.manifest.engine).toBe('django');
  }, 120_000);

  it('refuses an irreversible step before changing anything, and a stepback engine for django records', async () => {
    const db = await fresh('djp_refuse');
    const s = setup(db);
    await s.record('v2', 2);
    await s.record('v3', 3);
    expect((await s.up('v2')).outcome.ok).toBe(true);
    expect((await s.up('v3')).outcome.ok).toBe(true);
    await s.target.deploy({ taskDefinitionArn: tdArn(3), release: 'v3', timeoutMs: 1000 }, s.log);
    const before = await rows(db);

    const ex = s.executor();
    const outcome = await rollback(
      { toRelease: 'v2', idempotencyKey: 'rb', timeoutMs: 60_000 },
      { store: await s.store(), executor: ex, target: s.target, engine: s.engine('v3') },
      s.log,
    );
    expect(outcome.status).toBe('refused');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.message).toMatch(/shop\.0005_backfill_prices is irreversible/);
    expect(await rows(db)).toEqual(before);
    expect((await s.target.live()).taskDefinitionArn).toBe(tdArn(3));
    // Only the status ran.
    expect(ex.requests.map((r) => JSON.parse(r.env.STEPBACK_DJANGO!).op)).toEqual(['status']);

    // The default (stepback) engine refuses django records before running anything.
    const other = s.executor();
    const wrong = await rollback(
      { toRelease: 'v2', idempotencyKey: 'rb2', timeoutMs: 60_000 },
      { store: await s.store(), executor: other, target: s.target },
      s.log,
    );
    expect(wrong.status).toBe('refused');
    expect(wrong.message + JSON.stringify(wrong)).toMatch(
      /recorded by the django engine, but this rollback runs the stepback engine/,
    );
    expect(other.requests).toEqual([]);
  }, 120_000);

  it("fits the program's requests into an ECS RunTask override, with room to spare", async () => {
    const s = setup(await fresh('djp_size'));
    const v1 = await s.record('v1', 1);
    const v3 = await s.record('v3', 3);
    // A plan over every migration of v3 (reversibility aside): the largest down request the fixture makes.
    const planned = planGraphRollback({
      newer: {
        ...v3.manifest,
        migrations: v3.manifest.migrations.map((m) => ({ ...m, reversible: true })),
      },
      older: v1.manifest,
    });
    expect(planned.ok, JSON.stringify(planned)).toBe(true);
    if (!planned.ok) return;
    const remote = djangoRemote({ manageCommand: '/usr/local/bin/python3 /app/manage.py' });
    const calls = {
      up: remote.up('v3', []),
      status: remote.status(),
      down: remote.down({
        plan: planned.plan,
        toRevert: planned.plan.revert.map((r) => r.name),
        toRelease: 'v1',
      }),
    };
    for (const [op, call] of Object.entries(calls)) {
      const check = checkEcsOverride({ args: [], command: call.command!, env: call.env }, ['unused'], 'app');
      expect(check.problems, op).toEqual([]);
      expect(check.overrideLength!, op).toBeLessThan(ECS_OVERRIDE_LIMIT - 1000);
    }
  }, 60_000);

  it('says the Django program never reported (exit 5) when the manage command starts no Django project', async () => {
    const db = await fresh('djp_unreported');
    const s = setup(db);
    const outcome = await migrate(
      s.executor(),
      {
        release: 'v1',
        engine: djangoRemote({ manageCommand: '/usr/bin/python3 /nonexistent/manage.py' }),
        idempotencyKey: 'x',
        timeoutMs: 30_000,
      },
      s.log,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.exitCode).toBe(5);
    expect(outcome.message).toMatch(/^the Django program never reported a result/);
    expect(outcome.message).toContain(
      "manage-command (/usr/bin/python3 /nonexistent/manage.py) must start this checkout's manage.py",
    );
  }, 60_000);

  it('carries the program intact through the shell line a CodeBuild buildspec runs', () => {
    const call = djangoRemote({ manageCommand: "python3 'my app/manage.py'" }).up('v1', []);
    expect(call.command!.slice(0, 4)).toEqual(['python3', 'my app/manage.py', 'shell', '-c']);
    // printf stands in for python: the shell hands it every argument exactly as the executor built it.
    const line = shellCommand(['printf', '%s\\0', ...call.command!]);
    const out = execFileSync('sh', ['-c', line], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(call.command);
  });
});
