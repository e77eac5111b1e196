/**
 * Switch the service to a task definition and wait until the new deployment itself is stable (the target's
 * job: a circuit-breaker rollback also ends "stable"). The rollback flow uses this very function.
 */

import type { DeployRequest, DeployResult, DeployTarget, Log } from '../core/ports.ts';
import type { StepVerdict } from '../core/step-verdict.ts';

export interface DeployOutcome extends DeployResult {
  release: string;
  requested: string;
}

export async function deploy(target: DeployTarget, request: DeployRequest, log: Log): Promise<DeployOutcome> {
  log.info(
    `Deploying release ${request.release}: ${request.taskDefinitionArn}${request.drain ? ' (draining first)' : ''}`,
  );
  const result = await target.deploy(request, log);
  if (result.ok) log.info(`Deployment stable: ${result.taskDefinitionArn}`);
  else log.error(`Deployment did not become stable: ${result.message}`);
  return { ...result, release: request.release, requested: request.taskDefinitionArn };
}

/** How the deploy step ends (src/core/step-verdict.ts): a deployment that did not become stable fails it. */
export function deployVerdict(outcome: DeployOutcome): StepVerdict {
  return outcome.ok
    ? {
        ok: true,
        exitCode: 0,
        message: `Deployed ${outcome.taskDefinitionArn}: the new deployment is stable.`,
      }
    : { ok: false, exitCode: null, message: `Deploy of ${outcome.requested} failed: ${outcome.message}` };
}
