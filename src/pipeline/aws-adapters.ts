/**
 * The AWS side of the adapter factory (src/aws does the work), in its own module so only the paths that
 * talk to AWS load the SDK, and each path loads only the clients it uses (ECS + Logs for a task, CodeBuild +
 * Logs for a build): SDK loading is most of an action's time to its first AWS call. Endpoints and
 * credentials come from the environment (AWS_ENDPOINT_URL_ECS, …).
 */
import { UsageError } from '../core/errors.ts';
import { DeployTargetConfigError } from './adapter-errors.ts';
import type { DeployConfig, ExecutorConfig } from './adapters.ts';
import type { DeployTarget, ExecRequest, Log, MigrationExecutor, TaskDefinitions } from './ports.ts';

/** Same rule as src/aws/clients.ts resolveRegion (not imported: that module loads every SDK client). */
function regionOf(explicit: string | undefined): string {
  const region = explicit || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError('No AWS region is set', {
      hint: 'set AWS_REGION (aws-actions/configure-aws-credentials does) or pass the region input',
    });
  return region;
}

function clientConfig(region: string) {
  return { region, maxAttempts: 3, retryMode: 'standard' };
}

async function ecsClient(region: string) {
  const { ECSClient } = await import('@aws-sdk/client-ecs');
  return new ECSClient(clientConfig(region));
}

async function logsClients(region: string) {
  const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = new CloudWatchLogsClient(clientConfig(region));
  const others = new Map<string, InstanceType<typeof CloudWatchLogsClient>>([[region, logs]]);
  return {
    logs,
    // The awslogs-region of a task definition may differ from the pipeline's region.
    logsIn(r: string | undefined) {
      if (!r) return logs;
      let client = others.get(r);
      if (!client) {
        client = new CloudWatchLogsClient(clientConfig(r));
        others.set(r, client);
      }
      return client;
    },
  };
}

function runnerCommand(config: ExecutorConfig): string[] | undefined {
  const words = config.runnerCommand?.split(/\s+/).filter(Boolean);
  return words && words.length > 0 ? words : undefined;
}

export async function makeAwsExecutor(config: ExecutorConfig): Promise<MigrationExecutor> {
  const region = regionOf(config.region);
  const command = runnerCommand(config);
  if (config.kind === 'codebuild') {
    if (!config.codebuildProject)
      throw new DeployTargetConfigError('codebuild-project', 'executor codebuild');
    const [{ CodeBuildExecutor }, { CodeBuildClient }, { logs }] = await Promise.all([
      import('../aws/run-build.ts'),
      import('@aws-sdk/client-codebuild'),
      logsClients(region),
    ]);
    const clients = { codebuild: new CodeBuildClient(clientConfig(region)), logs };
    const projectName = config.codebuildProject;
    // The image differs per request (a rollback's downs run in the newer release's image).
    return {
      kind: 'codebuild',
      run: (request: ExecRequest, log: Log) =>
        new CodeBuildExecutor({
          clients,
          projectName,
          ...((request.image ?? config.image) ? { image: request.image ?? config.image } : {}),
          ...(command ? { runnerCommand: command } : {}),
        }).run(request, log),
    };
  }
  if (!config.cluster) throw new DeployTargetConfigError('cluster', 'executor ecs');
  if (!config.container) throw new DeployTargetConfigError('container', 'executor ecs');
  const [{ EcsTaskExecutor }, ecs, logs] = await Promise.all([
    import('../aws/ecs-executor.ts'),
    ecsClient(region),
    logsClients(region),
  ]);
  const subnets = config.subnets ?? [];
  return new EcsTaskExecutor({
    clients: { ecs, ...logs },
    cluster: config.cluster,
    containerName: config.container,
    ...(config.service ? { service: config.service } : {}),
    ...(command ? { runnerCommand: command } : {}),
    ...(config.launchType ? { launchType: config.launchType } : {}),
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
}

export async function makeAwsDeployTarget(config: DeployConfig): Promise<DeployTarget> {
  if (!config.cluster) throw new DeployTargetConfigError('cluster', 'deploy target ecs');
  if (!config.service) throw new DeployTargetConfigError('service', 'deploy target ecs');
  const [{ EcsDeployTarget }, ecs] = await Promise.all([
    import('../aws/deploy-service.ts'),
    ecsClient(regionOf(config.region)),
  ]);
  return new EcsDeployTarget({ ecs, cluster: config.cluster, service: config.service });
}

export async function makeAwsTaskDefinitions(region: string | undefined, log: Log): Promise<TaskDefinitions> {
  const [{ EcsTaskDefinitions }, ecs] = await Promise.all([
    import('../aws/task-definitions.ts'),
    ecsClient(regionOf(region)),
  ]);
  return new EcsTaskDefinitions(ecs, log);
}
