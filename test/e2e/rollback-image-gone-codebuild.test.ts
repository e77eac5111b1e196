/**
 * The image-gone fallback with `executor: codebuild`: through the CodeBuild and ECS simulations, real
 * processes and PostgreSQL. The newer release's image was deleted, so the status build fails in PROVISIONING
 * (BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE, nothing ran); with `sources-from-store: true` the status and the
 * downs run as builds in the older release's image, the downs from the newer release's source bundle in the
 * store, then the older task definition is deployed and the schema proven. Without it: refused, nothing changed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2e, ecsInputs, names, serviceTaskDefinition, startE2e, story, V1 } from './harness.ts';

let e: E2e;
let td: { v1: string; v2: string };
let store: string;
const V2 = [...V1, '0004_split_user_names'];

const codebuildInputs = {
  executor: 'codebuild',
  'codebuild-project': 'migrate',
  'runner-command': ecsInputs['runner-command']!,
  'timeout-minutes': '2',
  cluster: 'default',
  service: 'web',
};

beforeAll(async () => {
  e = await startE2e('e2e_image_gone_cb');
  store = `file://${join(e.work, 'store')}`;
  // The project reaches the database as a real one would: its own environment (a secret reference on AWS).
  e.sim.codebuild.createProject({ name: 'migrate', environment: { DATABASE_URL: e.db.url } });
  e.cutImage('v1', '0003');
  e.cutImage('v2', '0004');
  td = { v1: e.registerTd('app:v1'), v2: e.registerTd('app:v2') };
  for (const release of ['v1', 'v2'] as const) {
    const rec = await e.action('record-release', {
      release,
      store,
      image: `app:${release}`,
      'migrations-dir': `${e.image(release)}/migrations`,
      'task-definition': td[release],
    });
    if (rec.exitCode !== 0) throw new Error(`record-release ${release} failed:\n${story(rec)}`);
    const mig = await e.action('migrate', {
      release,
      image: `app:${release}`,
      'task-definition': td[release],
      ...codebuildInputs,
    });
    if (mig.exitCode !== 0) throw new Error(`migrate ${release} failed:\n${story(mig)}`);
  }
  e.createService(td.v2);
  e.sim.images.delete('app:v2');
}, 120_000);
afterAll(async () => {
  await e?.close();
});

const rollback = (inputs: Record<string, string> = {}) =>
  e.action('rollback', { 'to-release': 'v1', store, ...codebuildInputs, ...inputs }, { timeoutMs: 120_000 });

const buildsSince = (n: number) => e.sim.callsTo('StartBuild').slice(n);

describe('rollback with executor codebuild when the newer image cannot be pulled', () => {
  it('without sources-from-store: refused after one failed build, nothing changed, and it says how to allow it', async () => {
    const before = e.sim.callsTo('StartBuild').length;
    const rb = await rollback();
    expect(rb.exitCode, story(rb)).toBe(3);
    expect(rb.outputs.status).toBe('refused');
    expect(rb.summary).toContain('BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE');
    expect(rb.summary).toContain('sources-from-store: true');
    expect(buildsSince(before).map((b) => b.input.imageOverride)).toEqual(['app:v2']);
    expect((await e.applied()).sort()).toEqual([...V2].sort());
    expect(serviceTaskDefinition(e)).toBe(td.v2);
  }, 120_000);

  it('with sources-from-store: builds in the older image run the status and the newer downs from the store, v1 is deployed, the schema proven', async () => {
    const before = e.sim.callsTo('StartBuild').length;
    const rb = await rollback({ 'sources-from-store': 'true' });
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.outputs.status).toBe('rolled-back');
    expect(names(rb.outputs.reverted)).toEqual(['0004_split_user_names']);
    expect(rb.outputs['schema-matches']).toBe('true');
    expect(await e.applied()).toEqual(V1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);

    // v2's image was tried once (PROVISIONING failed); the status and the downs ran in v1's image.
    const builds = buildsSince(before);
    expect(builds.map((b) => b.input.imageOverride)).toEqual(['app:v2', 'app:v1', 'app:v1']);
    const first = [...e.sim.codebuild.builds.values()].find(
      (b) => b.request.idempotencyToken === builds[0]!.input.idempotencyToken,
    );
    expect(first?.phases.map((p) => p.phaseType)).not.toContain('BUILD');
    const down = String(builds[2]!.input.buildspecOverride);
    expect(down).toContain('--sources-from');
    expect(down).toContain(store);

    expect(rb.summary).toContain(
      "Downs run in: release v1's image (the older release), from v2's source bundle",
    );
    expect(rb.summary).toContain('BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE');
    expect(rb.summary).toContain('(app:v1)');
    expect(rb.summary).toContain('schema matches release v1');
  }, 180_000);
});
