/**
 * How a rollback plan reaches the down run: in the environment variable STEPBACK_PLAN, as JSON or as
 * `gz:` + base64(gzip(JSON)) when that is shorter. ECS caps a RunTask's overrides at 8192 characters,
 * counting the JSON of the override structure itself ("container overrides length must be at most 8192"),
 * so the size is computed before anything runs and a plan that does not fit is refused up front.
 */
import { gzipSync } from 'node:zlib';
import type { ExecRequest } from '../core/ports.ts';
import type { RollbackPlan } from '../core/rollback-plan.ts';

export const PLAN_ENV = 'STEPBACK_PLAN';
/** RunTask `overrides` limit, in characters, including the JSON formatting of the override structure. */
export const ECS_OVERRIDE_LIMIT = 8192;

export function encodePlan(plan: RollbackPlan): string {
  const json = JSON.stringify(plan);
  const packed = `gz:${gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64')}`;
  return packed.length < json.length ? packed : json;
}

/**
 * The length of the container override ECS would receive for this request: the command, the environment
 * as name/value pairs and the container name, serialized the way the API counts it.
 */
export function ecsOverrideLength(request: Pick<ExecRequest, 'args' | 'env'>, containerName: string): number {
  const overrides = {
    containerOverrides: [
      {
        name: containerName,
        command: request.args,
        environment: Object.entries(request.env).map(([name, value]) => ({ name, value })),
      },
    ],
  };
  return JSON.stringify(overrides).length;
}
