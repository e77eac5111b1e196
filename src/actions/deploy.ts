/** The `deploy` action: switch the service to a task definition and wait until it is stable. */
import * as core from '@actions/core';
import { verdictError } from '../core/step-verdict.ts';
import { deployVerdict } from '../pipeline/deploy.ts';
import { idempotencyKey } from '../pipeline/idempotency.ts';
import { runDeploy } from '../wiring/operations/deploy.ts';
import { flushSummary, runAction } from './common.ts';

export function run(): Promise<void> {
  return runAction('deploy', async (inputs, log, signal) => {
    const outcome = await runDeploy(inputs, { log, signal, idempotencyKey });
    const release = outcome.release;
    core.setOutput('task-definition', outcome.taskDefinitionArn ?? '');
    core.summary.addHeading(`stepback deploy: ${release}`, 3);
    core.summary.addRaw(
      outcome.ok
        ? `Deployed ${outcome.taskDefinitionArn ? `\`${outcome.taskDefinitionArn}\`` : `release \`${release}\``}: the new deployment is stable.`
        : `Deploying \`${outcome.requested}\` failed: ${outcome.message}`,
      true,
    );
    await flushSummary();
    const error = verdictError(deployVerdict(outcome));
    if (error) throw error;
  });
}
