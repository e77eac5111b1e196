/** Executor `runner`: the stepback CLI as a child process on this machine, on the checkout's migrations. */
import { DEFAULT_RUNNER_COMMAND } from '../../core/runner-command.ts';
import { commandWords, type ExecutorPlugin, ecsOnly } from './plugin.ts';

export const runnerExecutor: ExecutorPlugin<'runner'> = {
  kind: 'runner',
  runs: 'checkout',

  problems: (inputs) => [
    ...ecsOnly(inputs, 'task-role-arn', 'runner'),
    ...ecsOnly(inputs, 'entry-point-runs-command', 'runner'),
  ],

  async create(config) {
    const { RunnerExecutor } = await import('../../pipeline/local/runner-executor.ts');
    const command = commandWords(config) ?? DEFAULT_RUNNER_COMMAND;
    return new RunnerExecutor({
      command,
      dir: config.migrationsDir ?? 'migrations',
      ...(config.databaseUrl ? { env: { DATABASE_URL: config.databaseUrl } } : {}),
    });
  },
};
