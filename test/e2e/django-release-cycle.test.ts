/**
 * A Django project's releases through the committed action bundles (Node 24) and the ECS simulation, whose
 * one-off tasks really run their command: here `python3 manage.py shell -c <program>` in the release's
 * "image" (a copy of the fixture project with Debian's Django), with no stepback and no Node in it.
 * v1 and v2 are recorded (the graph read through the checkout's manage.py), migrated and v2 rolled back to
 * v1: status through v2's task, the per-app plan, v2's downs, v1 deployed, django_migrations and the schema
 * proven to be v1's. Then v3's irreversible migrations make a rollback refuse, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest-schema.ts';
import { MANIFEST_ASSET } from '../../src/stores/github-release-store.ts';
import { type DjangoRelease, djangoRelease, PYTHON } from '../engines/django-fixture.ts';
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
} from './harness.ts';

type Release = 'v1' | 'v2' | 'v3';
let e: E2e;
const td: Partial<Record<Release, string>> = {};
const code: Partial<Record<Release, DjangoRelease>> = {};
const runs: ActionRun[] = [];

beforeAll(async () => {
  e = await startE2e('e2e_django');
  for (const release of ['v1', 'v2', 'v3'] as const) {
    code[release] = djangoRelease(release);
    e.sim.images.set(`django:${release}`, { dir: code[release]!.dir });
    td[release] = e.registerTd(`django:${release}`);
  }
});
afterAll(async () => {
  await e?.close();
});

/** The engine inputs: the image's own manage.py, run in its working directory. */
const django = () => ({
  engine: 'django',
  'manage-command': `${PYTHON} manage.py`,
  // stepback's own connection, for the schema fingerprint (the image holds no stepback to take it).
  'database-url': e.db.url,
});

async function rows(): Promise<string[]> {
  return withClient(e.db.url, async (c) =>
    (
      await c.query<{ n: string }>(`select app || '.' || name as n from django_migrations order by n`)
    ).rows.map((r) => r.n),
  );
}

function manifestOf(release: Release) {
  const asset = e.gh.state.release(REPO, release)?.assets.find((a) => a.name === MANIFEST_ASSET);
  return parseManifest(JSON.parse(asset!.text()), 'release asset');
}

async function ship(release: Release): Promise<ActionRun> {
  // record-release reads the graph on the runner, through the checkout's manage.py.
  const rec = await e.action('record-release', {
    release,
    store: STORE,
    'github-token': TOKEN,
    'task-definition': td[release]!,
    engine: 'django',
    'manage-command': code[release]!.manage,
  });
  runs.push(rec);
  expect(rec.exitCode, story(rec)).toBe(0);
  expect(rec.outputs.result).toBe('created');
  const manifest = manifestOf(release);
  expect(manifest).toMatchObject({ format: 'stepback/manifest@2', engine: 'django', release });
  expect(manifest.sourceBundle).toBeUndefined();
  expect(manifest.taskDefinitionArn).toBe(td[release]);

  const mig = await e.action('migrate', {
    release,
    'task-definition': td[release]!,
    ...ecsInputs,
    ...django(),
  });
  runs.push(mig);
  expect(mig.exitCode, story(mig)).toBe(0);
  expect(mig.errors).toEqual([]);
  const task = e.sim.callsTo('RunTask').at(-1)!;
  expect(task.input.taskDefinition).toBe(td[release]);
  const override = (task.input.overrides as { containerOverrides: { command: string[] }[] })
    .containerOverrides[0]!;
  // The image's own manage.py runs the program: no stepback CLI in the command.
  expect(override.command.slice(0, 4)).toEqual([PYTHON, 'manage.py', 'shell', '-c']);
  expect(JSON.stringify(override)).not.toContain('stepback up');
  return mig;
}

describe('a Django project through the actions and ECS', () => {
  it('records and migrates v1 and v2, rolls v2 back to v1 with both proofs; refuses across v3 irreversible steps', async () => {
    const m1 = await ship('v1');
    expect(names(m1.outputs.applied).sort()).toEqual(
      manifestOf('v1')
        .migrations.map((m) => m.name)
        .sort(),
    );
    for (const name of names(m1.outputs.applied))
      expect(m1.summary).toMatch(new RegExp(`${name.replace('.', '\\.')}\\s*</td>\\s*<td>applied`));
    const v1Rows = await rows();

    const m2 = await ship('v2');
    expect(names(m2.outputs.applied)).toEqual([
      'shop.0003_seed_products',
      'billing.0002_invoice_note',
      'shop.0004_product_sku_index',
    ]);
    e.createService(td.v2!);

    const before = e.sim.callsTo('RunTask').length;
    const rb = await rollbackToV1(e, django());
    runs.push(rb);
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.outputs.status).toBe('rolled-back');
    expect(rb.outputs['from-release']).toBe('v2');
    expect(names(rb.outputs.reverted)).toEqual([
      'shop.0004_product_sku_index',
      'billing.0002_invoice_note',
      'shop.0003_seed_products',
    ]);
    // Status and downs both ran in v2's task, as the program's status and down requests.
    const tasks = e.sim.callsTo('RunTask').slice(before);
    expect(tasks.map((t) => t.input.taskDefinition)).toEqual([td.v2, td.v2]);
    expect(
      tasks.map((t) => {
        const env = (
          t.input.overrides as { containerOverrides: { environment: { name: string; value: string }[] }[] }
        ).containerOverrides[0]!.environment;
        return JSON.parse(env.find((v) => v.name === 'STEPBACK_DJANGO')!.value).op;
      }),
    ).toEqual(['status', 'down']);
    // v1 is deployed, django_migrations is v1's set (plus the squash's record v1's code never reads), the
    // schema is v1's.
    expect(serviceTaskDefinition(e)).toBe(td.v1);
    expect(await rows()).toEqual([...v1Rows, 'shop.0001_squashed_0002'].sort());
    expect(rb.outputs['schema-matches']).toBe('true');
    expect(rb.summary).toContain('schema matches release v1 as deployed');

    // The audit trail, kept by the program inside the image: every apply and revert in stepback_events,
    // naming the release, the workflow run and its actor (the task itself sees no GITHUB_* variables).
    const trail = await withClient(
      e.db.url,
      async (c) =>
        (
          await c.query<{ kind: string; name: string; release: string; run_id: string; actor: string }>(
            'select kind, name, release, run_id, actor from stepback_events order by id',
          )
        ).rows,
    );
    expect(trail.map((t) => `${t.kind} ${t.name} ${t.release}`)).toEqual([
      ...manifestOf('v1').migrations.map((m) => `apply ${m.name} v1`),
      'apply shop.0003_seed_products v2',
      'apply billing.0002_invoice_note v2',
      'apply shop.0004_product_sku_index v2',
      'revert shop.0004_product_sku_index v1',
      'revert billing.0002_invoice_note v1',
      'revert shop.0003_seed_products v1',
    ]);
    for (const t of trail) expect([t.run_id, t.actor]).toEqual(['1001-1', 'octocat']);

    // v3: its irreversible migrations stop a rollback before anything runs but the status.
    const m3 = await ship('v3');
    expect(names(m3.outputs.applied)).toEqual(
      expect.arrayContaining(['shop.0005_backfill_prices', 'billing.0003_raw_total']),
    );
    const applied = await rows();
    const refusedFrom = e.sim.callsTo('RunTask').length;
    const refused = await rollbackToV1(e, { ...django(), 'from-release': 'v3', 'to-release': 'v2' });
    runs.push(refused);
    expect(refused.exitCode, story(refused)).toBe(3);
    expect(refused.outputs.status).toBe('refused');
    expect(refused.errors.join('\n')).toMatch(/shop\.0005_backfill_prices is irreversible/);
    expect(await rows()).toEqual(applied);
    expect(e.sim.callsTo('RunTask').length - refusedFrom).toBe(1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);

    // No password anywhere: outputs, logs, summaries, AWS requests, stored records.
    // (The runner swallows the ::add-mask:: commands that carry database-url on purpose; nothing else may.)
    const shown = (run: ActionRun) =>
      everything(run)
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
    for (const run of runs) expect(shown(run)).not.toContain(e.db.password);
    expect(JSON.stringify(e.sim.calls)).not.toContain(e.db.password);
    for (const release of e.gh.state.releases)
      for (const asset of release.assets) expect(asset.text()).not.toContain(e.db.password);
  }, 300_000);
});
