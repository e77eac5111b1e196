/**
 * The SDK clients, built in one place for the wiring and the tests alike: the region rule, the retry
 * settings and, for the simulation, the endpoint and credentials. Each client class is imported with
 * `import()` when it is first built (through ecs-client.ts and its siblings), so this module loads no SDK
 * and a path evaluates only the clients it uses: SDK loading is most of an action's time to its first AWS
 * call. In the actions the endpoint comes from the environment (SDK v3 reads `AWS_ENDPOINT_URL_ECS`,
 * `AWS_ENDPOINT_URL_CODEBUILD`, `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`), which is how the loopback simulation
 * reaches the bundles; tests in-process pass `endpoint`.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { UsageError } from '../core/errors.ts';
import { onFirstUse } from '../core/on-first-use.ts';
import type { LogsClient } from './log-tail.ts';

export interface AwsClientOptions {
  /**
   * SDK attempts per call (standard retry mode; default 3). Our loops add their own back-off on top, with
   * error classification the SDK waiters lack.
   */
  maxAttempts?: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function resolveRegion(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = explicit || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError('No AWS region is set', {
      hint: 'set AWS_REGION (aws-actions/configure-aws-credentials does) or pass the region input',
    });
  return region;
}

/** Every SDK client's settings (without options: the SDK's own defaults, stated). */
export function clientConfig(region: string, options: AwsClientOptions = {}) {
  return {
    region,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: 'standard',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

export async function ecsClient(region: string, options: AwsClientOptions = {}): Promise<ECSClient> {
  const { ECSClient } = await import('./ecs-client.ts');
  return new ECSClient(clientConfig(region, options));
}

export async function codebuildClient(
  region: string,
  options: AwsClientOptions = {},
): Promise<CodeBuildClient> {
  const { CodeBuildClient } = await import('./codebuild-client.ts');
  return new CodeBuildClient(clientConfig(region, options));
}

export async function logsClient(
  region: string,
  options: AwsClientOptions = {},
): Promise<CloudWatchLogsClient> {
  const { CloudWatchLogsClient } = await import('./logs-client.ts');
  return new CloudWatchLogsClient(clientConfig(region, options));
}

/**
 * A CloudWatch Logs client for `region` that loads the SDK client and builds it on its first call: logs are
 * read only once the task or build has started, so the run's first request does not wait for them.
 */
function logsClientOnFirstUse(region: string, options: AwsClientOptions): LogsClient {
  const client = onFirstUse(() => logsClient(region, options));
  return { send: async (command) => (await client()).send(command) };
}

/** The Logs client of `region`, and one per other region a task definition's awslogs-region names. */
export function logsClients(region: string, options: AwsClientOptions = {}) {
  const logs = logsClientOnFirstUse(region, options);
  const others = new Map<string, LogsClient>([[region, logs]]);
  return {
    logs,
    logsIn(r: string | undefined) {
      if (!r) return logs;
      let client = others.get(r);
      if (!client) {
        client = logsClientOnFirstUse(r, options);
        others.set(r, client);
      }
      return client;
    },
  };
}
