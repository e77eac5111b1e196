/** Executor `runner`: the stepback CLI as a child process on this machine, on the checkout's migrations. */
import { DEFAULT_RUNNER_COMMAND } from '../config.ts';
import { type ExecutorPlugin, ecsOnly } from './plugin.ts';

export const runnerExecutor: ExecutorPlugin<'runner'> = {
  kind: 'runner',
  runs: 'checkout',

  problems: (inputs) => ecsOnly(inputs, 'task-role-arn', 'runner'),

  async create(config) {
    const { RunnerExecutor } = await import('../../pipeline/local/runner-executor.ts');
    const command = (config.runnerCommand ?? DEFAULT_RUNNER_COMMAND).split(/\s+/).filter(Boolean);
    return new RunnerExecutor({
      command,
      dir: config.migrationsDir ?? 'migrations',
      ...(config.databaseUrl ? { env: { DATABASE_URL: config.databaseUrl } } : {}),
    });
  },
};
