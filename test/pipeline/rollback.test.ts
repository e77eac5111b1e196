/**
 * The rollback flow's decisions with fakes of its ports: what it refuses before anything changes, that a
 * failed down never deploys, that the message says where the database stands, resume, the ECS override limit.
 * (The same flow against real PostgreSQL and the real CLI: test/actions/bundles.test.ts, test/pipeline/local.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { ECS_OVERRIDE_LIMIT } from '../../src/core/ecs-override.ts';
import type { ExecRequest } from '../../src/core/ports.ts';
import type { DatabaseStatus } from '../../src/core/status.ts';
import { decodePlanText } from '../../src/migrate/plan-input.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { PLAN_ENV } from '../../src/pipeline/plan-transport.ts';
import { type RollbackOptions, rollback } from '../../src/pipeline/rollback.ts';
import { databasePosition } from '../../src/pipeline/rollback-outcome.ts';
import { ecsExecutor } from '../../src/wiring/executors/ecs.ts';
import {
  MemoryStore,
  manifest,
  RecordingTarget,
  resultLine,
  ScriptedExecutor,
  statusOf,
  tdArn,
} from './fakes.ts';

const v1 = manifest('v1', ['0001_a'], 1);
const v2 = manifest('v2', ['0001_a', '0002_b', '0003_c'], 2);

interface Scenario {
  status?: DatabaseStatus;
  /** The down reverts these, then fails at `failAt` (if given). */
  failAt?: string;
  downStdout?: (req: ExecRequest) => string | undefined;
  kind?: 'ecs' | 'codebuild' | 'runner';
}

function setup(s: Scenario = {}) {
  const store = new MemoryStore(v1, v2);
  const status = s.status ?? statusOf(v2);
  const executor = new ScriptedExecutor(s.kind ?? 'ecs', (req) => {
    if (req.args[0] === 'status') return { stdout: `some log line\n${JSON.stringify(status)}\n` };
    const plan = decodePlanText(req.env[PLAN_ENV]!, 'test');
    const applied = new Set(status.applied.map((a) => a.name));
    const reverted: { name: string; durationMs: number }[] = [];
    for (const r of plan.revert) {
      if (!applied.has(r.name)) continue;
      if (r.name === s.failAt) {
        const failed = { name: r.name, message: 'column does not exist' };
        return {
          ok: false,
          exitCode: 1,
          message: 'container exited 1',
          stdout: resultLine({
            command: 'down',
            ok: false,
            exitCode: 1,
            reverted,
            failed,
            error: 'down failed',
          }),
        };
      }
      reverted.push({ name: r.name, durationMs: 3 });
    }
    const custom = s.downStdout?.(req);
    return {
      stdout:
        custom ??
        resultLine({
          command: 'down',
          reverted,
          verification: { release: 'v1', matches: true, differences: [] },
        }),
    };
  });
  const target = new RecordingTarget({ taskDefinitionArn: tdArn(2), release: 'v2' });
  return { store, executor, target, deps: { store, executor, target } };
}

const base: RollbackOptions = { toRelease: 'v1', idempotencyKey: 'k', timeoutMs: 60_000 };

describe('rollback', () => {
  it('discovers the live release, runs the downs from the newer task definition, then deploys the older one', async () => {
    const { deps, executor, target } = setup();
    const log = memoryLog();
    const seen: string[] = [];
    const outcome = await rollback({ ...base, onPlan: (p) => void seen.push(p.from.release) }, deps, log);
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.fromRelease).toBe('v2');
    expect(outcome.reverted.map((r) => r.name)).toEqual(['0003_c', '0002_b']);
    expect(seen).toEqual(['v2']);
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status', 'down']);
    expect(executor.requests.every((r) => r.taskDefinitionArn === tdArn(2))).toBe(true);
    expect(executor.requests[1]!.args).toEqual(['down', '--plan', '--release', 'v1', '--json']);
    expect(target.deploys).toHaveLength(1);
    expect(target.deploys[0]).toMatchObject({ taskDefinitionArn: tdArn(1), release: 'v1', drain: false });
    expect(outcome.message).toContain('schema matches release v1');
  });

  it('refuses release records of another engine than the one it runs (Django) before running anything in the image', async () => {
    const { deps, executor, target } = setup();
    const djangoV2 = { ...v2, engine: 'django' };
    deps.store.manifests.set('v2', djangoV2);
    const outcome = await rollback(base, deps, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.reasons).toEqual([
      'release v2 was recorded by the django engine, but this rollback runs the stepback engine: run it with engine django',
    ]);
    expect(executor.requests).toEqual([]);
    expect(target.deploys).toEqual([]);
  });

  it('a release recorded without a task definition: deployed by name to a target that deploys releases, refused by one that needs a task definition', async () => {
    const { deps, executor, target } = setup({ kind: 'runner' });
    const { taskDefinitionArn: _1, ...bareV1 } = v1;
    const { taskDefinitionArn: _2, ...bareV2 } = v2;
    deps.store.manifests.set('v1', bareV1);
    deps.store.manifests.set('v2', bareV2);
    target.current = { release: 'v2' };

    const refusedOutcome = await rollback(base, deps, memoryLog());
    expect(refusedOutcome.status).toBe('refused');
    expect(refusedOutcome.reasons).toEqual([
      'release v1 has no task definition recorded, so there is nothing to deploy to the service (record it with task-definition; only the file deploy target deploys a release by name)',
    ]);
    expect(executor.requests).toEqual([]);

    target.deploysBy = 'release';
    const log = memoryLog();
    const outcome = await rollback(base, deps, log);
    expect(outcome.status).toBe('rolled-back');
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status', 'down']);
    expect(executor.requests.every((r) => r.taskDefinitionArn === undefined)).toBe(true);
    expect(target.deploys).toEqual([expect.objectContaining({ release: 'v1', drain: false })]);
    expect(target.deploys[0]!.taskDefinitionArn).toBeUndefined();
    expect(log.text()).toContain('Live release: v2');
    expect(outcome.message).toContain('deployed release v1');
  });

  it('dry run stops after the plan: no down, no deploy', async () => {
    const { deps, executor, target } = setup();
    const outcome = await rollback({ ...base, dryRun: true }, deps, memoryLog());
    expect(outcome.status).toBe('planned');
    expect(outcome.remaining).toEqual(['0003_c', '0002_b']);
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status']);
    expect(target.deploys).toEqual([]);
  });

  it('refuses when the status output cannot be read, saying to give the container the awslogs driver', async () => {
    const { store, target } = setup();
    // A task whose container logs through FireLens: it ran, but its stdout never reached stepback.
    const executor = new ScriptedExecutor('ecs', () => ({ ok: true, exitCode: 0, message: 'exited 0' }));
    const outcome = await rollback({ ...base, dryRun: true }, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.reasons.join(' ')).toContain("the status run's output could not be read");
    expect(outcome.reasons.join(' ')).toContain('give the migration container the awslogs log driver');
    expect(target.deploys).toEqual([]);
  });

  it('a down failing half-way does not deploy and names what was reverted and what remains', async () => {
    const { deps, target } = setup({ failAt: '0002_b' });
    const outcome = await rollback(base, deps, memoryLog());
    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.reverted.map((r) => r.name)).toEqual(['0003_c']);
    expect(outcome.remaining).toEqual(['0002_b']);
    expect(outcome.failed?.name).toBe('0002_b');
    expect(target.deploys).toEqual([]);
    expect(outcome.message).toContain('Reverted by this run: 0003_c.');
    expect(outcome.message).toContain('Still applied: 0002_b');
    expect(outcome.message).toContain('resumes');
  });

  it('resumes a half-done rollback: only what is still applied is reverted', async () => {
    const { deps, executor, target } = setup({ status: statusOf(v2, ['0001_a', '0002_b']) });
    const outcome = await rollback(base, deps, memoryLog());
    expect(outcome.status).toBe('rolled-back');
    expect(outcome.alreadyReverted).toEqual(['0003_c']);
    expect(outcome.reverted.map((r) => r.name)).toEqual(['0002_b']);
    expect(executor.requests).toHaveLength(2);
    expect(target.deploys).toHaveLength(1);
  });

  it('with the downs already done, deploys without running a down', async () => {
    const { deps, executor, target } = setup({ status: statusOf(v2, ['0001_a']) });
    const outcome = await rollback(base, deps, memoryLog());
    expect(outcome.status).toBe('rolled-back');
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status']);
    expect(target.deploys).toHaveLength(1);
  });

  it('refuses, before anything runs, when a manifest is missing', async () => {
    const { deps, executor, target } = setup();
    const outcome = await rollback({ ...base, toRelease: 'v0' }, deps, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.reasons.join()).toContain('v0');
    expect(executor.requests).toEqual([]);
    expect(target.deploys).toEqual([]);
  });

  it('refuses when the planner does (database ahead of the newer release)', async () => {
    const ahead = statusOf(manifest('v3', ['0001_a', '0002_b', '0003_c', '0004_d']));
    const { deps, executor, target } = setup({ status: ahead });
    const outcome = await rollback(base, deps, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.reasons.join()).toContain('0004_d');
    expect(outcome.checks.find((c) => c.id === 'database-known')?.ok).toBe(false);
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status']);
    expect(target.deploys).toEqual([]);
  });

  it('refuses when the status cannot be read through the newer image', async () => {
    const { store, target } = setup();
    const executor = new ScriptedExecutor('ecs', () => ({
      ok: false,
      exitCode: null,
      message: 'CannotPullContainerError',
    }));
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.reasons.join()).toContain('CannotPullContainerError');
    expect(target.deploys).toEqual([]);
  });

  it('refuses a plan whose ECS override exceeds 8192 characters, naming both sizes', async () => {
    const names = Array.from(
      { length: 80 },
      (_, i) => `${String(i + 1).padStart(4, '0')}_a_rather_long_migration_name_number_${i}`,
    );
    const big = manifest('v9', names, 9);
    const small = manifest('v1', [names[0]!], 1);
    const store = new MemoryStore(big, small);
    // The ECS executor's own request check, as the ecs plug-in builds it (no AWS call is made).
    const ecs = await ecsExecutor.create({
      kind: 'ecs',
      region: 'eu-west-1',
      cluster: 'c',
      container: 'app',
    });
    const executor = new ScriptedExecutor('ecs', () => ({ stdout: JSON.stringify(statusOf(big)) }), {
      check: (request) => ecs.check!(request),
    });
    const target = new RecordingTarget({ taskDefinitionArn: tdArn(9), release: 'v9' });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.overrideLength).toBeGreaterThan(ECS_OVERRIDE_LIMIT);
    expect(outcome.message).toContain(`${outcome.overrideLength} characters, limit 8192`);
    expect(executor.requests.map((r) => r.args[0])).toEqual(['status']);
    expect(target.deploys).toEqual([]);
    // The same plan through the runner executor is not limited.
    const runner = new ScriptedExecutor('runner', (req) =>
      req.args[0] === 'status'
        ? { stdout: JSON.stringify(statusOf(big)) }
        : { stdout: resultLine({ command: 'down', reverted: [] }) },
    );
    const viaRunner = await rollback(base, { store, executor: runner, target }, memoryLog());
    expect(viaRunner.overrideLength).toBeUndefined();
    expect(viaRunner.status).toBe('rolled-back');
  });

  it('a deploy that does not become stable is a failure that says the database is already at the older release', async () => {
    const { store, executor } = setup();
    const target = new RecordingTarget({ taskDefinitionArn: tdArn(2), release: 'v2' }, () => ({
      ok: false,
      taskDefinitionArn: tdArn(1),
      message: 'circuit breaker rolled the deployment back',
    }));
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('failed');
    expect(outcome.remaining).toEqual([]);
    expect(outcome.message).toContain("at release v1's migrations");
    expect(outcome.message).toContain('circuit breaker');
  });

  it('finds the live release through the store when the task definition carries no tag', async () => {
    const { store, executor } = setup();
    const target = new RecordingTarget({ taskDefinitionArn: tdArn(2) });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.fromRelease).toBe('v2');
    expect(outcome.status).toBe('rolled-back');
  });

  it('is a no-op when the target release is already live', async () => {
    const { store, executor } = setup();
    const target = new RecordingTarget({ taskDefinitionArn: tdArn(1), release: 'v1' });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('already-live');
    expect(outcome.ok).toBe(true);
    expect(executor.requests).toEqual([]);
  });

  it('a down run that reports nothing leaves the position unknown, and says how to find it', async () => {
    const { deps, target } = setup({ downStdout: () => '' });
    const { executor } = deps;
    (executor as ScriptedExecutor).requests.length = 0;
    const failing = new ScriptedExecutor('ecs', (req) =>
      req.args[0] === 'status'
        ? { stdout: JSON.stringify(statusOf(v2)) }
        : { ok: false, exitCode: 137, message: 'OutOfMemoryError' },
    );
    const outcome = await rollback(base, { ...deps, executor: failing }, memoryLog());
    expect(outcome.status).toBe('failed');
    expect(outcome.remaining).toBeNull();
    expect(outcome.message).toContain('unknown');
    expect(outcome.message).toContain('stepback status');
    expect(target.deploys).toEqual([]);
  });
});

describe('databasePosition', () => {
  const plan = {
    format: 'stepback/plan@2' as const,
    digest: 'sha256:z',
    from: { release: 'v2', manifestDigest: 'sha256:x' },
    to: { release: 'v1', manifestDigest: 'sha256:y' },
    revert: ['c', 'b', 'a'].map((name) => ({ name, checksum: 'x', downChecksum: 'y' })),
    keep: [],
    checks: [],
  };
  it.each([
    { reverted: [], already: [], remaining: ['c', 'b', 'a'], says: 'Nothing was reverted by this run.' },
    { reverted: ['c'], already: [], remaining: ['b', 'a'], says: 'Reverted by this run: c.' },
    { reverted: ['b'], already: ['c'], remaining: ['a'], says: 'c had been reverted by an earlier run' },
    { reverted: ['c', 'b', 'a'], already: [], remaining: [], says: 'Every planned migration was reverted.' },
  ])('reverted $reverted after $already → remaining $remaining', ({ reverted, already, remaining, says }) => {
    const where = databasePosition(plan, reverted, null, already);
    expect(where.remaining).toEqual(remaining);
    expect(where.text).toContain(says);
  });
});
