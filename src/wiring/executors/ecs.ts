/** Executor `ecs`: a one-off task from the release's task definition, its container's command overridden. */
import { checkEcsOverride } from '../../core/ecs-override.ts';
import { onFirstUse } from '../../core/on-first-use.ts';
import type { ExecRequest, Log } from '../../core/ports.ts';
import { DEFAULT_RUNNER_COMMAND } from '../../core/runner-command.ts';
import { DeployTargetConfigError } from '../adapter-errors.ts';
import { commandWords, type ExecutorPlugin, required } from './plugin.ts';

export const ecsExecutor: ExecutorPlugin<'ecs'> = {
  kind: 'ecs',
  runs: 'task-definition',

  problems: (inputs) => [
    ...required(inputs, 'cluster', 'with executor ecs'),
    ...required(inputs, 'container', 'with executor ecs (the container that runs stepback)'),
    ...(inputs['launch-type'] === 'FARGATE' && inputs.service === undefined
      ? required(
          inputs,
          'subnets',
          'with executor ecs on FARGATE unless service is given to copy the network from',
        )
      : []),
  ],

  async create(config) {
    const aws = await import('../../aws/clients.ts');
    const region = aws.resolveRegion(config.region);
    if (!config.cluster) throw new DeployTargetConfigError('cluster', 'executor ecs');
    if (!config.container) throw new DeployTargetConfigError('container', 'executor ecs');
    const { cluster, container } = config;
    const command = commandWords(config);
    const subnets = config.subnets ?? [];
    const loaded = onFirstUse(async () => {
      const [{ EcsTaskExecutor }, ecs] = await Promise.all([
        import('../../aws/ecs-executor.ts'),
        aws.ecsClient(region),
      ]);
      return new EcsTaskExecutor({
        clients: { ecs, ...aws.logsClients(region) },
        cluster,
        containerName: container,
        ...(config.service ? { service: config.service } : {}),
        ...(command ? { runnerCommand: command } : {}),
        ...(config.launchType ? { launchType: config.launchType } : {}),
        ...(config.taskRoleArn ? { taskRoleArn: config.taskRoleArn } : {}),
        ...(config.entryPointRunsCommand ? { entryPointRunsCommand: true } : {}),
        ...(subnets.length > 0
          ? {
              networkConfiguration: {
                awsvpcConfiguration: {
                  subnets,
                  ...(config.securityGroups?.length ? { securityGroups: config.securityGroups } : {}),
                  assignPublicIp: config.assignPublicIp ? 'ENABLED' : 'DISABLED',
                },
              },
            }
          : {}),
      });
    });
    const prefix = command ?? DEFAULT_RUNNER_COMMAND;
    return {
      kind: 'ecs',
      runs: 'task-definition',
      // Pure, so a plan that cannot fit is refused before the SDK is even loaded.
      check: (request: ExecRequest) => checkEcsOverride(request, prefix, container),
      run: async (request: ExecRequest, log: Log) => (await loaded()).run(request, log),
    };
  },
};
