/**
 * The action bundles (Node 24) against the AWS simulation, whose one-off tasks really run the built stepback
 * CLI as a process against PostgreSQL: migrate through ECS, then record-release + rollback through ECS with the
 * service deployment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import {
  DB_SECRET,
  appEcsInputs as ecsInputs,
  registerAppTaskDefinition,
} from '../support/app-task-definition.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures');
const CLI = join(root, 'dist/cli.js');

let sim: AwsSim;
let db: TestDatabase;
let work: string;

const registerTd = (image: string) => registerAppTaskDefinition(sim, image, { streamPrefix: 'migrate' });

beforeAll(async () => {
  db = await createTestDatabase('act_ecs');
  work = mkdtempSync(join(tmpdir(), 'stepback-ecs-sim-'));
  sim = await startAwsSim({
    clock: 'real',
    images: {
      'app:v1': { dir: join(fixtures, 'v1') },
      'app:v2': { dir: join(fixtures, 'v2') },
    },
    secrets: { [DB_SECRET]: db.url },
    timings: { provisioningMs: 100, pendingMs: 100, stopMs: 100, deployMs: 300, scaleMs: 300 },
  });
});
afterAll(async () => {
  await sim.close();
  await db.drop();
  rmSync(work, { recursive: true, force: true });
});

async function applied(): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (await c.query<{ name: string }>('select name from stepback_migrations order by name')).rows.map(
      (r) => r.name,
    ),
  );
}

describe('through the AWS simulation', () => {
  it('migrate runs `stepback up` as a one-off ECS task and reports the task and what it applied', async () => {
    const td = registerTd('app:v2');
    const migrationRole = 'arn:aws:iam::123456789012:role/stepback-migration';
    const run = await runAction('migrate', {
      inputs: { release: 'v2', 'task-definition': td, ...ecsInputs, 'task-role-arn': migrationRole },
      env: sim.env,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/default\//);
    expect(JSON.parse(run.outputs.applied!).map((a: { name: string }) => a.name)).toEqual([
      '0001_create_items',
      '0002_add_price',
      '0003_create_tags',
    ]);
    expect(await applied()).toHaveLength(3);
    const runTask = sim.callsTo('RunTask')[0]!.input;
    expect(runTask.taskDefinition).toBe(td);
    // The task runs as the migration role, not the task definition's app role.
    expect((runTask.overrides as { taskRoleArn?: string }).taskRoleArn).toBe(migrationRole);
    expect(JSON.stringify(runTask)).not.toContain(db.password);
    expect(run.stdout).not.toContain(`:${db.password}@`);
  }, 120_000);

  it('refuses task-role-arn with an executor that cannot set it, and a value that is no role ARN, before any call', async () => {
    const calls = sim.calls.length;
    const run = await runAction('migrate', {
      inputs: {
        release: 'v2',
        executor: 'codebuild',
        'codebuild-project': 'migrate',
        'task-role-arn': 'arn:aws:iam::123456789012:role/stepback-migration',
      },
      env: sim.env,
    });
    expect(run.exitCode).toBe(2);
    expect(run.errors.join('\n')).toContain(
      'task-role-arn: applies only to executor ecs (got executor codebuild)',
    );
    const bad = await runAction('migrate', {
      inputs: {
        release: 'v2',
        'task-definition': registerTd('app:v2'),
        ...ecsInputs,
        'task-role-arn': 'stepback-migration',
      },
      env: sim.env,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.errors.join('\n')).toContain('task-role-arn: must be an IAM role ARN');
    expect(sim.calls.slice(calls).filter((c) => c.operation !== 'RegisterTaskDefinition')).toEqual([]);
  });

  it('record-release tags the task definitions; rollback runs the downs through ECS and deploys the older one', async () => {
    // The database at v2 (a no-op after the test above; this test also runs alone).
    execFileSync(process.execPath, [CLI, 'up', '--release', 'v2'], {
      env: { ...process.env, DATABASE_URL: db.url, STEPBACK_DIR: join(fixtures, 'v2/migrations') },
      stdio: 'ignore',
    });
    const td1 = registerTd('app:v1');
    const td2 = registerTd('app:v2');
    const store = `file://${join(work, 'store')}`;
    for (const [release, dir, td] of [
      ['v1', 'v1', td1],
      ['v2', 'v2', td2],
    ] as const) {
      const rec = await runAction('record-release', {
        inputs: {
          release,
          store,
          'migrations-dir': join(fixtures, dir, 'migrations'),
          'task-definition': td,
        },
        env: sim.env,
      });
      expect(rec.errors).toEqual([]);
      expect(rec.outputs.tagged).toBe('true');
    }
    sim.ecs.createService({
      cluster: 'default',
      serviceName: 'web',
      taskDefinition: td2,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'] } },
    });
    const run = await runAction('rollback', {
      inputs: { 'to-release': 'v1', store, ...ecsInputs, service: 'web' },
      env: sim.env,
      timeoutMs: 200_000,
    });
    expect(run.errors, run.stdout).toEqual([]);
    expect(run.outputs.status).toBe('rolled-back');
    expect(run.outputs['from-release']).toBe('v2');
    expect(JSON.parse(run.outputs.reverted!).map((r: { name: string }) => r.name)).toEqual([
      '0003_create_tags',
      '0002_add_price',
    ]);
    expect(run.outputs['task-definition']).toBe(td1);
    expect(await applied()).toEqual(['0001_create_items']);
    // status and down ran from the NEWER task definition, with the plan in the environment override.
    const tasks = sim.callsTo('RunTask').slice(-2);
    expect(tasks.map((t) => t.input.taskDefinition)).toEqual([td2, td2]);
    expect(JSON.stringify(tasks[1]!.input)).toContain('STEPBACK_PLAN');
    expect(sim.callsTo('UpdateService').at(-1)?.input.taskDefinition).toBe(td1);
    expect(run.summary).toContain('Rollback plan: v2 → v1');
  }, 240_000);
});
