/**
 * The ECS client class by name, for clients.ts to load on demand: a dynamic `import('@aws-sdk/client-ecs')`
 * would keep every command of the service and its aggregated client in the bundle and evaluate them.
 */
export { ECSClient } from '@aws-sdk/client-ecs';
