/** The settings an executor and a deploy target are built from, however they were given (action inputs or CLI flags). */
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
  /** ecs: the role the one-off task runs as (RunTask overrides.taskRoleArn); default the task definition's. */
  taskRoleArn?: string | undefined;
  /** ecs: the container's task definition entry point runs its arguments (so stepback's command may go through it). */
  entryPointRunsCommand?: boolean;
  /** ecs: copy network configuration and launch settings from this service when none are given. */
  service?: string | undefined;
  /** codebuild: the build image when the request names none. */
  image?: string | undefined;
  /** runner: the migrations directory. */
  migrationsDir?: string | undefined;
  /** How to start the stepback CLI, split on spaces; unset: core/runner-command.ts's launcher. */
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
