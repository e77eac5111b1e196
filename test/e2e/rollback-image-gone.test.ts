/**
 * A rollback after the newer release's image was deleted (an ECR lifecycle rule): through the ECS simulation,
 * real processes and PostgreSQL. The newer task definition's task stops with CannotPullContainerError; with
 * `sources-from-store: true` the status and the downs run in the older task definition's image, the downs
 * from the newer release's source bundle in the store, then the older release is deployed, and the schema
 * is proven equal to the older release's. Without it the rollback is refused and changes nothing.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, ecsInputs, names, serviceTaskDefinition, startE2e, story, V1 } from './harness.ts';

let e: E2e;
let td: { v1: string; v2: string };
let store: string;
const V2 = [...V1, '0004_split_user_names'];

beforeAll(async () => {
  e = await startE2e('e2e_image_gone');
  // The task processes read the same store the pipeline writes (an S3 bucket or GitHub releases in real life).
  store = `file://${join(e.work, 'store')}`;
  e.cutImage('v1', '0003');
  e.cutImage('v2', '0004');
  td = { v1: e.registerTd('app:v1'), v2: e.registerTd('app:v2') };
  for (const release of ['v1', 'v2'] as const) {
    const rec = await e.action('record-release', {
      release,
      store,
      'migrations-dir': `${e.image(release)}/migrations`,
      'task-definition': td[release],
    });
    if (rec.exitCode !== 0) throw new Error(`record-release ${release} failed:\n${story(rec)}`);
    const mig = await e.action('migrate', { release, 'task-definition': td[release], ...ecsInputs });
    if (mig.exitCode !== 0) throw new Error(`migrate ${release} failed:\n${story(mig)}`);
  }
  e.createService(td.v2);
  // The lifecycle rule: v2's image is gone from the registry.
  e.sim.images.delete('app:v2');
}, 120_000);
afterAll(async () => {
  await e?.close();
});

const rollback = (inputs: Record<string, string> = {}) =>
  e.action(
    'rollback',
    { 'to-release': 'v1', store, ...ecsInputs, service: 'web', ...inputs },
    { timeoutMs: 120_000 },
  );

describe('rollback when the newer image cannot be pulled', () => {
  it('without sources-from-store: refused, nothing changed, and the summary says how to allow the fallback', async () => {
    const rb = await rollback();
    expect(rb.exitCode, story(rb)).not.toBe(0);
    expect(rb.outputs.status).toBe('refused');
    expect(rb.summary).toContain('CannotPullContainerError');
    expect(rb.summary).toContain('sources-from-store: true');
    expect((await e.applied()).sort()).toEqual([...V2].sort());
    expect(serviceTaskDefinition(e)).toBe(td.v2);
  }, 120_000);

  it('with sources-from-store: the older image runs the newer downs from the store, v1 is deployed, the schema proven', async () => {
    const runTasksBefore = e.sim.callsTo('RunTask').length;
    const rb = await rollback({ 'sources-from-store': 'true' });
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.outputs.status).toBe('rolled-back');
    expect(names(rb.outputs.reverted)).toEqual(['0004_split_user_names']);
    expect(rb.outputs['schema-matches']).toBe('true');
    expect(await e.applied()).toEqual(V1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);

    // v2's task definition was tried once (and could not start); the status and the downs ran from v1's.
    const tasks = e.sim.callsTo('RunTask').slice(runTasksBefore);
    expect(tasks.map((t) => t.input.taskDefinition)).toEqual([td.v2, td.v1, td.v1]);
    const down = JSON.stringify(tasks[2]!.input.overrides);
    expect(down).toContain('"--sources-from"');
    expect(down).toContain(JSON.stringify(store));

    // The summary says which path the downs took and why.
    expect(rb.summary).toContain(
      "Downs run in: release v1's image (the older release), from v2's source bundle",
    );
    expect(rb.summary).toContain('CannotPullContainerError');
    expect(rb.summary).toContain('schema matches release v1');
  }, 180_000);
});
