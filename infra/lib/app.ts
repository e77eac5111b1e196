/**
 * The stepback CDK app: four independent stacks, each deployable on its own with its parameters (no cross-stack
 * references, so teams take only the pieces they need), and the cdk-nag AwsSolutions check they must pass.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type AppOptions, newApp } from './common.ts';
import { GitHubDeployRolesStack } from './github-deploy-roles-stack.ts';
import { ManifestBucketStack } from './manifest-bucket-stack.ts';
import { MigrationCodeBuildStack } from './migration-codebuild-stack.ts';
import { MigrationSecretStack } from './migration-secret-stack.ts';

export { type AppOptions, newApp };

/** Stack names, which are also the committed template file names (`cloudformation/<name>.template.json`). */
export const STACK_NAMES = {
  manifestBucket: 'StepbackManifestBucket',
  migrationSecret: 'StepbackMigrationSecret',
  migrationCodeBuild: 'StepbackMigrationCodeBuild',
  deployRoles: 'StepbackGitHubDeployRoles',
} as const;

export function buildApp(options: AppOptions = {}) {
  const app = newApp(options);
  return {
    app,
    manifestBucket: new ManifestBucketStack(app, STACK_NAMES.manifestBucket),
    migrationSecret: new MigrationSecretStack(app, STACK_NAMES.migrationSecret),
    migrationCodeBuild: new MigrationCodeBuildStack(app, STACK_NAMES.migrationCodeBuild),
    deployRoles: new GitHubDeployRolesStack(app, STACK_NAMES.deployRoles),
  };
}

/** Run the AwsSolutions pack over `scope`; every unacknowledged finding comes back as `rule at path`. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) =>
        `${violation.ruleName} at ${resource.resourceLogicalId ?? resource.locations.join(',')}: ${violation.description}`,
    ),
  );
}
