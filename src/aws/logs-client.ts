/**
 * The CloudWatchLogsClient, imported by name: a dynamic `import('@aws-sdk/client-cloudwatch-logs')` keeps
 * every command of the service and its aggregated client in the bundle and evaluates them. The adapters
 * load this module on demand.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

export function newLogsClient(region: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region, maxAttempts: 3, retryMode: 'standard' });
}
