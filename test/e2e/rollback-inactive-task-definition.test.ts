/**
 * A rollback months later: v1's task definition has since been
 * deregistered (INACTIVE), which ECS refuses to deploy. The release record keeps the full task definition, so
 * the rollback must register it again and deploy that, still running the downs from v2's (live) definition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2e,
  names,
  prepareAtV2,
  rollbackToV1,
  serviceTaskDefinition,
  startE2e,
  story,
  V1,
} from './harness.ts';

let e: E2e;
let td: { v1: string; v2: string };

beforeAll(async () => {
  e = await startE2e('e2e_inactive');
  td = await prepareAtV2(e);
}, 90_000);
afterAll(async () => {
  await e?.close();
});

describe('rollback to a release whose task definition is INACTIVE', () => {
  it('registers the recorded definition again and deploys it', async () => {
    e.sim.ecs.deregisterTaskDefinition({ taskDefinition: td.v1 });
    const rb = await rollbackToV1(e);
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.outputs.status).toBe('rolled-back');
    expect(names(rb.outputs.reverted)).toHaveLength(3);
    expect(await e.applied()).toEqual(V1);

    // A new revision of v1's definition, not the INACTIVE one, now runs the service.
    const live = serviceTaskDefinition(e)!;
    expect(live).not.toBe(td.v1);
    expect(live).not.toBe(td.v2);
    expect(rb.outputs['task-definition']).toBe(live);
    const registered = e.sim.ecs.resolveTaskDefinition(live)!;
    expect(registered.status).toBe('ACTIVE');
    expect(registered.input.containerDefinitions.map((c) => c.image)).toEqual(['app:v1']);
    expect(registered.tags).toContainEqual({ key: 'stepback:release', value: 'v1' });
    expect(e.sim.ecs.resolveTaskDefinition(td.v1)!.status).toBe('INACTIVE');
    expect(rb.stdout).toContain('INACTIVE');
  }, 120_000);
});
