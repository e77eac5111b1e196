/** Validated `deploy` inputs → the deploy flow: a task definition (or a release) onto the deploy target. */
import { type DeployOutcome, deploy } from '../../pipeline/deploy.ts';
import { makeDeployTarget } from '../adapters.ts';
import { deployConfig } from '../executor-config.ts';
import type { ActionInputs } from '../inputs.ts';
import { type Context, minutes } from './context.ts';

export async function runDeploy(inputs: ActionInputs<'deploy'>, ctx: Context): Promise<DeployOutcome> {
  const target = await makeDeployTarget(deployConfig(inputs));
  const taskDefinitionArn = inputs['task-definition'];
  // The inputs hold a task definition or a release (parseInputs); a bare ARN names its release by family:revision.
  const release = inputs.release ?? taskDefinitionArn?.replace(/^.*task-definition\//, '') ?? '';
  return deploy(
    target,
    {
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      release,
      drain: inputs.drain,
      timeoutMs: minutes(inputs['timeout-minutes']),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    ctx.log,
  );
}
