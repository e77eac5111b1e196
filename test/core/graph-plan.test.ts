/** The graph planner (Django): per-app targets from two manifests, table-tested without a database. */
import { describe, expect, it } from 'vitest';
import { planGraphRollback, reconcileGraphPlan, unappliedBy } from '../../src/core/graph-plan.ts';
import { parsePlan } from '../../src/core/plan-schema.ts';
import { buildManifest, type Manifest, type ManifestMigration } from '../../src/core/release-manifest.ts';
import type { PlanResult, RollbackPlan } from '../../src/core/rollback-plan.ts';
import { appliedRows, sha, status } from './helpers.ts';

/** `name < dep1 dep2`, `!` marks irreversible, `= a b` lists what a squash replaces. */
function node(spec: string): ManifestMigration {
  const [head, replaces] = spec.split('=').map((x) => x.trim());
  const [nameSpec, deps] = head!.split('<').map((x) => x.trim());
  const irreversible = nameSpec!.endsWith('!');
  const name = nameSpec!.replace('!', '');
  return {
    name,
    checksum: sha(name),
    downChecksum: irreversible ? null : sha(name),
    reversible: !irreversible,
    transactional: true,
    dependencies: deps ? deps.split(/\s+/) : [],
    ...(replaces ? { replaces: replaces.split(/\s+/) } : {}),
  };
}

function graph(release: string, specs: string[], engine = 'django'): Manifest {
  const migrations = specs.map(node);
  const targets: Record<string, string> = {};
  for (const m of migrations) targets[m.name.split('.')[0]!] = m.name;
  return buildManifest({ release, createdAt: new Date('2026-12-01T00:00:00Z'), engine, migrations, targets });
}

const v1 = graph('v1', ['shop.0001', 'shop.0002 < shop.0001', 'billing.0001 < shop.0002']);
const v2 = graph('v2', [
  'shop.0001',
  'shop.0002 < shop.0001',
  'billing.0001 < shop.0002',
  'shop.0003 < shop.0002',
  'billing.0002 < billing.0001 shop.0003',
  'shop.0004 < shop.0003',
]);
const v2squashed = graph('v2s', [
  'shop.0001_squashed_0002 = shop.0001 shop.0002',
  'billing.0001 < shop.0001_squashed_0002',
  'shop.0003 < shop.0001_squashed_0002',
  'shop.0004 < shop.0003',
]);

function ok(result: PlanResult): RollbackPlan {
  if (!result.ok) throw new Error(result.reasons.join('\n'));
  return result.plan;
}
function refused(result: PlanResult): string[] {
  if (result.ok) throw new Error('planned');
  return result.reasons;
}

describe('planGraphRollback', () => {
  it('reverts what the older release lacks, newest first, with each app rolled back to its older leaf', () => {
    const plan = ok(planGraphRollback({ newer: v2, older: v1 }));
    expect(plan.engine).toBe('django');
    expect(plan.revert.map((r) => r.name)).toEqual(['shop.0004', 'billing.0002', 'shop.0003']);
    expect(plan.keep).toEqual(['shop.0001', 'shop.0002', 'billing.0001']);
    // billing.0002 goes with shop's target (it depends on shop.0003), and billing's own target says so too.
    expect(plan.targets).toEqual([
      { app: 'shop', migration: '0002' },
      { app: 'billing', migration: '0001' },
    ]);
    expect(parsePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it("targets zero for an app the older release did not have, taking other apps' dependents with it", () => {
    const v0 = graph('v0', ['shop.0001', 'shop.0002 < shop.0001']);
    const plan = ok(planGraphRollback({ newer: v2, older: v0 }));
    expect(plan.targets).toContainEqual({ app: 'billing', migration: null });
    expect(new Set(plan.revert.map((r) => r.name))).toEqual(
      new Set(['shop.0004', 'billing.0002', 'shop.0003', 'billing.0001']),
    );
  });

  it('maps an older leaf that a squash ends with onto the squash', () => {
    const plan = ok(planGraphRollback({ newer: v2squashed, older: v1 }));
    expect(plan.targets).toEqual([{ app: 'shop', migration: '0001_squashed_0002' }]);
    expect(plan.keep).toEqual(['shop.0001_squashed_0002', 'billing.0001']);
    expect(plan.squashes).toEqual({ 'shop.0001_squashed_0002': ['shop.0001', 'shop.0002'] });
  });

  const refusals: [string, Manifest, Manifest, RegExp][] = [
    [
      'a target inside a squash',
      v2squashed,
      graph('v0', ['shop.0001']),
      /stops inside the squash shop\.0001_squashed_0002 .*no target inside a squash/,
    ],
    [
      'an irreversible migration to revert',
      graph('v3', [
        'shop.0001',
        'shop.0002 < shop.0001',
        'billing.0001 < shop.0002',
        'shop.0005! < shop.0002',
      ]),
      v1,
      /shop\.0005 is irreversible/,
    ],
    [
      'an older migration the newer graph lacks',
      v1,
      graph('v1b', ['shop.0001', 'shop.0002 < shop.0001', 'shop.0002b < shop.0002']),
      /v1b has migration shop\.0002b that v1's graph lacks/,
    ],
    [
      'different engines',
      v2,
      graph('s', ['shop.0001'], 'stepback'),
      /recorded by the django engine and s by the stepback engine/,
    ],
  ];
  it.each(refusals)('refuses %s', (_label, newer, older, reason) => {
    expect(refused(planGraphRollback({ newer, older })).join('\n')).toMatch(reason);
  });

  it('refuses a migration edited after the older release shipped', () => {
    const edited = graph(
      'v2e',
      v2.migrations.map((m) => m.name),
    );
    const older = JSON.parse(JSON.stringify(v1)) as Manifest;
    older.migrations[1]!.checksum = sha('something else');
    expect(refused(planGraphRollback({ newer: edited, older })).join()).toMatch(
      /shop\.0002 differs between the releases/,
    );
  });

  it('checks the database: a half-done rollback resumes, a database behind or ahead is refused', () => {
    const half = status(appliedRows(['shop.0001', 'shop.0002', 'billing.0001', 'shop.0003']));
    const plan = ok(planGraphRollback({ newer: v2, older: v1, status: half }));
    expect(plan.checks.find((c) => c.id === 'database-matches')?.detail).toMatch(/2 of 3 already reverted/);
    const reconciled = reconcileGraphPlan(plan, half.applied);
    expect(reconciled).toEqual({
      ok: true,
      remaining: [expect.objectContaining({ name: 'shop.0003' })],
      alreadyReverted: ['shop.0004', 'billing.0002'],
    });
    const behind = status(appliedRows(['shop.0001']));
    expect(refused(planGraphRollback({ newer: v2, older: v1, status: behind })).join()).toMatch(
      /does not have shop\.0002, billing\.0001 applied/,
    );
    const ahead = status(appliedRows([...v2.migrations.map((m) => m.name), 'shop.0009']));
    expect(refused(planGraphRollback({ newer: v2, older: v1, status: ahead })).join()).toMatch(
      /has shop\.0009 applied, which neither v2 nor v1 has/,
    );
  });

  it('counts a squash as applied when Django recorded only the migrations it replaces', () => {
    const plan = ok(planGraphRollback({ newer: v2squashed, older: v1 }));
    const rows = appliedRows(['shop.0001', 'shop.0002', 'billing.0001', 'shop.0003', 'shop.0004']);
    expect(reconcileGraphPlan(plan, rows)).toMatchObject({ ok: true, alreadyReverted: [] });
  });
});

describe('unappliedBy (Django planner semantics)', () => {
  it('a target unapplies the later migrations of its app and everything depending on them, in any app', () => {
    expect(unappliedBy([{ app: 'shop', migration: '0002' }], v2.migrations)).toEqual(
      new Set(['shop.0003', 'billing.0002', 'shop.0004']),
    );
    expect(unappliedBy([{ app: 'shop', migration: null }], v2.migrations)).toEqual(
      new Set(v2.migrations.map((m) => m.name)),
    );
    expect(unappliedBy([{ app: 'billing', migration: '0002' }], v2.migrations)).toEqual(new Set());
  });
});
