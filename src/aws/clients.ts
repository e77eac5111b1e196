/**
 * The SDK clients, built in one place. The endpoint comes from the environment automatically in SDK v3
 * (`AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL_CODEBUILD`, `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`), which is how
 * the loopback simulation reaches action bundles; tests in-process pass `endpoint`.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECSClient } from '@aws-sdk/client-ecs';
import { UsageError } from '../core/errors.ts';

export interface AwsClientOptions {
  region?: string;
  /**
   * SDK attempts per call (standard retry mode; default 3). Our loops add their own back-off on top, with
   * error classification the SDK waiters lack.
   */
  maxAttempts?: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface AwsClients {
  region: string;
  ecs: ECSClient;
  codebuild: CodeBuildClient;
  logs: CloudWatchLogsClient;
  /** A Logs client for another region (awslogs-region of a task definition may differ). */
  logsIn(region: string | undefined): CloudWatchLogsClient;
  destroy(): void;
}

export function resolveRegion(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const region = explicit || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError('No AWS region is set', {
      hint: 'set AWS_REGION (aws-actions/configure-aws-credentials does) or pass the region explicitly',
    });
  return region;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const region = resolveRegion(options.region);
  const base = (r: string) => ({
    region: r,
    maxAttempts: options.maxAttempts ?? 3,
    retryMode: 'standard',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const logsByRegion = new Map<string, CloudWatchLogsClient>();
  const logs = new CloudWatchLogsClient(base(region));
  logsByRegion.set(region, logs);
  const ecs = new ECSClient(base(region));
  const codebuild = new CodeBuildClient(base(region));
  return {
    region,
    ecs,
    codebuild,
    logs,
    logsIn(r) {
      if (!r) return logs;
      let client = logsByRegion.get(r);
      if (!client) {
        client = new CloudWatchLogsClient(base(r));
        logsByRegion.set(r, client);
      }
      return client;
    },
    destroy() {
      ecs.destroy();
      codebuild.destroy();
      for (const c of logsByRegion.values()) c.destroy();
    },
  };
}
