/**
 * The demo's story through the ECS path (ARCHITECTURE.md "The flows"): the action bundles under Node 24 against the AWS
 * simulation, whose one-off tasks run the real bundled CLI against a real database, and the
 * `github-release://` store against the GitHub fake. Release v1 and v2 are recorded, migrated and deployed,
 * then v2 is rolled back to v1 with the from-release discovered from the live service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest-schema.ts';
import { MANIFEST_ASSET } from '../../src/stores/github-release-store.ts';
import { withClient } from '../support/pg.ts';
import type { ActionRun } from '../support/run-action.ts';
import {
  type E2e,
  ecsInputs,
  everything,
  names,
  REPO,
  rollbackToV1,
  STORE,
  serviceTaskDefinition,
  startE2e,
  story,
  TOKEN,
  V1,
  V2,
} from './harness.ts';

let e: E2e;
const td: Record<string, string> = {};
const runs: ActionRun[] = [];

beforeAll(async () => {
  e = await startE2e('e2e_cycle');
  e.cutImage('v1', '0003');
  e.cutImage('v2', '0006');
  td.v1 = e.registerTd('app:v1');
  td.v2 = e.registerTd('app:v2');
});
afterAll(async () => {
  await e?.close();
});

async function ship(release: 'v1' | 'v2', expected: string[], first: boolean): Promise<void> {
  const rec = await e.action('record-release', {
    release,
    store: STORE,
    'github-token': TOKEN,
    'migrations-dir': `${e.image(release)}/migrations`,
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${(release === 'v1' ? 'a' : 'b').repeat(64)}`,
    'task-definition': td[release]!,
  });
  runs.push(rec);
  expect(rec.exitCode, story(rec)).toBe(0);
  expect(rec.outputs.result).toBe('created');
  expect(rec.outputs.migrations).toBe(String(expected.length));
  expect(rec.outputs.tagged).toBe('true');
  // The manifest is a release asset on the GitHub fake, and a valid manifest of exactly this image.
  const asset = e.gh.state.release(REPO, release)?.assets.find((a) => a.name === MANIFEST_ASSET);
  expect(asset, `no ${MANIFEST_ASSET} on release ${release}`).toBeDefined();
  const manifest = parseManifest(JSON.parse(asset!.text()), 'release asset');
  expect(manifest.release).toBe(release);
  expect(manifest.taskDefinitionArn).toBe(td[release]);
  expect(manifest.migrations.map((m) => m.name)).toEqual(expected);
  // The task definition carries the release tag the rollback discovers from-release by.
  expect(e.sim.ecs.resolveTaskDefinition(td[release]!)?.tags).toContainEqual({
    key: 'stepback:release',
    value: release,
  });

  const mig = await e.action('migrate', { release, 'task-definition': td[release]!, ...ecsInputs });
  runs.push(mig);
  expect(mig.exitCode, story(mig)).toBe(0);
  expect(mig.errors).toEqual([]);
  expect(mig.outputs['exit-code']).toBe('0');
  expect(mig.outputs['task-arn']).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/default\//);
  const newlyApplied = first ? expected : expected.filter((m) => !V1.includes(m));
  expect(names(mig.outputs.applied)).toEqual(newlyApplied);
  for (const name of newlyApplied) expect(mig.summary).toMatch(new RegExp(`${name}\\s*</td>\\s*<td>applied`));
  // The migration task ran from this release's task definition, once.
  const runTask = e.sim.callsTo('RunTask').at(-1)!;
  expect(runTask.input.taskDefinition).toBe(td[release]);
  expect(await e.applied()).toEqual(expected);

  const dep = await e.action('deploy', {
    release,
    'task-definition': td[release]!,
    cluster: 'default',
    service: 'web',
    'timeout-minutes': '2',
  });
  runs.push(dep);
  expect(dep.exitCode, story(dep)).toBe(0);
  expect(dep.outputs['task-definition']).toBe(td[release]);
  expect(serviceTaskDefinition(e)).toBe(td[release]);
}

describe('release cycle through ECS', () => {
  it('records, migrates and deploys v1 then v2, rolls back to v1, and verifies the result', async () => {
    e.createService(td.v1!);

    await ship('v1', V1, true);
    const v1Users = await withClient(e.db.url, async (c) =>
      (await c.query<{ full_name: string }>('select full_name from users order by id')).rows.map(
        (r) => r.full_name,
      ),
    );
    expect(v1Users.length).toBeGreaterThan(0);

    await ship('v2', V2, false);
    await withClient(e.db.url, async (c) => {
      const cols = await c.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_name = 'users' order by column_name`,
      );
      expect(cols.rows.map((r) => r.column_name)).toContain('first_name');
    });

    // What the one-off tasks recorded names the workflow run and its actor, not the container's user.
    const provenance = await withClient(
      e.db.url,
      async (c) =>
        (
          await c.query<{ run_id: string; actor: string }>(
            'select distinct run_id, actor from stepback_migrations',
          )
        ).rows,
    );
    expect(provenance).toEqual([{ run_id: '1001-1', actor: 'octocat' }]);

    const runTasksBefore = e.sim.callsTo('RunTask').length;
    const rb = await rollbackToV1(e);
    runs.push(rb);
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.errors).toEqual([]);
    expect(rb.outputs.status).toBe('rolled-back');
    // from-release was discovered from the live service's task definition tag.
    expect(rb.outputs['from-release']).toBe('v2');
    expect(rb.outputs['to-release']).toBe('v1');
    const reverted = ['0006_index_users_email_lower', '0005_create_orders', '0004_split_user_names'];
    expect(names(rb.outputs.reverted)).toEqual(reverted);
    expect(rb.outputs.remaining).toBe('[]');

    // Every task the rollback started (status, down) ran from v2's task definition: the newer image's downs.
    const rollbackTasks = e.sim.callsTo('RunTask').slice(runTasksBefore);
    expect(rollbackTasks.length).toBeGreaterThan(0);
    expect(rollbackTasks.map((t) => t.input.taskDefinition)).toEqual(rollbackTasks.map(() => td.v2));
    const downs = rollbackTasks.filter((t) => JSON.stringify(t.input.overrides ?? {}).includes('"down"'));
    expect(downs.map((t) => t.input.taskDefinition)).toEqual([td.v2]);

    // The service runs v1's task definition now.
    expect(rb.outputs['task-definition']).toBe(td.v1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);
    expect(e.sim.callsTo('UpdateService').at(-1)?.input.taskDefinition).toBe(td.v1);

    // The database's applied set equals v1's manifest.
    const v1Manifest = parseManifest(
      JSON.parse(
        e.gh.state
          .release(REPO, 'v1')!
          .assets.find((a) => a.name === MANIFEST_ASSET)!
          .text(),
      ),
    );
    expect(await e.applied()).toEqual(v1Manifest.migrations.map((m) => m.name));
    // The data v2 moved is back where v1 expects it.
    const after = await withClient(e.db.url, async (c) =>
      (await c.query<{ full_name: string }>('select full_name from users order by id')).rows.map(
        (r) => r.full_name,
      ),
    );
    expect(after).toEqual(v1Users);

    // The schema verification says it matches v1, in the output and the summary.
    expect(rb.outputs['schema-matches']).toBe('true');
    expect(rb.summary).toContain('schema matches release v1 as deployed');
    // The summary lists what was reverted.
    for (const name of reverted) expect(rb.summary).toMatch(new RegExp(`${name}\\s*</td>\\s*<td>reverted`));
    expect(rb.summary).toContain('v2 → v1');

    // The database password appears nowhere: not in any action's stdout, stderr, summary or outputs.
    for (const run of runs) expect(everything(run)).not.toContain(e.db.password);
    // Nor any request sent to AWS (the URL reaches the task only through the secret) or stored on GitHub.
    expect(JSON.stringify(e.sim.calls)).not.toContain(e.db.password);
    for (const release of e.gh.state.releases)
      for (const asset of release.assets) expect(asset.text()).not.toContain(e.db.password);
    expect(runs).toHaveLength(7);
  }, 180_000);
});
