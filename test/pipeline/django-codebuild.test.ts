/**
 * The Django engine's runs through the CodeBuild executor in the AWS simulation, whose builds run the
 * buildspec's shell line in the image's folder: the program reaches `manage.py shell -c` intact through the
 * buildspec's quoting, the request travels as a plain build variable, the database URL only as a Secrets
 * Manager reference, and the result line comes back from the build's logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeBuildExecutor } from '../../src/aws/run-build.ts';
import { djangoRemote } from '../../src/engines/django/remote.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { type AwsClients, clientsFor, hybridClock } from '../aws/helpers.ts';
import { djangoMissing, djangoRelease, PYTHON } from '../engines/django-fixture.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';

const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db';
let db: TestDatabase;
let sim: AwsSim;
let clients: AwsClients;

beforeAll(async () => {
  db = await createTestDatabase('djp_codebuild');
  sim = await startAwsSim({
    images: { 'django:v1': { dir: djangoRelease('v1').dir } },
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

describe.skipIf(djangoMissing)('the django engine through CodeBuild (simulation)', () => {
  it("runs the image's manage.py through the buildspec shell and reads the program's result from the build log", async () => {
    const executor = new CodeBuildExecutor({
      clients,
      projectName: 'migrate',
      image: 'django:v1',
      secretEnvironment: { DATABASE_URL: { type: 'SECRETS_MANAGER', ref: DB_SECRET } },
      clock: hybridClock(sim),
      pollIntervalMs: 500,
    });
    const log = memoryLog();
    const outcome = await migrate(
      executor,
      {
        release: 'v1',
        engine: djangoRemote({ manageCommand: `${PYTHON} manage.py` }),
        idempotencyKey: 'cb-django',
        timeoutMs: 600_000,
      },
      log,
    );
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.applied.map((a) => a.name)).toEqual([
      'shop.0001_initial',
      'shop.0002_product_price',
      'billing.0001_initial',
    ]);
    const start = sim.callsTo('StartBuild')[0]!.input as {
      buildspecOverride: string;
      environmentVariablesOverride: { name: string; type: string }[];
    };
    expect(JSON.parse(start.buildspecOverride).phases.build.commands[0]).toMatch(
      new RegExp(`^${PYTHON} manage.py shell -c '`),
    );
    expect(start.environmentVariablesOverride).toEqual(
      expect.arrayContaining([
        { name: 'STEPBACK_DJANGO', value: expect.any(String), type: 'PLAINTEXT' },
        { name: 'DATABASE_URL', value: DB_SECRET, type: 'SECRETS_MANAGER' },
      ]),
    );
    const rows = await withClient(db.url, (c) =>
      c.query<{ n: string }>(`select app || '.' || name as n from django_migrations order by id`),
    );
    expect(rows.rows.map((r) => r.n)).toEqual(outcome.applied.map((a) => a.name));
    expect(log.text()).not.toContain(db.password);
    expect(JSON.stringify(sim.calls)).not.toContain(db.password);
  }, 120_000);
});
