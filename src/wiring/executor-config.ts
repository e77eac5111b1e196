/** Action inputs → adapter configuration (the same shape the CLI builds from flags). */
import type { DeployConfig, ExecutorConfig } from './config.ts';
import type { ActionInputs } from './inputs.ts';

type WithExecutor = ActionInputs<'migrate'> | ActionInputs<'rollback'>;
type WithDeploy = ActionInputs<'rollback'> | ActionInputs<'deploy'>;

export function executorConfig(inputs: WithExecutor): ExecutorConfig {
  return {
    kind: inputs.executor,
    region: inputs.region,
    cluster: inputs.cluster,
    service: inputs.service,
    ...('image' in inputs && inputs.image ? { image: inputs.image } : {}),
    container: inputs.container,
    subnets: inputs.subnets,
    securityGroups: inputs['security-groups'],
    assignPublicIp: inputs['assign-public-ip'],
    taskRoleArn: inputs['task-role-arn'],
    entryPointRunsCommand: inputs['entry-point-runs-command'],
    launchType: inputs['launch-type'],
    codebuildProject: inputs['codebuild-project'],
    migrationsDir: inputs['migrations-dir'],
    runnerCommand: inputs['runner-command'],
    databaseUrl: inputs['database-url'],
  };
}

export function deployConfig(inputs: WithDeploy): DeployConfig {
  return {
    kind: inputs['deploy-target'],
    region: inputs.region,
    cluster: inputs.cluster,
    service: inputs.service,
    stateFile: inputs['state-file'],
  };
}
