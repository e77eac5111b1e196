/**
 * Switch the service to a task definition and wait until the new deployment itself is stable (the target's
 * job: a circuit-breaker rollback also ends "stable"). The rollback flow uses this very function.
 */

import type { DeployRequest, DeployResult, DeployTarget, Log } from '../core/ports.ts';
import type { StepVerdict } from '../core/step-verdict.ts';

export interface DeployOutcome extends DeployResult {
  release: string;
  /** What was asked for: the task definition, or the release when the target deploys releases by name. */
  requested: string;
}

/** What a deploy switches to, in words: its task definition, or the release by name. */
const described = (arn: string | undefined, release: string) => arn ?? `release ${release}`;

export async function deploy(target: DeployTarget, request: DeployRequest, log: Log): Promise<DeployOutcome> {
  const requested = described(request.taskDefinitionArn, request.release);
  log.info(
    `Deploying release ${request.release}${request.taskDefinitionArn ? `: ${request.taskDefinitionArn}` : ''}${request.drain ? ' (draining first)' : ''}`,
  );
  const result = await target.deploy(request, log);
  if (result.ok) log.info(`Deployment stable: ${described(result.taskDefinitionArn, request.release)}`);
  else log.error(`Deployment did not become stable: ${result.message}`);
  return { ...result, release: request.release, requested };
}

/** How the deploy step ends (src/core/step-verdict.ts): a deployment that did not become stable fails it. */
export function deployVerdict(outcome: DeployOutcome): StepVerdict {
  return outcome.ok
    ? {
        ok: true,
        exitCode: 0,
        message: `Deployed ${described(outcome.taskDefinitionArn, outcome.release)}: the new deployment is stable.`,
      }
    : { ok: false, exitCode: null, message: `Deploy of ${outcome.requested} failed: ${outcome.message}` };
}
