/** migrate, record-release and the result/plan transport: pure decisions and flows over fakes of the ports. */
import { describe, expect, it } from 'vitest';
import { ecsOverrideLength } from '../../src/core/ecs-override.ts';
import { RefusedError } from '../../src/core/errors.ts';
import type { TaskDefinitionInfo, TaskDefinitions } from '../../src/core/ports.ts';
import { planRollback } from '../../src/core/rollback-plan.ts';
import { decodePlanText } from '../../src/migrate/plan-input.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate, migrateOutcome } from '../../src/pipeline/migrate.ts';
import { encodePlan } from '../../src/pipeline/plan-transport.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { parseRunnerResult, parseStatusOutput } from '../../src/pipeline/result.ts';
import { MemoryStore, manifest, migration, resultLine, ScriptedExecutor, statusOf, tdArn } from './fakes.ts';

describe('migrateOutcome', () => {
  const applied = [
    { name: '0001_a', durationMs: 12 },
    { name: '0002_b', durationMs: 40 },
  ];
  it.each([
    {
      case: 'success with a result line after log lines',
      exec: { ok: true, exitCode: 0, stdout: `applying…\n${resultLine({ applied })}\n` },
      ok: true,
      names: ['0001_a', '0002_b'],
      says: 'Applied 2 migrations',
    },
    {
      case: 'a failed migration',
      exec: {
        ok: false,
        exitCode: 1,
        stdout: resultLine({
          ok: false,
          exitCode: 1,
          applied: applied.slice(0, 1),
          failed: { name: '0002_b', message: 'syntax error' },
        }),
      },
      ok: false,
      names: ['0001_a'],
      says: 'Migration 0002_b failed: syntax error',
    },
    {
      case: 'refused (database ahead)',
      exec: {
        ok: false,
        exitCode: 3,
        stdout: resultLine({ ok: false, exitCode: 3, error: 'database is ahead of this code' }),
      },
      ok: false,
      names: [],
      says: 'database is ahead',
    },
    {
      case: 'the task never ran',
      exec: { ok: false, exitCode: null, message: 'CannotPullContainerError: image not found' },
      ok: false,
      names: [],
      says: 'CannotPullContainerError',
    },
    {
      case: 'exit 0 from the executor but the JSON says it failed',
      exec: { ok: true, exitCode: 0, stdout: resultLine({ ok: false, exitCode: 0 }) },
      ok: false,
      names: [],
      says: 'did not complete',
    },
    {
      case: 'success with no JSON (logs not readable)',
      exec: { ok: true, exitCode: 0, stdout: undefined },
      ok: true,
      names: [],
      says: 'applied list is unknown',
    },
    {
      case: 'a failure with no JSON and unreadable logs keeps the exit code it has',
      exec: { ok: false, exitCode: 1, stdout: undefined, message: 'exited with 1' },
      ok: false,
      names: [],
      says: 'did not complete',
      exitCode: 1,
    },
    {
      case: 'output read but no stepback result: never started, exit 5, not "a migration failed"',
      exec: { ok: false, exitCode: 1, stdout: '', message: 'exited 1' },
      ok: false,
      names: [],
      says: 'stepback never reported a result (arn:task/1: exited 1): it did not start',
      exitCode: 5,
    },
    {
      case: 'output read, a shell that found no stepback (127)',
      exec: { ok: false, exitCode: 127, stdout: 'sh: stepback: not found\n', message: 'exited 127' },
      ok: false,
      names: [],
      says: 'the container must run the stepback CLI with the command it is given',
      exitCode: 5,
    },
  ])('$case', ({ exec, ok, names, says, ...expected }) => {
    const outcome = migrateOutcome(
      { id: 'arn:task/1', message: exec.message ?? 'exited', ...exec } as never,
      parseRunnerResult(exec.stdout),
      'ecs',
    );
    expect(outcome.ok).toBe(ok);
    expect(outcome.applied.map((a) => a.name)).toEqual(names);
    expect(outcome.message).toContain(says);
    if ('exitCode' in expected) expect(outcome.exitCode).toBe(expected.exitCode);
  });

  it('runs `up --release R --json` through the executor with the task definition and key', async () => {
    const executor = new ScriptedExecutor('ecs', () => ({ stdout: resultLine({ applied: [] }) }));
    const outcome = await migrate(
      executor,
      {
        release: 'v7',
        taskDefinitionArn: tdArn(7),
        extraArgs: ['--single-transaction'],
        idempotencyKey: 'k',
        timeoutMs: 1000,
      },
      memoryLog(),
    );
    expect(outcome.ok).toBe(true);
    expect(executor.requests[0]).toMatchObject({
      args: ['up', '--release', 'v7', '--single-transaction', '--json'],
      taskDefinitionArn: tdArn(7),
      idempotencyKey: 'k',
      release: 'v7',
    });
  });
});

describe('result parsing', () => {
  it('takes the last result line and ignores braces in log lines', () => {
    const out = `{not json\n${resultLine({ applied: [{ name: 'x', durationMs: 1 }] })}\n${resultLine({ applied: [] })}\n`;
    expect(parseRunnerResult(out)?.applied).toEqual([]);
  });
  it('tolerates a verification it does not understand without losing the result', () => {
    const line = resultLine({
      command: 'down',
      reverted: [{ name: 'a', durationMs: 1 }],
      verification: 'odd',
    });
    expect(parseRunnerResult(line)?.reverted).toHaveLength(1);
  });
  it('reads a status document, directly or inside a result line', () => {
    const s = statusOf(manifest('v1', ['0001_a']));
    expect(parseStatusOutput(JSON.stringify(s))?.applied[0]?.name).toBe('0001_a');
    expect(parseStatusOutput(`${JSON.stringify({ status: s })}\n`)?.applied).toHaveLength(1);
    expect(parseStatusOutput('nothing here')).toBeUndefined();
  });
});

describe('plan transport', () => {
  const names = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(4, '0')}_m${i}`);
  const planned = planRollback({
    newer: manifest('v2', names, 2),
    older: manifest('v1', names.slice(0, 2), 1),
  });
  if (!planned.ok) throw new Error('fixture plan must be valid');
  it('encodes a plan the runner decodes back to the same plan (gzip when shorter)', () => {
    const text = encodePlan(planned.plan);
    expect(text.startsWith('gz:')).toBe(true);
    expect(text.length).toBeLessThan(JSON.stringify(planned.plan).length);
    expect(decodePlanText(text, 'test')).toEqual(planned.plan);
  });
  it('measures the override as ECS counts it (the JSON of the whole structure)', () => {
    const length = ecsOverrideLength({ args: ['down'], env: { A: 'b' } }, 'app');
    expect(length).toBe(
      JSON.stringify({
        containerOverrides: [{ name: 'app', command: ['down'], environment: [{ name: 'A', value: 'b' }] }],
      }).length,
    );
  });
});

class FakeTaskDefinitions implements TaskDefinitions {
  tags: Record<string, Record<string, string>> = {};
  async describe(arn: string): Promise<TaskDefinitionInfo> {
    return {
      taskDefinitionArn: arn,
      status: 'ACTIVE',
      registerInput: { family: 'app', containerDefinitions: [{ name: 'app' }] },
    };
  }
  async tag(arn: string, tags: Record<string, string>): Promise<void> {
    this.tags[arn] = { ...this.tags[arn], ...tags };
  }
}

describe('recordRelease', () => {
  const migrations = [migration('0001_a'), migration('0002_b')];
  const options = {
    release: 'v1',
    migrations,
    image: 'registry/app@sha256:abc',
    taskDefinitionArn: tdArn(1),
    now: new Date('2026-11-21T10:00:00Z'),
  };

  it('stores the manifest with the full task definition and tags the task definition', async () => {
    const store = new MemoryStore();
    const taskDefinitions = new FakeTaskDefinitions();
    const outcome = await recordRelease(options, { store, taskDefinitions }, memoryLog());
    expect(outcome.result).toBe('created');
    const stored = store.manifests.get('v1')!;
    expect(stored.taskDefinition).toEqual({ family: 'app', containerDefinitions: [{ name: 'app' }] });
    expect(stored.image).toBe('registry/app@sha256:abc');
    expect(taskDefinitions.tags[tdArn(1)]).toEqual({ 'stepback:release': 'v1' });
  });

  it('is idempotent on re-run, later in time', async () => {
    const store = new MemoryStore();
    const taskDefinitions = new FakeTaskDefinitions();
    await recordRelease(options, { store, taskDefinitions }, memoryLog());
    const again = await recordRelease(
      { ...options, now: new Date('2026-11-22T10:00:00Z') },
      { store, taskDefinitions },
      memoryLog(),
    );
    expect(again.result).toBe('unchanged');
    expect(store.manifests.get('v1')!.createdAt).toBe('2026-11-21T10:00:00Z');
  });

  it('a release recorded by an earlier stepback (stepback/manifest@1) recorded again is unchanged and kept as it was', async () => {
    const store = new MemoryStore();
    await recordRelease({ ...options, taskDefinitionArn: undefined }, { store }, memoryLog());
    const { engine: _engine, ...rest } = store.manifests.get('v1')!;
    const v1 = { ...rest, format: 'stepback/manifest@1' as const };
    store.manifests.set('v1', v1);
    const again = await recordRelease({ ...options, taskDefinitionArn: undefined }, { store }, memoryLog());
    expect(again.result).toBe('unchanged');
    expect(store.manifests.get('v1')).toBe(v1);
    const changed = await recordRelease(
      { ...options, taskDefinitionArn: undefined, migrations: migrations.slice(0, 1) },
      { store },
      memoryLog(),
    ).catch((e: unknown) => e);
    expect(changed).toBeInstanceOf(RefusedError);
  });

  it('refuses a different manifest under the same release, naming the difference', async () => {
    const store = new MemoryStore();
    await recordRelease(options, { store }, memoryLog());
    const changed = {
      ...options,
      migrations: [migrations[0]!, { ...migrations[1]!, checksum: `sha256:${'0'.repeat(64)}` }],
    };
    const error = await recordRelease(changed, { store }, memoryLog()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).problems.join()).toContain('0002_b changed');
  });
});
