/**
 * The executor plug-ins: each says what its runs are made from and checks its own inputs; what it builds
 * carries the same kind and `runs`; only the ECS one limits a request (RunTask's override size). Building one
 * makes no AWS call (the SDK loads on the first run).
 */
import { describe, expect, it } from 'vitest';
import { checkEcsOverride, ECS_OVERRIDE_LIMIT } from '../../src/core/ecs-override.ts';
import { DEFAULT_RUNNER_COMMAND } from '../../src/core/runner-command.ts';
import { EXECUTOR_PLUGINS, EXECUTORS, executorPlugin } from '../../src/wiring/executors/registry.ts';

const config = {
  region: 'eu-west-1',
  cluster: 'c',
  container: 'app',
  codebuildProject: 'migrate',
  migrationsDir: 'migrations',
};

describe('executor plug-ins', () => {
  it('the executor input offers exactly the registered plug-ins', () => {
    expect(EXECUTORS).toEqual(EXECUTOR_PLUGINS.map((p) => p.kind));
    expect(EXECUTORS).toEqual(['ecs', 'codebuild', 'runner']);
  });

  it.each(EXECUTOR_PLUGINS.map((p) => [p.kind, p] as const))(
    '%s builds an executor of its kind',
    async (kind, p) => {
      const executor = await p.create({ kind, ...config });
      expect(executor.kind).toBe(kind);
      expect(executor.runs).toBe(p.runs);
    },
  );

  it('only ecs limits a request: a command and environment beyond RunTask’s override limit are refused', async () => {
    const ecs = await executorPlugin('ecs').create({ kind: 'ecs', ...config, runnerCommand: 'node cli.js' });
    const small = ecs.check!({ args: ['down'], env: { STEPBACK_PLAN: 'x' } } as never);
    expect(small.problems).toEqual([]);
    // The prefix and container count: `["node","cli.js","down"]`, the name `app`.
    expect(small.overrideLength).toBe(
      JSON.stringify({
        containerOverrides: [
          {
            name: 'app',
            command: ['node', 'cli.js', 'down'],
            environment: [{ name: 'STEPBACK_PLAN', value: 'x' }],
          },
        ],
      }).length,
    );
    const big = ecs.check!({
      args: ['down'],
      env: { STEPBACK_PLAN: 'x'.repeat(ECS_OVERRIDE_LIMIT) },
    } as never);
    expect(big.problems).toEqual([
      `it does not fit into an ECS RunTask override: ${big.overrideLength} characters, limit ${ECS_OVERRIDE_LIMIT}`,
    ]);
    for (const kind of ['codebuild', 'runner'] as const)
      expect((await executorPlugin(kind).create({ kind, ...config })).check).toBeUndefined();
  });

  it('ecs without runner-command counts the default launcher into the override', async () => {
    const ecs = await executorPlugin('ecs').create({ kind: 'ecs', ...config });
    const request = { args: ['down'], env: { STEPBACK_PLAN: 'x' } };
    expect(ecs.check!(request as never).overrideLength).toBe(
      checkEcsOverride(request, DEFAULT_RUNNER_COMMAND, 'app').overrideLength,
    );
  });

  it('each names the inputs it needs and did not get', () => {
    expect(executorPlugin('ecs').problems({ 'launch-type': 'FARGATE', subnets: [] })).toEqual([
      'cluster: is required with executor ecs',
      'container: is required with executor ecs (the container that runs stepback)',
      'subnets: is required with executor ecs on FARGATE unless service is given to copy the network from',
    ]);
    expect(
      executorPlugin('ecs').problems({
        'launch-type': 'FARGATE',
        service: 'app',
        cluster: 'c',
        container: 'x',
      }),
    ).toEqual([]);
    expect(executorPlugin('codebuild').problems({})).toEqual([
      'codebuild-project: is required with executor codebuild',
    ]);
    expect(executorPlugin('runner').problems({})).toEqual([]);
  });
});
