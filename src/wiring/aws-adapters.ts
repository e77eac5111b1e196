/**
 * The AWS side of the adapter factories (src/aws does the work; the ECS and CodeBuild executors build
 * themselves from these pieces, src/wiring/executors/), in its own module so only the paths that talk to
 * AWS load the SDK, and each path loads only the clients it uses (ECS + Logs for a task, CodeBuild +
 * Logs for a build): SDK loading is most of an action's time to its first AWS call. The configuration is
 * checked at once; the SDK and the adapter load on first use, so a flow that reads a store first (a rollback
 * reads both release records) makes that request before any ECS code is evaluated. Endpoints and
 * credentials come from the environment (AWS_ENDPOINT_URL_ECS, …).
 */

import type { LogsClient } from '../aws/log-tail.ts';
import { UsageError } from '../core/errors.ts';
import type { DeployTarget, Log, TaskDefinitions } from '../core/ports.ts';
import { DeployTargetConfigError } from './adapter-errors.ts';
import type { DeployConfig } from './config.ts';

/** Same rule as src/aws/clients.ts resolveRegion (not imported: that module loads every SDK client). */
export function regionOf(explicit: string | undefined): string {
  const region = explicit || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError('No AWS region is set', {
      hint: 'set AWS_REGION (aws-actions/configure-aws-credentials does) or pass the region input',
    });
  return region;
}

/** Every SDK client's settings (the SDK's own defaults, stated). */
export function clientConfig(region: string) {
  return { region, maxAttempts: 3, retryMode: 'standard' };
}

export async function ecsClient(region: string) {
  const { ECSClient } = await import('../aws/ecs-client.ts');
  return new ECSClient(clientConfig(region));
}

/**
 * A CloudWatch Logs client for `region` that loads the SDK client and builds it on its first call: logs are
 * read only once the task or build has started, so the run's first request does not wait for them.
 */
function logsClientOnFirstUse(region: string): LogsClient {
  const client = onFirstUse(
    async () => new (await import('../aws/logs-client.ts')).CloudWatchLogsClient(clientConfig(region)),
  );
  return { send: async (command) => (await client()).send(command) };
}

export function logsClients(region: string) {
  const logs = logsClientOnFirstUse(region);
  const others = new Map<string, LogsClient>([[region, logs]]);
  return {
    logs,
    // The awslogs-region of a task definition may differ from the pipeline's region.
    logsIn(r: string | undefined) {
      if (!r) return logs;
      let client = others.get(r);
      if (!client) {
        client = logsClientOnFirstUse(r);
        others.set(r, client);
      }
      return client;
    },
  };
}

/** The value `load` resolves to, loaded by the first call and shared by later ones. */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

export async function makeAwsDeployTarget(config: DeployConfig): Promise<DeployTarget> {
  if (!config.cluster) throw new DeployTargetConfigError('cluster', 'deploy target ecs');
  if (!config.service) throw new DeployTargetConfigError('service', 'deploy target ecs');
  const { cluster, service } = config;
  const region = regionOf(config.region);
  const loaded = onFirstUse(async () => {
    const [{ EcsDeployTarget }, ecs] = await Promise.all([
      import('../aws/deploy-service.ts'),
      ecsClient(region),
    ]);
    return new EcsDeployTarget({ ecs, cluster, service });
  });
  return {
    live: async () => (await loaded()).live(),
    deploy: async (request, log) => (await loaded()).deploy(request, log),
  };
}

export async function makeAwsTaskDefinitions(region: string | undefined, log: Log): Promise<TaskDefinitions> {
  const [{ EcsTaskDefinitions }, ecs] = await Promise.all([
    import('../aws/task-definitions.ts'),
    ecsClient(regionOf(region)),
  ]);
  return new EcsTaskDefinitions(ecs, log);
}
