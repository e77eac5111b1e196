/**
 * The ECSClient, imported by name: a dynamic `import('@aws-sdk/client-ecs')` keeps every command of the service
 * and its aggregated client in the bundle and evaluates them. The adapters load this module on demand.
 */
import { ECSClient } from '@aws-sdk/client-ecs';

export function newEcsClient(region: string): ECSClient {
  return new ECSClient({ region, maxAttempts: 3, retryMode: 'standard' });
}
