/**
 * How a rollback plan reaches the down run: in the environment variable STEPBACK_PLAN, as JSON or as
 * `gz:` + base64(gzip(JSON)) when that is shorter (the ECS executor checks that the request fits into
 * RunTask's override limit, src/core/ecs-override.ts).
 */
import { gzipSync } from 'node:zlib';
import type { RollbackPlan } from '../core/rollback-plan.ts';

export const PLAN_ENV = 'STEPBACK_PLAN';

export function encodePlan(plan: RollbackPlan): string {
  const json = JSON.stringify(plan);
  const packed = `gz:${gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64')}`;
  return packed.length < json.length ? packed : json;
}
