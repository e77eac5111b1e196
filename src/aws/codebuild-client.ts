/**
 * The CodeBuildClient, imported by name: a dynamic `import('@aws-sdk/client-codebuild')` keeps every command of the service
 * and its aggregated client in the bundle and evaluates them. The adapters load this module on demand.
 */
import { CodeBuildClient } from '@aws-sdk/client-codebuild';

export function newCodeBuildClient(region: string): CodeBuildClient {
  return new CodeBuildClient({ region, maxAttempts: 3, retryMode: 'standard' });
}
