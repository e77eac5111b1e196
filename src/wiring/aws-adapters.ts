/**
 * The AWS side of the adapter factories (src/aws does the work; the ECS and CodeBuild executors build
 * themselves from these pieces, src/wiring/executors/), in its own module so only the paths that talk to
 * AWS load the SDK, and each path loads only the clients it uses (ECS + Logs for a task, CodeBuild +
 * Logs for a build): SDK loading is most of an action's time to its first AWS call. The configuration is
 * checked at once; the SDK and the adapter load on first use, so a flow that reads a store first (a rollback
 * reads both release records) makes that request before any ECS code is evaluated. The clients are built
 * by src/aws/clients.ts (region rule, retry settings); endpoints and credentials come from the environment
 * (AWS_ENDPOINT_URL_ECS, …).
 */

import { ecsClient, resolveRegion } from '../aws/clients.ts';
import { onFirstUse } from '../core/on-first-use.ts';
import type { DeployTarget, Log, TaskDefinitions } from '../core/ports.ts';
import { DeployTargetConfigError } from './adapter-errors.ts';
import type { DeployConfig } from './config.ts';

export async function makeAwsDeployTarget(config: DeployConfig): Promise<DeployTarget> {
  if (!config.cluster) throw new DeployTargetConfigError('cluster', 'deploy target ecs');
  if (!config.service) throw new DeployTargetConfigError('service', 'deploy target ecs');
  const { cluster, service } = config;
  const region = resolveRegion(config.region);
  const loaded = onFirstUse(async () => {
    const [{ EcsDeployTarget }, ecs] = await Promise.all([
      import('../aws/deploy-service.ts'),
      ecsClient(region),
    ]);
    return new EcsDeployTarget({ ecs, cluster, service });
  });
  return {
    deploysBy: 'task-definition',
    live: async () => (await loaded()).live(),
    deploy: async (request, log) => (await loaded()).deploy(request, log),
  };
}

export async function makeAwsTaskDefinitions(region: string | undefined, log: Log): Promise<TaskDefinitions> {
  const [{ EcsTaskDefinitions }, ecs] = await Promise.all([
    import('../aws/task-definitions.ts'),
    ecsClient(resolveRegion(region)),
  ]);
  return new EcsTaskDefinitions(ecs, log);
}
