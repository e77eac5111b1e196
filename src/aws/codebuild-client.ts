/**
 * The CodeBuild client class by name, for aws-adapters.ts to load on demand: a dynamic `import('@aws-sdk/client-codebuild')`
 * would keep every command of the service and its aggregated client in the bundle and evaluate them.
 */
export { CodeBuildClient } from '@aws-sdk/client-codebuild';
