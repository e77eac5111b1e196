/**
 * A Django rollback through the CodeBuild executor in the AWS simulation, whose builds run the buildspec's
 * shell line in the image's folder with real Django 3.2 on real PostgreSQL: v1 and v2 recorded with their
 * images, both migrated by builds, then v2 rolled back to v1. The status and the downs run as builds in v2's
 * image (the executor runs images, so the image comes from v2's manifest), the file target deploys v1, and
 * both proofs hold: django_migrations is v1's set and the schema is v1's fingerprint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeBuildExecutor } from '../../src/aws/run-build.ts';
import type { ExecRequest, ExecResult, Log, MigrationExecutor } from '../../src/core/ports.ts';
import { FileDeployTarget, FileTaskDefinitions } from '../../src/pipeline/local/file-deploy-target.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { rollback } from '../../src/pipeline/rollback.ts';
import { openStore } from '../../src/stores/registry.ts';
import { pipelineEngine } from '../../src/wiring/engines.ts';
import { type AwsClients, clientsFor, hybridClock } from '../aws/helpers.ts';
import { type DjangoRelease, djangoMissing, djangoRelease, PYTHON } from '../engines/django-fixture.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';
import { tdArn } from './fakes.ts';

const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db';
let db: TestDatabase;
let sim: AwsSim;
let clients: AwsClients;
let code: Record<'v1' | 'v2', DjangoRelease>;

beforeAll(async () => {
  db = await createTestDatabase('djp_cb_rollback');
  code = { v1: djangoRelease('v1'), v2: djangoRelease('v2') };
  sim = await startAwsSim({
    images: { 'django:v1': { dir: code.v1.dir }, 'django:v2': { dir: code.v2.dir } },
    timings: { provisioningMs: 200, pendingMs: 200 },
  });
  sim.secrets.set(DB_SECRET, db.url);
  sim.codebuild.createProject({ name: 'migrate' });
  clients = await clientsFor(sim);
});
afterAll(async () => {
  clients?.destroy();
  await sim?.close();
  await db?.drop();
});

/** As the wiring builds it (wiring/executors/codebuild.ts): one build per request, in the request's image. */
class Builds implements MigrationExecutor {
  readonly kind = 'codebuild' as const;
  readonly runs = 'image' as const;
  readonly requests: ExecRequest[] = [];
  constructor(private readonly image?: string) {}
  run(request: ExecRequest, log: Log): Promise<ExecResult> {
    this.requests.push(request);
    const image = request.image ?? this.image;
    return new CodeBuildExecutor({
      clients,
      projectName: 'migrate',
      ...(image ? { image } : {}),
      secretEnvironment: { DATABASE_URL: { type: 'SECRETS_MANAGER', ref: DB_SECRET } },
      clock: hybridClock(sim),
      pollIntervalMs: 500,
    }).run(request, log);
  }
}

const rows = () =>
  withClient(db.url, async (c) =>
    (
      await c.query<{ n: string }>(`select app || '.' || name as n from django_migrations order by n`)
    ).rows.map((r) => r.n),
  );

describe.skipIf(djangoMissing)('a Django rollback through CodeBuild (simulation)', () => {
  it("rolls v2 back to v1: status and downs as builds in v2's image, v1 deployed, both proofs", async () => {
    const work = mkdtempSync(join(tmpdir(), 'stepback-django-cb-'));
    const store = await openStore(`file://${join(work, 'store')}`);
    const target = new FileDeployTarget(join(work, 'live.json'));
    const taskDefinitions = new FileTaskDefinitions(join(work, 'task-definitions.json'));
    const log = memoryLog();
    // The image runs its own manage.py in its folder; stepback reaches the database for the schema proof.
    const engine = await pipelineEngine('django').remote({
      manageCommand: `${PYTHON} manage.py`,
      databaseUrl: db.url,
      log,
    });

    let v1Rows: string[] = [];
    for (const [n, release] of (['v1', 'v2'] as const).entries()) {
      // Recorded as the deploy buildspec records a release: its task definition and the image it runs.
      taskDefinitions.define(tdArn(n + 1), { family: 'app', containerDefinitions: [] });
      const read = await pipelineEngine('django').readRelease(
        { manageCommand: code[release].manage, log },
        'migrations',
        release,
      );
      await recordRelease(
        {
          release,
          engine: 'django',
          migrations: read.migrations,
          ...(read.targets ? { targets: read.targets } : {}),
          image: `django:${release}`,
          taskDefinitionArn: tdArn(n + 1),
          now: new Date('2026-12-03T10:00:00Z'),
        },
        { store, taskDefinitions },
        log,
      );
      const up = await migrate(
        new Builds(`django:${release}`),
        { release, engine, idempotencyKey: `up-${release}`, timeoutMs: 600_000 },
        log,
      );
      expect(up.ok, up.message).toBe(true);
      if (release === 'v1') v1Rows = await rows();
    }
    await target.deploy({ taskDefinitionArn: tdArn(2), release: 'v2', timeoutMs: 1000 }, log);
    const startsBefore = sim.callsTo('StartBuild').length;

    const builds = new Builds();
    const outcome = await rollback(
      { toRelease: 'v1', idempotencyKey: 'rb', timeoutMs: 600_000 },
      { store, executor: builds, target, engine },
      log,
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
    // django_migrations holds v1's rows again (and the squash's record, which v1's code never reads).
    expect(await rows()).toEqual([...v1Rows, 'shop.0001_squashed_0002'].sort());
    expect(await target.live()).toMatchObject({ release: 'v1', taskDefinitionArn: tdArn(1) });

    // Two builds, both in v2's image (from its manifest): the status, then the downs.
    const starts = sim.callsTo('StartBuild').slice(startsBefore);
    expect(starts.map((c) => c.input.imageOverride)).toEqual(['django:v2', 'django:v2']);
    expect(builds.requests.map((r) => JSON.parse(r.env.STEPBACK_DJANGO!).op)).toEqual(['status', 'down']);
    for (const start of starts)
      expect(
        (start.input as { environmentVariablesOverride: { name: string; type: string }[] })
          .environmentVariablesOverride,
      ).toEqual(
        expect.arrayContaining([
          { name: 'STEPBACK_DJANGO', value: expect.any(String), type: 'PLAINTEXT' },
          { name: 'DATABASE_URL', value: DB_SECRET, type: 'SECRETS_MANAGER' },
        ]),
      );
    expect(log.text()).not.toContain(db.password);
    expect(JSON.stringify(sim.calls)).not.toContain(db.password);
  }, 240_000);
});
