/**
 * ECS caps a RunTask's overrides at 8192 characters, counting the JSON of the override structure itself
 * ("container overrides length must be at most 8192"), so the ECS executor computes a request's size
 * before anything runs and refuses one that does not fit up front.
 */
import type { ExecRequest, RequestCheck } from './ports.ts';
import { requestCommand } from './remote-engine.ts';

/** RunTask `overrides` limit, in characters, including the JSON formatting of the override structure. */
export const ECS_OVERRIDE_LIMIT = 8192;

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

/** Pure: whether `request`, run as `prefix` + its args in container `containerName`, fits into RunTask. */
export function checkEcsOverride(
  request: Pick<ExecRequest, 'args' | 'command' | 'env'>,
  prefix: readonly string[],
  containerName: string,
): RequestCheck {
  const overrideLength = ecsOverrideLength(
    { env: request.env, args: requestCommand(request, prefix) },
    containerName,
  );
  return {
    overrideLength,
    problems:
      overrideLength > ECS_OVERRIDE_LIMIT
        ? [
            `it does not fit into an ECS RunTask override: ${overrideLength} characters, limit ${ECS_OVERRIDE_LIMIT}`,
          ]
        : [],
  };
}
