/** Executor `codebuild`: a build of a CodeBuild project, in the release's image when it is known. */

import { onFirstUse } from '../../core/on-first-use.ts';
import type { ExecRequest, Log } from '../../core/ports.ts';
import { DeployTargetConfigError } from '../adapter-errors.ts';
import { commandWords, type ExecutorPlugin, ecsOnly, required } from './plugin.ts';

export const codebuildExecutor: ExecutorPlugin<'codebuild'> = {
  kind: 'codebuild',
  runs: 'image',

  problems: (inputs) => [
    ...required(inputs, 'codebuild-project', 'with executor codebuild'),
    ...ecsOnly(inputs, 'task-role-arn', 'codebuild'),
    ...ecsOnly(inputs, 'entry-point-runs-command', 'codebuild'),
  ],

  async create(config) {
    const aws = await import('../../aws/clients.ts');
    const region = aws.resolveRegion(config.region);
    const command = commandWords(config);
    if (!config.codebuildProject)
      throw new DeployTargetConfigError('codebuild-project', 'executor codebuild');
    const projectName = config.codebuildProject;
    const loaded = onFirstUse(async () => {
      const [{ CodeBuildExecutor }, codebuild] = await Promise.all([
        import('../../aws/run-build.ts'),
        aws.codebuildClient(region),
      ]);
      return { CodeBuildExecutor, clients: { codebuild, logs: aws.logsClients(region).logs } };
    });
    // The image differs per request (a rollback's downs run in the newer release's image).
    return {
      kind: 'codebuild',
      runs: 'image',
      run: async (request: ExecRequest, log: Log) => {
        const { CodeBuildExecutor, clients } = await loaded();
        return new CodeBuildExecutor({
          clients,
          projectName,
          ...((request.image ?? config.image) ? { image: request.image ?? config.image } : {}),
          ...(command ? { runnerCommand: command } : {}),
        }).run(request, log);
      },
    };
  },
};
