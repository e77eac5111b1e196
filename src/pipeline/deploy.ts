/**
 * Switch the service to a task definition and wait until the new deployment itself is stable (the target's
 * job: a circuit-breaker rollback also ends "stable"). The rollback flow uses this very function.
 */
import type { DeployRequest, DeployResult, DeployTarget, Log } from './ports.ts';

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
