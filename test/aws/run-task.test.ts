import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsAccessError } from '../../src/aws/aws-call.ts';
import { EcsTaskExecutor } from '../../src/aws/ecs-executor.ts';
import { type RunTaskOptions, runTask } from '../../src/aws/run-task.ts';
import { RefusedError } from '../../src/core/errors.ts';
import { DEFAULT_RUNNER_COMMAND } from '../../src/core/runner-command.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { type AwsClients, clientsFor, NETWORK, registerTd, simClock } from './helpers.ts';

const RESULT = '{"format":"stepback/result@1","command":"up","ok":true,"exitCode":0,"applied":[]}';

let sim: AwsSim;
let clients: AwsClients;

beforeEach(async () => {
  sim = await startAwsSim({
    images: {
      'app:ok': { script: { exitCode: 0, lines: ['applying 0001_users', 'applied 0001_users', RESULT] } },
      'app:fail': { script: { exitCode: 3, lines: ['refused: database is ahead of this code'] } },
    },
  });
  clients = await clientsFor(sim);
});

afterEach(async () => {
  clients.destroy();
  await sim.close();
});

function options(taskDefinition: string, extra: Partial<RunTaskOptions> = {}): RunTaskOptions {
  return {
    cluster: 'default',
    taskDefinition,
    containerName: 'app',
    command: ['npx', '--no-install', 'stepback', 'up', '--json'],
    environment: { STEPBACK_RELEASE: 'v2' },
    networkConfiguration: NETWORK,
    launchType: 'FARGATE',
    idempotencyKey: 'run-123-1',
    timeoutMs: 30 * 60_000,
    // One log read per DescribeTasks keeps the request count (and the suite) small.
    logIntervalMs: 6_000,
    ...extra,
  };
}

function stopTaskCalls() {
  return sim.callsTo('StopTask').map((c) => ({ task: c.input.task, reason: c.input.reason, error: c.error }));
}

describe('runTask against the simulation', () => {
  it('runs the named container with a full ARN, clientToken and overrides, streams its logs, succeeds on exit 0', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const log = memoryLog();
    const result = await runTask(
      clients,
      options('app', { startedBy: 'stepback/v2', tags: { team: 'db' } }),
      log,
      {
        clock: simClock(sim),
      },
    );
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.lines).toEqual(['applying 0001_users', 'applied 0001_users', RESULT]);
    expect(log.lines.filter((l) => l.message === 'applied 0001_users')).toHaveLength(1);
    const [call] = sim.callsTo('RunTask');
    expect(call?.input).toMatchObject({
      taskDefinition: td,
      clientToken: 'run-123-1',
      launchType: 'FARGATE',
      startedBy: 'stepback/v2',
      tags: [{ key: 'team', value: 'db' }],
      networkConfiguration: NETWORK,
      overrides: {
        containerOverrides: [
          {
            name: 'app',
            command: ['npx', '--no-install', 'stepback', 'up', '--json'],
            environment: [{ name: 'STEPBACK_RELEASE', value: 'v2' }],
          },
        ],
      },
    });
    expect(call?.input.capacityProviderStrategy).toBeUndefined();
    expect(stopTaskCalls()).toEqual([]);
  });

  it("refuses, before any task starts, a task definition entry point that would get stepback's command as its arguments", async () => {
    const withEntryPoint = registerTd(sim, { image: 'app:ok', entryPoint: ['gunicorn', 'app:wsgi'] });
    const runsBefore = sim.callsTo('RunTask').length;
    const error = await runTask(clients, options(withEntryPoint), memoryLog(), {
      clock: simClock(sim),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).exitCode).toBe(3);
    expect((error as RefusedError).message).toContain(
      `container app of ${withEntryPoint} has the entry point ["gunicorn","app:wsgi"], and RunTask can override only the command`,
    );
    expect((error as RefusedError).hint).toContain('entry-point-runs-command: true');
    expect((error as RefusedError).hint).toContain('"entryPoint": ["env"]');
    expect(sim.callsTo('RunTask').length).toBe(runsBefore);
  });

  it('runs through an entry point of env, and through any entry point the team says runs its arguments', async () => {
    const viaEnv = registerTd(sim, { image: 'app:ok', entryPoint: ['env'] });
    const envRun = await runTask(clients, options(viaEnv, { idempotencyKey: 'run-ep-1' }), memoryLog(), {
      clock: simClock(sim),
    });
    expect(envRun.ok).toBe(true);
    const wrapper = registerTd(sim, { image: 'app:ok', entryPoint: ['sh', '-c', 'exec "$@"', 'wrapper'] });
    const log = memoryLog();
    const trusted = await runTask(
      clients,
      options(wrapper, { idempotencyKey: 'run-ep-2', entryPointRunsCommand: true }),
      log,
      { clock: simClock(sim) },
    );
    expect(trusted.ok).toBe(true);
    expect(log.text()).toContain(
      'Running stepback through the entry point ["sh","-c","exec \\"$@\\"","wrapper"]',
    );
  });

  it('fails on a non-zero exit code and names stopCode, stoppedReason and the exit code', async () => {
    registerTd(sim, { image: 'app:fail' });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(result.message).toContain('container app exited with 3');
    expect(result.message).toContain('stopCode=EssentialContainerExited');
    expect(result.message).toContain('stoppedReason="Essential container in task exited"');
    expect(result.lines).toEqual(['refused: database is ahead of this code']);
    expect(stopTaskCalls()).toEqual([]);
  });

  it('reports every RunTask failure with its detail and gives up on a persistent RESOURCE:MEMORY after bounded retries', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({
      kind: 'runTaskFailure',
      reason: 'RESOURCE:MEMORY',
      detail: 'needs 512 MiB',
      times: Number.POSITIVE_INFINITY,
    });
    const log = memoryLog();
    const result = await runTask(clients, options('app', { capacityAttempts: 3 }), log, {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(false);
    expect(result.taskArn).toBe('');
    expect(result.message).toContain('RESOURCE:MEMORY');
    expect(result.message).toContain('detail: needs 512 MiB');
    expect(result.message).toContain('after 3 attempts');
    const tokens = sim.callsTo('RunTask').map((c) => c.input.clientToken);
    expect(tokens).toEqual(['run-123-1', 'run-123-1~2', 'run-123-1~3']);
    expect(sim.ecs.tasks.size).toBe(0);
  });

  it('retries "Capacity is unavailable" and succeeds when capacity returns', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({
      kind: 'runTaskFailure',
      reason:
        'Capacity is unavailable at this time. Please try again later or in a different availability zone',
    });
    const log = memoryLog();
    const result = await runTask(clients, options('app'), log, { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(sim.callsTo('RunTask')).toHaveLength(2);
    expect(log.text()).toContain('no capacity');
  });

  it('does not retry a placement failure that is not about capacity', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'runTaskFailure', reason: 'ATTRIBUTE', detail: 'ecs.capability.secrets.asm missing' });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('ATTRIBUTE, detail: ecs.capability.secrets.asm missing');
    expect(sim.callsTo('RunTask')).toHaveLength(1);
  });

  it('CannotPullContainerError: never ran, no exit code, no StopTask', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { cannotPull: true } });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.message).toContain('failed to start');
    expect(result.message).toContain('stopCode=TaskFailedToStart');
    expect(result.message).toContain('CannotPullContainerError');
    expect(stopTaskCalls()).toEqual([]);
  });

  it('exit 137 with OutOfMemoryError is a failure that says so', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { oom: true } });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(137);
    expect(result.message).toContain('exited with 137 (137 = killed by SIGKILL, usually out of memory)');
    expect(result.message).toContain('OutOfMemoryError: Container killed due to memory usage');
    expect(stopTaskCalls()).toEqual([]);
  });

  it('decides as soon as the container has exited, while Fargate is still deprovisioning the task', async () => {
    await sim.close();
    sim = await startAwsSim({
      images: { 'app:ok': { script: { exitCode: 0, lines: [RESULT] } } },
      timings: { deprovisionMs: 30_000 },
    });
    clients.destroy();
    clients = await clientsFor(sim);
    registerTd(sim, { image: 'app:ok' });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.task?.lastStatus).toBe('DEPROVISIONING');
    expect(sim.ecs.tasks.get(result.taskArn)?.lastStatus).toBe('DEPROVISIONING');
  });

  it('AccessDenied on RunTask itself: nothing started, nothing to stop, the missing permissions named', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'error', operation: 'RunTask', error: 'AccessDeniedException' });
    const error = await runTask(clients, options('app', { tags: { a: 'b' } }), memoryLog(), {
      clock: simClock(sim),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error.message).toContain('AWS refused ecs:RunTask: AccessDeniedException');
    expect(error.problems).toEqual([
      'RunTask also needs iam:PassRole on the task and execution roles, and ecs:TagResource because the task is tagged',
    ]);
    expect(sim.callsTo('RunTask')).toHaveLength(1);
    expect(stopTaskCalls()).toEqual([]);
  });

  it('backs off through a throttling burst and still reaches the verdict', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'error', operation: 'DescribeTasks', error: 'ThrottlingException', times: 3 });
    const log = memoryLog();
    const clock = simClock(sim);
    const result = await runTask(clients, options('app'), log, { clock, random: () => 0.5 });
    expect(result.ok).toBe(true);
    expect(log.lines.filter((l) => l.level === 'warn' && l.message.includes('throttled'))).toHaveLength(3);
    // Full jitter with random 0.5: half of 1 s, 2 s, 4 s.
    expect(clock.slept).toEqual(expect.arrayContaining([500, 1000, 2000]));
    expect(sim.callsTo('DescribeTasks').filter((c) => c.error === 'ThrottlingException')).toHaveLength(3);
    expect(stopTaskCalls()).toEqual([]);
  });

  it('AccessDenied fails at once with a clear message and stops the task it started', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'error', operation: 'DescribeTasks', error: 'AccessDeniedException' });
    const error = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error.message).toContain('AWS refused ecs:DescribeTasks: AccessDeniedException');
    expect(error.hint).toContain('grant the role permission for ecs:DescribeTasks');
    expect(sim.callsTo('DescribeTasks')).toHaveLength(1);
    const stops = stopTaskCalls();
    expect(stops).toHaveLength(1);
    expect(stops[0]?.reason).toContain('stepback: lost access while waiting (ecs:DescribeTasks)');
    expect(error.problems.join(' ')).toContain('StopTask sent');
  });

  it('an expired session fails at once, and says when StopTask could not be sent either', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'error', operation: 'DescribeTasks', error: 'ExpiredTokenException' });
    sim.fault({ kind: 'error', operation: 'StopTask', error: 'ExpiredTokenException' });
    const error = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error.message).toContain(
      'ExpiredTokenException: The security token included in the request is expired',
    );
    expect(error.hint).toContain('longer role session');
    expect(stopTaskCalls()).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining('lost access'),
        error: 'ExpiredTokenException',
      }),
    ]);
    expect(error.problems.join(' ')).toContain('StopTask FAILED');
  });

  it('a task that never stops: on timeout, StopTask with a reason, then fail', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { neverStops: true } });
    const result = await runTask(clients, options('app', { timeoutMs: 30_000 }), memoryLog(), {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.message).toContain('Timed out after 0.5 min');
    expect(result.message).toContain('StopTask sent');
    const stops = stopTaskCalls();
    expect(stops).toEqual([
      {
        task: result.taskArn,
        reason: 'stepback: timed out after 0.5 min waiting for the migration',
        error: undefined,
      },
    ]);
    const task = sim.ecs.tasks.get(result.taskArn);
    expect(task?.desiredStatus).toBe('STOPPED');
    expect(task?.stopCode).toBe('UserInitiated');
  });

  it('cancellation (AbortSignal): StopTask with a reason, then fail', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { neverStops: true } });
    const controller = new AbortController();
    const started = sim.now();
    const clock = simClock(sim, (_ms, now) => {
      if (now - started > 10_000) controller.abort();
    });
    const result = await runTask(clients, options('app', { signal: controller.signal }), memoryLog(), {
      clock,
    });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('Cancelled while task');
    expect(stopTaskCalls()).toEqual([
      { task: result.taskArn, reason: 'stepback: the pipeline step was cancelled', error: undefined },
    ]);
  });

  it('tolerates a task that is briefly MISSING right after RunTask', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { missingDescribes: 2 } });
    const log = memoryLog();
    const result = await runTask(clients, options('app'), log, { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(log.text()).toContain('not visible yet (MISSING');
  });

  it('re-checks a stopped task whose exit code lags, then succeeds', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { exitCodeLagDescribes: 2 } });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
  });

  it('an exit code that never appears means the container never ran', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { exitCodeLagDescribes: 100 } });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.message).toContain('stopped without an exit code for app, so it never ran');
  });

  it('keeps logs that appear late (drained after the task stopped)', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'task', effect: { lateLogsMs: 8_000 } });
    const result = await runTask(clients, options('app'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.lines).toEqual(['applying 0001_users', 'applied 0001_users', RESULT]);
  });

  it('a container without awslogs still runs, with a note', async () => {
    registerTd(sim, { image: 'app:ok', awslogs: false });
    const log = memoryLog();
    const result = await runTask(clients, options('app'), log, { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.logsRead).toBe(false);
    expect(log.lines.find((l) => l.level === 'warn')?.message).toContain('has no awslogs log configuration');
    expect(sim.callsTo('GetLogEvents')).toHaveLength(0);
  });

  it('refuses an INACTIVE task definition before RunTask', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    sim.ecs.deregisterTaskDefinition({ taskDefinition: td });
    const error = await runTask(clients, options(td), memoryLog(), { clock: simClock(sim) }).catch((e) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain(`${td} is INACTIVE`);
    expect(sim.callsTo('RunTask')).toHaveLength(0);
  });

  it('copies task definition, network, capacity providers and platform version from a service', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }];
    sim.ecs.createService({
      serviceName: 'web',
      taskDefinition: td,
      desiredCount: 2,
      capacityProviderStrategy: strategy,
      networkConfiguration: NETWORK,
      platformVersion: '1.4.0',
    });
    const result = await runTask(
      clients,
      {
        ...options('ignored'),
        taskDefinition: undefined,
        launchType: undefined,
        networkConfiguration: undefined,
        service: 'web',
      },
      memoryLog(),
      { clock: simClock(sim) },
    );
    expect(result.ok).toBe(true);
    const input = sim.callsTo('RunTask')[0]?.input;
    expect(input).toMatchObject({
      taskDefinition: td,
      capacityProviderStrategy: strategy,
      networkConfiguration: NETWORK,
      platformVersion: '1.4.0',
    });
    expect(input?.launchType).toBeUndefined();
  });

  it('after the result line appears, DescribeTasks is asked at once and then every second', async () => {
    registerTd(sim, { image: 'app:ok' });
    sim.images.set('app:ok', { script: { exitCode: 0, lines: [RESULT], runMs: 15_000 } });
    // The line is printed when the container starts; the task keeps running for 15 s.
    const result = await runTask(
      clients,
      options('app', { fastPolls: 5, logIntervalMs: 1_000 }),
      memoryLog(),
      {
        clock: simClock(sim),
      },
    );
    expect(result.ok).toBe(true);
    const times = sim.callsTo('DescribeTasks').map((c) => c.at);
    const logTimes = sim
      .callsTo('GetLogEvents')
      .filter((c) => c.error === undefined)
      .map((c) => c.at);
    const firstLine = logTimes[0]!;
    const after = times.filter((t) => t >= firstLine);
    expect(after[0]).toBe(firstLine);
    expect(after.slice(1, 6).map((t, i) => t - after[i]!)).toEqual([1000, 1000, 1000, 1000, 1000]);
    // Then back to the normal cadence.
    expect(after[6]! - after[5]!).toBe(6000);
  });
});

/** The executor as the migrate action builds it for the simulation's default cluster. */
const newExecutor = () =>
  new EcsTaskExecutor({
    clients,
    cluster: 'default',
    containerName: 'app',
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    clock: simClock(sim),
  });

describe('EcsTaskExecutor', () => {
  it('prefixes the runner command, tags the run, returns stdout, and a retried step reuses the first task', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const executor = newExecutor();
    const request = {
      args: ['up', '--release', 'v2', '--json'],
      env: {},
      release: 'v2',
      taskDefinitionArn: td,
      idempotencyKey: 'gh-run-77-attempt-1',
      timeoutMs: 600_000,
    };
    const first = await executor.run(request, memoryLog());
    expect(first.ok).toBe(true);
    expect(first.id).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/default\/[0-9a-f]{32}$/);
    expect(first.stdout?.split('\n').at(-1)).toBe(RESULT);
    const input = sim.callsTo('RunTask')[0]?.input as {
      overrides: { containerOverrides: { command: string[] }[] };
    };
    // No runner-command given: the default launcher, then the request's arguments.
    expect(input.overrides.containerOverrides[0]?.command).toEqual([
      ...DEFAULT_RUNNER_COMMAND,
      'up',
      '--release',
      'v2',
      '--json',
    ]);
    expect(sim.callsTo('RunTask')[0]?.input.tags).toEqual([
      { key: 'stepback:release', value: 'v2' },
      { key: 'stepback:run', value: 'gh-run-77-attempt-1' },
    ]);
    const second = await executor.run(request, memoryLog());
    expect(second.id).toBe(first.id);
    expect(sim.ecs.tasks.size).toBe(1);
  });

  it('the same idempotency key with different arguments is refused (ConflictException)', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const executor = newExecutor();
    const base = { env: {}, release: 'v2', taskDefinitionArn: td, idempotencyKey: 'k-1', timeoutMs: 600_000 };
    await executor.run({ ...base, args: ['up', '--json'] }, memoryLog());
    const error = await executor.run({ ...base, args: ['down', '--to', '0'] }, memoryLog()).catch((e) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain('already used for a different request');
    expect(sim.ecs.tasks.size).toBe(1);
  });
});
