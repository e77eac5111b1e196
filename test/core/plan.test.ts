import { describe, expect, it } from 'vitest';
import { parsePlan, parseStatus } from '../../src/core/plan-schema.ts';
import { renderPlan, renderPlanResult } from '../../src/core/plan-table.ts';
import { manifestDigest } from '../../src/core/release-manifest.ts';
import {
  PLAN_FORMAT,
  type PlanResult,
  planRollback,
  type RollbackPlan,
  reconcilePlan,
} from '../../src/core/rollback-plan.ts';
import { appliedRows, manifest, migration, sha, status } from './helpers.ts';

const v1 = manifest('v1', ['0001_users', '0002_orders']);
const v2 = manifest('v2', ['0001_users', '0002_orders', '0003_index']);
const v3 = manifest('v3', ['0001_users', '0002_orders', '0003_index', '0004_audit', '0005_email']);
const names = (m: typeof v3) => m.migrations.map((x) => x.name);

function planOk(result: PlanResult): RollbackPlan {
  if (!result.ok) throw new Error(`refused: ${result.reasons.join('\n')}`);
  return result.plan;
}
function reasonsOf(result: PlanResult): string[] {
  if (result.ok) throw new Error('planned, expected a refusal');
  return result.reasons;
}

describe('planRollback: plans', () => {
  it('reverts newer − older, newest first, keeping the older manifest', () => {
    const plan = planOk(planRollback({ newer: v3, older: v1 }));
    expect(plan.format).toBe(PLAN_FORMAT);
    expect(plan.revert.map((r) => r.name)).toEqual(['0005_email', '0004_audit', '0003_index']);
    expect(plan.revert[0]).toEqual({
      name: '0005_email',
      checksum: sha('up:0005_email'),
      downChecksum: sha('down:0005_email'),
    });
    expect(plan.keep).toEqual(['0001_users', '0002_orders']);
    expect(plan.from).toEqual({ release: 'v3', manifestDigest: manifestDigest(v3) });
    expect(plan.to).toEqual({ release: 'v1', manifestDigest: manifestDigest(v1) });
    expect(plan.checks.map((c) => [c.id, c.ok])).toEqual([
      ['older-is-prefix', true],
      ['reversible', true],
    ]);
  });

  it('N → N−3 plans from the newest manifest alone (intermediate releases are not needed)', () => {
    // v2's and v3's migrations are both reverted using v4's down checksums.
    const v4 = manifest('v4', [...names(v3), '0006_flags']);
    const v0 = manifest('v0', ['0001_users']);
    const plan = planOk(planRollback({ newer: v4, older: v0, status: status(appliedRows(names(v4), v4)) }));
    expect(plan.revert.map((r) => r.name)).toEqual([
      '0006_flags',
      '0005_email',
      '0004_audit',
      '0003_index',
      '0002_orders',
    ]);
    expect(
      plan.revert.every((r) => r.downChecksum === v4.migrations.find((m) => m.name === r.name)?.downChecksum),
    ).toBe(true);
  });

  it('an irreversible migration that stays applied does not matter', () => {
    const older = manifest('v1', [migration('0001_users', { reversible: false }), '0002_orders']);
    const newer = manifest('v2', [
      migration('0001_users', { reversible: false }),
      '0002_orders',
      '0003_index',
    ]);
    expect(planOk(planRollback({ newer, older })).revert.map((r) => r.name)).toEqual(['0003_index']);
  });

  it('same release: nothing to revert', () => {
    const plan = planOk(planRollback({ newer: v2, older: v2, status: status(appliedRows(names(v2), v2)) }));
    expect(plan.revert).toEqual([]);
    expect(renderPlan(plan)).toContain('Nothing to revert');
  });

  it('uses the database apply order for "newest applied first"', () => {
    const applied = appliedRows(['0001_users', '0002_orders', '0004_audit', '0003_index', '0005_email'], v3);
    const plan = planOk(planRollback({ newer: v3, older: v1, status: status(applied) }));
    expect(plan.revert.map((r) => r.name)).toEqual(['0005_email', '0003_index', '0004_audit']);
    expect(plan.checks.find((c) => c.id === 'database-matches')?.detail).toBe(
      "the database's applied set is exactly v3",
    );
  });

  it('resumes a half-done rollback: the database holds a prefix of newer that contains older', () => {
    const applied = appliedRows(['0001_users', '0002_orders', '0003_index'], v3);
    const plan = planOk(planRollback({ newer: v3, older: v1, status: status(applied) }));
    expect(plan.revert.map((r) => r.name)).toEqual(['0005_email', '0004_audit', '0003_index']);
    expect(plan.checks.find((c) => c.id === 'database-matches')?.detail).toMatch(
      /partly rolled-back v3: 2 of 3/,
    );
    const rec = reconcilePlan(plan, applied);
    expect(rec).toEqual({
      ok: true,
      remaining: [plan.revert[2]],
      alreadyReverted: ['0005_email', '0004_audit'],
    });
  });

  it('a finished rollback plans again with everything already reverted', () => {
    const applied = appliedRows(['0001_users', '0002_orders'], v3);
    const plan = planOk(planRollback({ newer: v3, older: v1, status: status(applied) }));
    expect(reconcilePlan(plan, applied)).toEqual({
      ok: true,
      remaining: [],
      alreadyReverted: ['0005_email', '0004_audit', '0003_index'],
    });
  });
});

describe('planRollback: refusals (every reason is reported)', () => {
  const cases: [string, () => PlanResult, RegExp[]][] = [
    [
      'older has migrations newer lacks',
      () =>
        planRollback({ newer: v2, older: manifest('v1-hotfix', ['0001_users', '0002_orders', '0002a_fix']) }),
      [/v1-hotfix has migration 0002a_fix that v2 lacks/],
    ],
    [
      'a shared migration checksum differs',
      () =>
        planRollback({
          newer: v2,
          older: manifest('v1', ['0001_users', migration('0002_orders', { checksum: sha('edited') })]),
        }),
      [/migration 0002_orders differs between the releases/],
    ],
    [
      'a migration to revert is irreversible',
      () =>
        planRollback({
          newer: manifest('v3', [
            '0001_users',
            '0002_orders',
            migration('0003_index', { reversible: false }),
            '0004_audit',
          ]),
          older: v1,
        }),
      [/0003_index is irreversible/],
    ],
    [
      'the database is behind the target (an older migration is not applied)',
      () =>
        planRollback({
          newer: v3,
          older: v2,
          status: status(appliedRows(['0001_users', '0002_orders'], v3)),
        }),
      [/does not have 0003_index applied, which v2 needs/],
    ],
    [
      'the database holds migrations neither release knows',
      () =>
        planRollback({
          newer: v2,
          older: v1,
          status: status([
            ...appliedRows([...names(v2), '0009_other'], v2).map((r) =>
              r.name === '0009_other' ? { ...r, release: 'v9' } : r,
            ),
          ]),
        }),
      [/has 0009_other applied \(by release v9\), which neither v2 nor v1 knows/],
    ],
    [
      'the database recorded checksums differ from the newer manifest',
      () =>
        planRollback({
          newer: v2,
          older: v1,
          status: status(
            appliedRows(names(v2), v2).map((r) =>
              r.name === '0003_index' ? { ...r, checksum: sha('x') } : r,
            ),
          ),
        }),
      [/0003_index: the database recorded checksum sha256:[0-9a-f]+ but v2's manifest has/],
    ],
    [
      'the applied set is not a prefix of newer (a gap)',
      () =>
        planRollback({
          newer: v3,
          older: v1,
          status: status(appliedRows(['0001_users', '0002_orders', '0004_audit'], v3)),
        }),
      [
        /has 0004_audit applied but not 0003_index, which comes before it: it is neither v3 nor a partly rolled-back v3/,
      ],
    ],
    [
      'a kept migration was applied after one to revert',
      () =>
        planRollback({
          newer: v2,
          older: v1,
          status: status(appliedRows(['0001_users', '0003_index', '0002_orders'], v2)),
        }),
      [/0002_orders \(kept by v1\) was applied after 0003_index/],
    ],
    [
      'the database has an older-only migration',
      () =>
        planRollback({
          newer: v2,
          older: manifest('v1x', ['0001_users', '0001b_x']),
          status: status(appliedRows(['0001_users', '0001b_x'])),
        }),
      [/v1x has migration 0001b_x that v2 lacks/, /database has 0001b_x applied, which v2 lacks/],
    ],
    [
      'several problems at once',
      () =>
        planRollback({
          newer: manifest('v3', [
            '0001_users',
            '0002_orders',
            migration('0003_index', { reversible: false }),
          ]),
          older: manifest('v1', [migration('0001_users', { checksum: sha('other') }), '0001z_x']),
          status: status(appliedRows(['0001_users', '0002_orders', '0003_index', '0099_unknown'])),
        }),
      [
        /migration 0001_users differs/,
        /v1 has migration 0001z_x that v3 lacks/,
        /0003_index is irreversible/,
        /0099_unknown applied, which neither/,
        /does not have 0001z_x applied/,
      ],
    ],
  ];
  it.each(cases)('%s', (_label, run, expected) => {
    const result = run();
    const reasons = reasonsOf(result);
    for (const pattern of expected)
      expect(
        reasons.some((r) => pattern.test(r)),
        `${pattern}\n${reasons.join('\n')}`,
      ).toBe(true);
    // Every reason also appears on a failed check, and the table lists them.
    if (!result.ok) {
      const failed = result.checks
        .filter((c) => !c.ok)
        .map((c) => c.detail)
        .join('; ');
      for (const r of reasons) expect(failed).toContain(r);
      const text = renderPlanResult(result, { from: 'a', to: 'b' });
      expect(text).toMatch(/^Rollback refused/);
      expect(text).toContain('FAILED');
    }
  });
});

describe('reconcilePlan (down --plan)', () => {
  const plan = planOk(planRollback({ newer: v3, older: v1 }));

  it.each([
    [names(v3), ['0005_email', '0004_audit', '0003_index'], []],
    [names(v3).slice(0, 4), ['0004_audit', '0003_index'], ['0005_email']],
    [names(v3).slice(0, 3), ['0003_index'], ['0005_email', '0004_audit']],
    [names(v3).slice(0, 2), [], ['0005_email', '0004_audit', '0003_index']],
  ])('applied %j → remaining %j', (applied, remaining, already) => {
    expect(reconcilePlan(plan, appliedRows(applied, v3))).toEqual({
      ok: true,
      remaining: remaining.map((n) => plan.revert.find((r) => r.name === n)),
      alreadyReverted: already,
    });
  });

  it('follows the database apply order captured in a plan made with the status, and resumes in it', () => {
    const rows = appliedRows(['0001_users', '0002_orders', '0004_audit', '0003_index', '0005_email'], v3);
    const withStatus = planOk(planRollback({ newer: v3, older: v1, status: status(rows) }));
    const rec = reconcilePlan(withStatus, [...rows].reverse());
    expect(rec.ok && rec.remaining.map((r) => r.name)).toEqual(['0005_email', '0003_index', '0004_audit']);
    const resumed = reconcilePlan(withStatus, rows.slice(0, 4));
    expect(resumed.ok && resumed.remaining.map((r) => r.name)).toEqual(['0003_index', '0004_audit']);
  });

  it('refuses when a plan made without status disagrees with the database apply order', () => {
    const rows = appliedRows(['0001_users', '0002_orders', '0004_audit', '0003_index', '0005_email'], v3);
    const rec = reconcilePlan(plan, rows);
    expect(rec.ok).toBe(false);
    if (!rec.ok)
      expect(rec.reasons.join('\n')).toMatch(/applied 0004_audit where the plan expects 0003_index/);
  });

  it.each([
    [
      'an unplanned migration',
      [...names(v3), '0006_new'],
      /0006_new applied, which the plan neither keeps nor reverts/,
    ],
    ['a kept migration missing', ['0001_users'], /does not have 0002_orders applied/],
    ['a gap', ['0001_users', '0002_orders', '0004_audit'], /has 0004_audit applied but not 0003_index/],
  ])('refuses %s', (_label, applied, pattern) => {
    const rec = reconcilePlan(plan, appliedRows(applied, v3));
    expect(rec.ok).toBe(false);
    if (!rec.ok)
      expect(
        rec.reasons.some((r) => pattern.test(r)),
        rec.reasons.join('\n'),
      ).toBe(true);
  });

  it('refuses a checksum that differs from the plan', () => {
    const rows = appliedRows(names(v3), v3).map((r) =>
      r.name === '0004_audit' ? { ...r, checksum: sha('x') } : r,
    );
    const rec = reconcilePlan(plan, rows);
    expect(rec.ok ? [] : rec.reasons).toEqual([
      `0004_audit: the database recorded checksum ${sha('x')} but the plan expects ${sha('up:0004_audit')}`,
    ]);
  });
});

describe('parsePlan / parseStatus', () => {
  const plan = planOk(planRollback({ newer: v3, older: v1 }));

  it('round-trips a plan through JSON', () => {
    expect(parsePlan(JSON.parse(JSON.stringify(plan)))).toEqual(plan);
  });

  it('names the bad fields of a plan', () => {
    const bad = JSON.parse(JSON.stringify(plan));
    bad.format = 'stepback/plan@9';
    bad.from.manifestDigest = 'md5:x';
    delete bad.revert[1].downChecksum;
    expect(() => parsePlan(bad, 'plan.json')).toThrow(/plan\.json/);
    const error = (() => {
      try {
        parsePlan(bad);
      } catch (e) {
        return e as { problems: string[] };
      }
      throw new Error('parsePlan accepted a bad plan');
    })();
    expect(error.problems).toEqual([
      expect.stringMatching(/^format: unknown format/),
      expect.stringMatching(/^from\.manifestDigest: /),
      'revert[1].downChecksum: is missing',
    ]);
  });

  it('refuses a plan that keeps and reverts the same migration', () => {
    const bad = { ...plan, keep: [...plan.keep, '0004_audit'] };
    expect(() => parsePlan(bad)).toThrow(/problem/);
  });

  it('reads a status document and refuses a malformed one', () => {
    const s = status(appliedRows(names(v2), v2));
    expect(parseStatus(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(() => parseStatus({ ...s, applied: [{ name: 'x' }] })).toThrow(/stepback status/);
  });
});
