/**
 * Builds the adapters a flow runs with from plain configuration (action inputs or CLI flags). AWS clients
 * and the migration runner are imported only on the path that uses them, so an action starts fast.
 */
import { UsageError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import type { DeployTarget, Log, MigrationExecutor, TaskDefinitions } from './ports.ts';

export interface ExecutorConfig {
  kind: 'ecs' | 'codebuild' | 'runner';
  region?: string | undefined;
  cluster?: string | undefined;
  container?: string | undefined;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  launchType?: 'FARGATE' | 'EC2' | 'EXTERNAL';
  codebuildProject?: string | undefined;
  /** ecs: copy network configuration and launch settings from this service when none are given. */
  service?: string | undefined;
  /** codebuild: the build image when the request names none. */
  image?: string | undefined;
  /** runner: the migrations directory. */
  migrationsDir?: string | undefined;
  /** runner: how to start the stepback CLI, split on spaces (default `npx --no-install stepback`). */
  runnerCommand?: string | undefined;
  /** runner: the database to migrate (otherwise DATABASE_URL from the environment). */
  databaseUrl?: string | undefined;
}

export interface DeployConfig {
  kind: 'ecs' | 'file';
  region?: string | undefined;
  cluster?: string | undefined;
  service?: string | undefined;
  stateFile?: string | undefined;
}

export const DEFAULT_RUNNER_COMMAND = 'npx --no-install stepback';

export async function makeExecutor(config: ExecutorConfig): Promise<MigrationExecutor> {
  if (config.kind === 'runner') {
    const { RunnerExecutor } = await import('./local/runner-executor.ts');
    const command = (config.runnerCommand ?? DEFAULT_RUNNER_COMMAND).split(/\s+/).filter(Boolean);
    return new RunnerExecutor({
      command,
      dir: config.migrationsDir ?? 'migrations',
      ...(config.databaseUrl ? { env: { DATABASE_URL: config.databaseUrl } } : {}),
    });
  }
  const { makeAwsExecutor } = await import('./aws-adapters.ts');
  return makeAwsExecutor(config);
}

export async function makeDeployTarget(config: DeployConfig): Promise<DeployTarget> {
  if (config.kind === 'file') {
    if (!config.stateFile) throw new UsageError('state-file is required with the file deploy target');
    const { FileDeployTarget } = await import('./local/file-deploy-target.ts');
    return new FileDeployTarget(config.stateFile);
  }
  const { makeAwsDeployTarget } = await import('./aws-adapters.ts');
  return makeAwsDeployTarget(config);
}

export async function makeTaskDefinitions(region: string | undefined, log: Log): Promise<TaskDefinitions> {
  const { makeAwsTaskDefinitions } = await import('./aws-adapters.ts');
  return makeAwsTaskDefinitions(region, log);
}

export async function openReleaseStore(url: string, githubToken?: string): Promise<ManifestStore> {
  const { openStore } = await import('../stores/registry.ts');
  return openStore(url, githubToken ? { token: githubToken } : {});
}
