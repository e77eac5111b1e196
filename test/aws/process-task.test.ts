/**
 * Tasks the simulation really runs: a process in the image's directory, with the task definition's environment,
 * the overrides and resolved secrets; its exit code becomes the container's, its output the awslogs stream.
 * The last test runs real `stepback up` (the built dist/cli.js) against real PostgreSQL through the whole ECS
 * path.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcsTaskExecutor } from '../../src/aws/ecs-executor.ts';
import { runTask } from '../../src/aws/run-task.ts';
import { taskId } from '../../src/core/ecs-verdict.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { parseRunnerResult } from '../../src/pipeline/result.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';
import { type AwsClients, clientsFor, hybridClock, LOG_GROUP, NETWORK, registerTd } from './helpers.ts';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db';

let dir: string;
let sim: AwsSim;
let clients: AwsClients;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepback-image-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(
    join(dir, 'migrations/0001_users.up.sql'),
    'create table users (id bigint primary key, email text not null);\n',
  );
  writeFileSync(join(dir, 'migrations/0001_users.down.sql'), 'drop table users;\n');
  writeFileSync(
    join(dir, 'migrations/0002_orders.up.sql'),
    'create table orders (id bigint primary key, user_id bigint references users);\n',
  );
  writeFileSync(join(dir, 'migrations/0002_orders.down.sql'), 'drop table orders;\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  sim = await startAwsSim({
    images: { 'app:real': { dir } },
    secrets: { 'arn:aws:ssm:us-east-1:123456789012:parameter/greeting': 'from-ssm' },
    timings: { provisioningMs: 200, pendingMs: 200 },
  });
  clients = await clientsFor(sim);
});
afterEach(async () => {
  clients.destroy();
  await sim.close();
});

const fast = { pollIntervalMs: 500, logIntervalMs: 250, fastPollIntervalMs: 250 };

describe('process-backed tasks', () => {
  it('runs the overridden command in the image directory and reports its exit code and output', async () => {
    registerTd(sim, {
      image: 'app:real',
      environment: { FROM_TD: 'td-value' },
      secrets: { GREETING: 'arn:aws:ssm:us-east-1:123456789012:parameter/greeting' },
    });
    const script = [
      "console.log('cwd-ok=' + (process.cwd() === process.env.EXPECT_CWD))",
      "console.log('env=' + process.env.FROM_TD + ',' + process.env.FROM_OVERRIDE + ',' + process.env.GREETING)",
      "console.error('to stderr')",
      'process.exit(3)',
    ].join(';');
    const log = memoryLog();
    const result = await runTask(
      clients,
      {
        cluster: 'default',
        taskDefinition: 'app',
        containerName: 'app',
        command: ['node', '-e', script],
        environment: { FROM_OVERRIDE: 'override-value', EXPECT_CWD: dir },
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        idempotencyKey: 'proc-1',
        timeoutMs: 10 * 60_000,
        ...fast,
      },
      log,
      { clock: hybridClock(sim) },
    );
    expect(result.exitCode).toBe(3);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('container app exited with 3');
    expect(result.lines).toEqual(
      expect.arrayContaining(['cwd-ok=true', 'env=td-value,override-value,from-ssm', 'to stderr']),
    );
    expect(log.text()).toContain('env=td-value,override-value,from-ssm');
    // The awslogs stream name is <prefix>/<container>/<task id>.
    expect(sim.logs.lines(LOG_GROUP, `migrate/app/${taskId(result.taskArn)}`)).toHaveLength(3);
  });

  it('a real process that hangs is stopped on timeout (SIGTERM) and the task ends UserInitiated', async () => {
    registerTd(sim, { image: 'app:real' });
    const result = await runTask(
      clients,
      {
        cluster: 'default',
        taskDefinition: 'app',
        containerName: 'app',
        command: ['node', '-e', "console.log('started'); setInterval(() => {}, 1000)"],
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        idempotencyKey: 'proc-2',
        timeoutMs: 30_000,
        pollIntervalMs: 6_000,
        logIntervalMs: 2_000,
      },
      memoryLog(),
      { clock: hybridClock(sim, 50) },
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('Timed out');
    expect(sim.callsTo('StopTask')[0]?.input.reason).toBe(
      'stepback: timed out after 0.5 min waiting for the migration',
    );
    const task = sim.ecs.tasks.get(result.taskArn)!;
    for (let i = 0; i < 100 && task.lastStatus !== 'STOPPED'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stopCode).toBe('UserInitiated');
    expect(task.containers[0]?.exitCode).toBe(143);
  });
});

describe('end to end: stepback up through ECS against PostgreSQL', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase('ecs_e2e');
  });
  afterEach(async () => {
    await db.drop();
  });

  it('applies the migrations in a one-off task and returns the runner result, without leaking the password', async () => {
    sim.secrets.set(DB_SECRET, db.url);
    const td = registerTd(sim, { image: 'app:real', secrets: { DATABASE_URL: DB_SECRET } });
    const executor = new EcsTaskExecutor({
      clients,
      cluster: 'default',
      containerName: 'app',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      runnerCommand: [process.execPath, CLI],
      clock: hybridClock(sim),
      ...fast,
    });
    const log = memoryLog();
    const exec = await executor.run(
      {
        args: ['up', '--release', 'v2', '--json'],
        env: { STEPBACK_DIR: join(dir, 'migrations') },
        release: 'v2',
        taskDefinitionArn: td,
        idempotencyKey: 'e2e-1',
        timeoutMs: 10 * 60_000,
      },
      log,
    );
    expect(exec.message).toContain('finished');
    expect(exec).toMatchObject({ ok: true, exitCode: 0 });
    const result = parseRunnerResult(exec.stdout);
    expect(result?.ok).toBe(true);
    expect(result?.applied.map((a) => a.name)).toEqual(['0001_users', '0002_orders']);
    const tables = await withClient(db.url, (c) =>
      c.query<{ n: string }>(
        "select count(*) as n from information_schema.tables where table_name in ('users','orders')",
      ),
    );
    expect(tables.rows[0]?.n).toBe('2');
    expect(log.text()).not.toContain(db.password);
    expect(exec.stdout ?? '').not.toContain(db.password);
  });
});
