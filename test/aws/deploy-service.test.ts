import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployService, EcsDeployTarget } from '../../src/aws/deploy-service.ts';
import { EcsTaskDefinitions } from '../../src/aws/task-definitions.ts';
import { RefusedError } from '../../src/core/errors.ts';
import { RELEASE_TAG } from '../../src/core/ports.ts';
import { redactTaskDefinition } from '../../src/core/task-definition-secrets.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { type AwsClients, clientsFor, NETWORK, registerTd, simClock } from './helpers.ts';

let sim: AwsSim;
let clients: AwsClients;
let td1: string;
let td2: string;

beforeEach(async () => {
  sim = await startAwsSim();
  clients = await clientsFor(sim);
  td1 = registerTd(sim, { image: 'app:v1' });
  td2 = registerTd(sim, { image: 'app:v2' });
  sim.ecs.createService({
    serviceName: 'web',
    taskDefinition: td1,
    desiredCount: 2,
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
  });
});

afterEach(async () => {
  clients.destroy();
  await sim.close();
});

function request(taskDefinitionArn: string, extra: Record<string, unknown> = {}) {
  return {
    cluster: 'default',
    service: 'web',
    taskDefinitionArn,
    release: 'v2',
    timeoutMs: 30 * 60_000,
    ...extra,
  };
}

describe('deployService', () => {
  it('updates to the exact ARN and waits until that deployment is the only one and COMPLETED', async () => {
    const log = memoryLog();
    const result = await deployService(clients.ecs, request(td2), log, { clock: simClock(sim) });
    expect(result).toMatchObject({ ok: true, taskDefinitionArn: td2 });
    expect(result.message).toMatch(/^Deployment ecs-svc\/\d{19} completed/);
    expect(sim.callsTo('UpdateService').map((c) => c.input)).toEqual([
      { cluster: 'default', service: 'web', taskDefinition: td2 },
    ]);
    const service = sim.ecs.services.get('default/web')!;
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]?.taskDefinition).toBe(td2);
    // Service events arrive in order, oldest first, each once.
    const events = log.lines.map((l) => l.message).filter((m) => m.includes('(service web)'));
    expect(events.map((m) => m.replace(/^\S+ /, ''))).toEqual([
      expect.stringMatching(/^\(service web\) has started 2 tasks/),
      expect.stringMatching(/^\(service web\) has stopped 2 running tasks/),
      expect.stringMatching(/^\(service web\) \(deployment ecs-svc\/\d+\) deployment completed\.$/),
      '(service web) has reached a steady state.',
    ]);
  });

  it('a circuit-breaker rollback (rolloutState FAILED) is a failure, not success', async () => {
    sim.fault({ kind: 'deployment', effect: 'circuitBreakerRollback' });
    const log = memoryLog();
    const result = await deployService(clients.ecs, request(td2), log, { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('failed: ECS deployment circuit breaker: tasks failed to start.');
    expect(result.message).toContain(`ECS is rolling back to ${td1}`);
    expect(log.text()).toContain('deployment failed: tasks failed to start.');
  });

  it('a deployment replaced by the rollback before we looked is a failure too (stable is not enough)', async () => {
    sim.fault({ kind: 'deployment', effect: 'circuitBreakerRollback' });
    const log = memoryLog();
    const result = await deployService(
      clients.ecs,
      request(td2, { pollIntervalMs: 120_000, initialPollMs: 120_000 }),
      log,
      {
        clock: simClock(sim),
      },
    );
    // By the first poll the rollback has completed: one deployment, running == desired, "stable".
    const service = sim.ecs.services.get('default/web')!;
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]?.taskDefinition).toBe(td1);
    expect(result.ok).toBe(false);
    expect(result.message).toContain('was replaced');
    expect(result.message).toContain(`the service now runs ${td1}`);
    expect(log.text()).toContain('rolling back to deployment');
  });

  it('re-registers an INACTIVE task definition from the stored JSON, tags it, and deploys the new ARN', async () => {
    const stored = (await new EcsTaskDefinitions(clients.ecs, memoryLog()).describe(td2)).registerInput;
    sim.ecs.deregisterTaskDefinition({ taskDefinition: td2 });
    const log = memoryLog();
    const result = await deployService(clients.ecs, { ...request(td2), taskDefinition: stored }, log, {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(true);
    expect(result.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/app:3');
    expect(log.text()).toContain(`${td2} is INACTIVE: registered it again from the release record as`);
    const registered = sim.ecs.taskDefinitions.get(result.taskDefinitionArn)!;
    expect(registered.input.containerDefinitions[0]?.image).toBe('app:v2');
    expect(registered.tags).toContainEqual({ key: RELEASE_TAG, value: 'v2' });
    expect(sim.callsTo('UpdateService')[0]?.input.taskDefinition).toBe(result.taskDefinitionArn);
  });

  it('refuses an INACTIVE task definition when there is nothing stored to register', async () => {
    sim.ecs.deregisterTaskDefinition({ taskDefinition: td2 });
    const error = await deployService(clients.ecs, request(td2), memoryLog(), { clock: simClock(sim) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toBe(`Task definition ${td2} is INACTIVE and cannot be deployed`);
    expect(sim.callsTo('UpdateService')).toHaveLength(0);
  });

  it('refuses to re-register a stored task definition whose secrets were redacted at record-release', async () => {
    const stored = (await new EcsTaskDefinitions(clients.ecs, memoryLog()).describe(td2)).registerInput;
    const { taskDefinition: redacted } = redactTaskDefinition({
      ...stored,
      containerDefinitions: [
        {
          name: 'app',
          image: 'app:v2',
          environment: [{ name: 'DATABASE_URL', value: 'postgres://u:pw@db/app' }],
        },
      ],
    });
    sim.ecs.deregisterTaskDefinition({ taskDefinition: td2 });
    const error = await deployService(
      clients.ecs,
      { ...request(td2), taskDefinition: redacted },
      memoryLog(),
      {
        clock: simClock(sim),
      },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toBe(
      `Task definition ${td2} is INACTIVE and its release record had secrets removed`,
    );
    expect(sim.callsTo('RegisterTaskDefinition')).toHaveLength(0);
    expect(sim.callsTo('UpdateService')).toHaveLength(0);
  });

  it('drain mode scales to zero, waits for zero running, then deploys and restores the count', async () => {
    const log = memoryLog();
    const result = await deployService(clients.ecs, request(td2, { drain: true }), log, {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(true);
    const updates = sim.callsTo('UpdateService');
    expect(updates.map((c) => c.input)).toEqual([
      { cluster: 'default', service: 'web', desiredCount: 0 },
      { cluster: 'default', service: 'web', taskDefinition: td2, desiredCount: 2 },
    ]);
    // Between scaling to 0 and switching, the service was described again (and showed 0 running).
    const between = sim.calls.slice(sim.calls.indexOf(updates[0]!), sim.calls.indexOf(updates[1]!));
    expect(between.filter((c) => c.operation === 'DescribeServices').length).toBeGreaterThan(0);
    expect(log.text()).toContain('web has 0 running tasks');
    const service = sim.ecs.services.get('default/web')!;
    expect(service.desiredCount).toBe(2);
    expect(service.deployments[0]).toMatchObject({
      taskDefinition: td2,
      runningCount: 2,
      rolloutState: 'COMPLETED',
    });
  });

  it('given family:revision, deploys and follows the full ARN', async () => {
    const result = await deployService(clients.ecs, request('app:2'), memoryLog(), { clock: simClock(sim) });
    expect(result).toMatchObject({ ok: true, taskDefinitionArn: td2 });
    expect(sim.callsTo('UpdateService')[0]?.input.taskDefinition).toBe(td2);
  });

  it('times out with a message when the deployment does not finish in time', async () => {
    const result = await deployService(clients.ecs, request(td2, { timeoutMs: 10_000 }), memoryLog(), {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('Timed out after 0.2 min waiting for deployment ecs-svc/');
  });

  it('backs off through DescribeServices throttling', async () => {
    sim.fault({ kind: 'error', operation: 'DescribeServices', error: 'ThrottlingException', times: 2 });
    const log = memoryLog();
    const result = await deployService(clients.ecs, request(td2), log, {
      clock: simClock(sim),
      random: () => 0.1,
    });
    expect(result.ok).toBe(true);
    expect(log.lines.filter((l) => l.level === 'warn' && l.message.includes('throttled'))).toHaveLength(2);
  });
});

describe('EcsDeployTarget', () => {
  it('live() reads the service task definition and its stepback:release tag', async () => {
    const target = new EcsDeployTarget({
      ecs: clients.ecs,
      cluster: 'default',
      service: 'web',
      clock: simClock(sim),
    });
    expect(await target.live()).toEqual({ taskDefinitionArn: td1 });
    await new EcsTaskDefinitions(clients.ecs, memoryLog()).tag(td1, { [RELEASE_TAG]: 'v1' });
    expect(await target.live()).toEqual({ taskDefinitionArn: td1, release: 'v1' });
    const deployed = await target.deploy(
      { taskDefinitionArn: td2, release: 'v2', timeoutMs: 600_000 },
      memoryLog(),
    );
    expect(deployed.ok).toBe(true);
    expect((await target.live()).taskDefinitionArn).toBe(td2);
  });
});
