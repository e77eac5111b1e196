/**
 * A Django run through the ECS executor in the simulation ends on the Django program's own result line:
 * once the log tail has seen the `stepback-django ` line, DescribeTasks is asked at once and then every
 * second (the engine supplies the matcher, RemoteEngine.isResultLine), exactly as for the stepback CLI's
 * `--json` line; without the engine's matcher the tail keeps its normal cadence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EcsTaskExecutor } from '../../src/aws/ecs-executor.ts';
import type { RemoteEngine } from '../../src/core/remote-engine.ts';
import { RESULT_PREFIX } from '../../src/engines/django/program.ts';
import { djangoRemote } from '../../src/engines/django/remote.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { pipelineEngine } from '../../src/wiring/engines.ts';
import { type AwsClients, clientsFor, NETWORK, registerTd, simClock } from '../aws/helpers.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';

/** What the Django program prints last after applying two migrations (program.ts's result line). */
const DJANGO_RESULT = `${RESULT_PREFIX}${JSON.stringify({
  ok: true,
  done: [
    { name: 'shop.0001_initial', durationMs: 12 },
    { name: 'shop.0002_product_price', durationMs: 7 },
  ],
  applied: [],
})}`;

let sim: AwsSim;
let clients: AwsClients;

beforeEach(async () => {
  sim = await startAwsSim({
    images: {
      // The result line is printed when the container starts; the task keeps running for 15 s after it.
      'django:v1': {
        script: { exitCode: 0, lines: ['Operations to perform:', DJANGO_RESULT], runMs: 15_000 },
      },
    },
  });
  clients = await clientsFor(sim);
});

afterEach(async () => {
  clients.destroy();
  await sim.close();
});

async function migrateWith(engine: RemoteEngine) {
  const td = registerTd(sim, { image: 'django:v1' });
  const executor = new EcsTaskExecutor({
    clients,
    cluster: 'default',
    containerName: 'app',
    launchType: 'FARGATE',
    networkConfiguration: NETWORK,
    clock: simClock(sim),
    logIntervalMs: 1_000,
  });
  const outcome = await migrate(
    executor,
    { release: 'v1', taskDefinitionArn: td, idempotencyKey: 'run-1', timeoutMs: 600_000, engine },
    memoryLog(),
  );
  // DescribeTasks calls from the first log read that returned lines (the result line is in it) on.
  const firstLines = sim
    .callsTo('GetLogEvents')
    .filter((c) => c.error === undefined)
    .map((c) => c.at)[0]!;
  const polls = sim
    .callsTo('DescribeTasks')
    .map((c) => c.at)
    .filter((t) => t >= firstLines);
  return { outcome, gaps: polls.slice(1).map((t, i) => t - polls[i]!) };
}

describe('a Django run through the ECS executor (simulation)', () => {
  it('finishes on the Django result line: DescribeTasks at once, then every second', async () => {
    const engine = await pipelineEngine('django').remote({
      manageCommand: '/usr/local/bin/python3 /app/manage.py',
      log: memoryLog(),
    });
    expect(engine.isResultLine?.(DJANGO_RESULT)).toBe(true);
    expect(engine.isResultLine?.('{"format":"stepback/result@1","ok":true}')).toBe(false);
    const { outcome, gaps } = await migrateWith(engine);
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.applied.map((m) => m.name)).toEqual(['shop.0001_initial', 'shop.0002_product_price']);
    // Five fast polls in a row once the line was read (the task still runs 15 s), where none come without it.
    expect(gaps.join(',')).toContain('1000,1000,1000,1000,1000');
    const input = sim.callsTo('RunTask')[0]!.input as {
      overrides: { containerOverrides: { command: string[] }[] };
    };
    const command = input.overrides.containerOverrides[0]?.command;
    expect(command?.slice(0, 4)).toEqual(['/usr/local/bin/python3', '/app/manage.py', 'shell', '-c']);
  });

  it("without the engine's matcher the same run keeps the normal cadence (the line is not stepback's JSON)", async () => {
    const bare = djangoRemote({ manageCommand: '/usr/local/bin/python3 /app/manage.py' });
    const { outcome, gaps } = await migrateWith({ ...bare, isResultLine: undefined });
    expect(outcome.ok, outcome.message).toBe(true);
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps.filter((g) => g < 6000)).toEqual([]);
  });
});
