/**
 * Builds the adapters a flow runs with from plain configuration (action inputs or CLI flags). AWS clients
 * and the migration runner are imported only on the path that uses them, so an action starts fast.
 */
import { UsageError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import type { DeployTarget, Log, MigrationExecutor, TaskDefinitions } from '../core/ports.ts';
import type { DeployConfig, ExecutorConfig } from './config.ts';

export const DEFAULT_RUNNER_COMMAND = 'npx --no-install stepback';

export async function makeExecutor(config: ExecutorConfig): Promise<MigrationExecutor> {
  if (config.kind === 'runner') {
    const { RunnerExecutor } = await import('../pipeline/local/runner-executor.ts');
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
    const { FileDeployTarget } = await import('../pipeline/local/file-deploy-target.ts');
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
