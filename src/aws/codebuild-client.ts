/**
 * The CodeBuild client class by name, for clients.ts to load on demand: a dynamic `import('@aws-sdk/client-codebuild')`
 * would keep every command of the service and its aggregated client in the bundle and evaluate them.
 */
export { CodeBuildClient } from '@aws-sdk/client-codebuild';
