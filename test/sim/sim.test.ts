/** The simulation itself, through the real SDK clients: API shapes, idempotency, errors, logs, env endpoints. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, NETWORK, registerTd } from '../aws/helpers.ts';
import { type AwsSim, startAwsSim } from './index.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

let sim: AwsSim;
let ecs: ECSClient;

beforeEach(async () => {
  sim = await startAwsSim({
    images: { 'app:ok': { script: { exitCode: 0, lines: ['one', 'two', 'three'] } } },
  });
  ecs = new ECSClient(sim.clientConfig);
});
afterEach(async () => {
  ecs.destroy();
  await sim.close();
});

function runInput(taskDefinition: string, extra: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'default',
    taskDefinition,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    overrides: { containerOverrides: [{ name: 'app', command: ['up'] }] },
    ...extra,
  };
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  const e = (await promise.then(
    () => {
      throw new Error('expected an error');
    },
    (error: unknown) => error,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
}

describe('ECS RunTask and DescribeTasks', () => {
  it('is idempotent per clientToken, and a reused token with other parameters is a ConflictException', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const first = await ecs.send(new RunTaskCommand({ ...runInput(td), clientToken: 'tok-1' }));
    const again = await ecs.send(new RunTaskCommand({ ...runInput(td), clientToken: 'tok-1' }));
    expect(again.tasks?.[0]?.taskArn).toBe(first.tasks?.[0]?.taskArn);
    expect(sim.ecs.tasks.size).toBe(1);
    const conflict = await errorOf(
      ecs.send(new RunTaskCommand({ ...runInput(td), startedBy: 'x', clientToken: 'tok-1' })),
    );
    expect(conflict).toMatchObject({ name: 'ConflictException', status: 400 });
  });

  it('refuses launchType together with capacityProviderStrategy, INACTIVE definitions, and awsvpc without a network', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    expect(
      await errorOf(
        ecs.send(
          new RunTaskCommand(runInput(td, { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] })),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message:
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
    });
    expect(
      await errorOf(ecs.send(new RunTaskCommand(runInput(td, { networkConfiguration: undefined })))),
    ).toMatchObject({
      name: 'InvalidParameterException',
    });
    sim.ecs.deregisterTaskDefinition({ taskDefinition: td });
    expect(await errorOf(ecs.send(new RunTaskCommand(runInput(td))))).toMatchObject({
      name: 'ClientException',
      message: 'TaskDefinition is inactive',
    });
  });

  it('resolves family:revision and family to ACTIVE revisions', async () => {
    const first = registerTd(sim, { image: 'app:ok' });
    const second = registerTd(sim, { image: 'app:ok' });
    sim.ecs.deregisterTaskDefinition({ taskDefinition: second });
    const byFamily = await ecs.send(new RunTaskCommand(runInput('app')));
    expect(byFamily.tasks?.[0]?.taskDefinitionArn).toBe(first);
    const byRevision = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'app:2' }));
    expect(byRevision.taskDefinition?.status).toBe('INACTIVE');
  });

  it('reports failures[] without an exception, MISSING tasks, and moves tasks through the lifecycle', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    sim.fault({ kind: 'runTaskFailure', reason: 'RESOURCE:CPU' });
    const failed = await ecs.send(new RunTaskCommand(runInput(td)));
    expect(failed.tasks).toEqual([]);
    expect(failed.failures?.[0]?.reason).toBe('RESOURCE:CPU');
    sim.fault({ kind: 'task', effect: { missingDescribes: 1 } });
    const out = await ecs.send(new RunTaskCommand(runInput(td)));
    const arn = out.tasks![0]!.taskArn!;
    const describe = () => ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
    expect((await describe()).failures).toEqual([{ arn, reason: 'MISSING' }]);
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await describe()).tasks![0]!.lastStatus!);
      await sim.advance(2_500);
    }
    // Default timings: 2 s provisioning, 3 s image pull, 5 s run.
    expect(statuses).toEqual(['PROVISIONING', 'PENDING', 'RUNNING', 'RUNNING', 'STOPPED']);
    const done = (await describe()).tasks![0]!;
    expect(done).toMatchObject({
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'app', exitCode: 0 }],
    });
    expect(done.stoppedAt).toBeInstanceOf(Date);
  });

  it('StopTask records UserInitiated with the reason and deletes the task tags', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const out = await ecs.send(new RunTaskCommand(runInput(td, { tags: [{ key: 'k', value: 'v' }] })));
    const arn = out.tasks![0]!.taskArn!;
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn, reason: 'because' }));
    expect(stopped.task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'because',
    });
    expect(sim.ecs.tasks.get(arn)?.tags).toEqual([]);
  });

  it('DescribeTaskDefinition returns tags only when asked with include TAGS', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    sim.ecs.tagResource({ resourceArn: td, tags: [{ key: 'stepback:release', value: 'v1' }] });
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td }))).tags).toBeUndefined();
    const withTags = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: td, include: ['TAGS'] }),
    );
    expect(withTags.tags).toEqual([{ key: 'stepback:release', value: 'v1' }]);
  });
});

describe('errors the SDK classifies', () => {
  it('retries a throttled call itself (maxAttempts 2) but not AccessDenied or ExpiredToken', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const retrying = new ECSClient({ ...sim.clientConfig, maxAttempts: 2 });
    try {
      sim.fault({ kind: 'error', operation: 'DescribeTaskDefinition', error: 'ThrottlingException' });
      await retrying.send(new DescribeTaskDefinitionCommand({ taskDefinition: td }));
      expect(sim.callsTo('DescribeTaskDefinition').map((c) => c.error)).toEqual([
        'ThrottlingException',
        undefined,
      ]);
      for (const error of ['AccessDeniedException', 'ExpiredTokenException']) {
        sim.calls.length = 0;
        sim.fault({ kind: 'error', operation: 'DescribeTaskDefinition', error });
        expect(
          await errorOf(retrying.send(new DescribeTaskDefinitionCommand({ taskDefinition: td }))),
        ).toMatchObject({
          name: error,
          status: 400,
        });
        expect(sim.callsTo('DescribeTaskDefinition')).toHaveLength(1);
      }
    } finally {
      retrying.destroy();
    }
  });
});

describe('CloudWatch Logs', () => {
  it('ResourceNotFound until the stream exists; pages forward with startFromHead; the same token at the end', async () => {
    const { logs } = await clientsFor(sim);
    const get = (nextToken?: string) =>
      logs.send(
        new GetLogEventsCommand({
          logGroupName: 'g',
          logStreamName: 's',
          startFromHead: true,
          limit: 2,
          nextToken,
        }),
      );
    expect(await errorOf(get())).toMatchObject({ name: 'ResourceNotFoundException' });
    sim.logs.put('g', 's', ['a', 'b', 'c']);
    const p1 = await get();
    const p2 = await get(p1.nextForwardToken);
    const p3 = await get(p2.nextForwardToken);
    expect([p1, p2, p3].map((p) => p.events?.map((e) => e.message))).toEqual([['a', 'b'], ['c'], []]);
    expect(p3.nextForwardToken).toBe(p2.nextForwardToken);
    logs.destroy();
  });
});

describe('a separate process reaches the simulation through AWS_ENDPOINT_URL_*', () => {
  it('runs the SDK under Node 24 with only the env the simulation hands out', async () => {
    const td = registerTd(sim, { image: 'app:ok' });
    const node = process.env.STEPBACK_NODE24 ?? process.execPath;
    const script = `
      import { ECSClient, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
      const out = await new ECSClient({}).send(new DescribeTaskDefinitionCommand({ taskDefinition: process.argv[1] }));
      console.log(out.taskDefinition.taskDefinitionArn);
    `;
    const { PATH, HOME } = process.env;
    const { stdout } = await run(node, ['--input-type=module', '-e', script, td], {
      cwd: root,
      env: { PATH, HOME, ...sim.env },
    });
    expect(stdout.trim()).toBe(td);
    expect(sim.callsTo('DescribeTaskDefinition')).toHaveLength(1);
  });
});

describe('real clock mode', () => {
  it('moves tasks on by itself (for child processes that poll in real time)', async () => {
    const live = await startAwsSim({
      clock: 'real',
      timings: { provisioningMs: 20, pendingMs: 20, runMs: 20 },
      images: { 'app:ok': { script: { exitCode: 0 } } },
    });
    const client = new ECSClient(live.clientConfig);
    try {
      const td = registerTd(live, { image: 'app:ok' });
      const out = await client.send(new RunTaskCommand(runInput(td)));
      const arn = out.tasks![0]!.taskArn!;
      let status = '';
      for (let i = 0; i < 200 && status !== 'STOPPED'; i++) {
        await new Promise((r) => setTimeout(r, 10));
        status = live.ecs.tasks.get(arn)!.lastStatus;
      }
      expect(status).toBe('STOPPED');
    } finally {
      client.destroy();
      await live.close();
    }
  });
});
