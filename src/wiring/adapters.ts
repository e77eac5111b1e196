/**
 * Builds the adapters a flow runs with from plain configuration (action inputs or CLI flags). AWS clients
 * and the migration runner are imported only on the path that uses them, so an action starts fast.
 */
import { UsageError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import type { DeployTarget, Log, MigrationExecutor, TaskDefinitions } from '../core/ports.ts';
import type { DeployConfig, ExecutorConfig } from './config.ts';
import { executorPlugin } from './executors/registry.ts';

export async function makeExecutor(config: ExecutorConfig): Promise<MigrationExecutor> {
  return executorPlugin(config.kind).create(config);
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
