/** The `deploy` action: switch the service to a task definition and wait until it is stable. */
import * as core from '@actions/core';
import { ExitCode, StepbackError } from '../core/errors.ts';
import { idempotencyKey } from '../pipeline/idempotency.ts';
import { flushSummary, runAction } from './common.ts';
import { runDeploy } from './operations.ts';

export function run(): Promise<void> {
  return runAction('deploy', async (inputs, log, signal) => {
    const outcome = await runDeploy(inputs, { log, signal, idempotencyKey });
    const release = outcome.release;
    core.setOutput('task-definition', outcome.taskDefinitionArn);
    core.summary.addHeading(`stepback deploy: ${release}`, 3);
    core.summary.addRaw(
      outcome.ok
        ? `Deployed \`${outcome.taskDefinitionArn}\`: the new deployment is stable.`
        : `Deploying \`${outcome.requested}\` failed: ${outcome.message}`,
      true,
    );
    await flushSummary();
    if (!outcome.ok)
      throw new StepbackError(
        `Deploy of ${outcome.requested} failed: ${outcome.message}`,
        ExitCode.migrationFailed,
      );
  });
}
