/**
 * The CloudWatch Logs client class by name, for clients.ts to load on demand: a dynamic `import('@aws-sdk/client-cloudwatch-logs')`
 * would keep every command of the service and its aggregated client in the bundle and evaluate them.
 */
export { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
