import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/release-manifest.ts';
import { planRollback, type RollbackPlan, reconcilePlan } from '../../src/core/rollback-plan.ts';
import type { AppliedMigration } from '../../src/core/status.ts';
import { appliedRows, manifest, migration, status } from './helpers.ts';

/** A random history: newer has n migrations; older is its first k; the database applied them (the revert
 * segment possibly out of name order), then a rollback already reverted `done` of them newest first. */
const history = fc
  .record({
    n: fc.integer({ min: 0, max: 25 }),
    kFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    doneFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    shuffleSeed: fc.array(fc.nat(), { maxLength: 25 }),
    irreversibleKept: fc.array(fc.boolean(), { maxLength: 25 }),
    planWith: fc.constantFrom('nothing', 'full-status', 'partial-status'),
  })
  .map(({ n, kFrac, doneFrac, shuffleSeed, irreversibleKept, planWith }) => {
    const k = Math.floor(kFrac * n);
    const all = Array.from({ length: n }, (_, i) =>
      migration(`${String(i).padStart(3, '0')}_m`, { reversible: i >= k || !irreversibleKept[i] }),
    );
    const newer = manifest('vN', all);
    const older = manifest('vOld', all.slice(0, k));
    const revertNames = all.slice(k).map((m) => m.name);
    // Out-of-order applies: only a plan made from the full status knows that order (a plan made from
    // nothing assumes name order, and a partial status cannot show the reverted part's order).
    if (planWith === 'full-status')
      for (let i = revertNames.length - 1; i > 0; i--) {
        const j = (shuffleSeed[i] ?? 0) % (i + 1);
        [revertNames[i], revertNames[j]] = [revertNames[j]!, revertNames[i]!];
      }
    const applyOrder = [...all.slice(0, k).map((m) => m.name), ...revertNames];
    const done = Math.floor(doneFrac * revertNames.length);
    return { newer, older, applyOrder, done, planWith };
  });

function rows(names: readonly string[], newer: Manifest): AppliedMigration[] {
  return appliedRows(names, newer);
}

/** Carry out reverts one by one: each must be the newest applied row (downs run newest first). */
function revertAll(applied: AppliedMigration[], plan: RollbackPlan): AppliedMigration[] {
  const rec = reconcilePlan(plan, applied);
  if (!rec.ok) throw new Error(rec.reasons.join('\n'));
  let state = [...applied];
  for (const r of rec.remaining) {
    const newest = state.reduce((a, b) => (b.order > a.order ? b : a));
    expect(newest.name).toBe(r.name);
    state = state.filter((a) => a.name !== r.name);
  }
  return state;
}

describe('planner properties', () => {
  it('completing a plan leaves exactly the older manifest applied; reconcile after any partial run returns the rest', () => {
    fc.assert(
      fc.property(history, ({ newer, older, applyOrder, done, planWith }) => {
        const full = rows(applyOrder, newer);
        const partial = full.slice(0, full.length - done);
        const result = planRollback({
          newer,
          older,
          ...(planWith === 'full-status' ? { status: status(full) } : {}),
          ...(planWith === 'partial-status' ? { status: status(partial) } : {}),
        });
        if (!result.ok) throw new Error(result.reasons.join('\n'));
        const plan = result.plan;
        expect(new Set(plan.revert.map((r) => r.name))).toEqual(
          new Set(
            newer.migrations
              .filter((m) => !older.migrations.some((o) => o.name === m.name))
              .map((m) => m.name),
          ),
        );

        // From the partial state, finishing the plan lands on the older manifest exactly.
        const end = revertAll(partial, plan);
        expect(end.map((a) => a.name).sort()).toEqual(older.migrations.map((m) => m.name));

        // From the full state, stop after every t reverts: reconcile returns exactly the rest.
        const first = reconcilePlan(plan, full);
        if (!first.ok) throw new Error(first.reasons.join('\n'));
        let state = [...full];
        for (let t = 0; t <= first.remaining.length; t++) {
          const rec = reconcilePlan(plan, state);
          if (!rec.ok) throw new Error(rec.reasons.join('\n'));
          expect(rec.remaining).toEqual(first.remaining.slice(t));
          expect(new Set(rec.alreadyReverted)).toEqual(
            new Set(first.remaining.slice(0, t).map((r) => r.name)),
          );
          const next = first.remaining[t];
          if (next) state = state.filter((a) => a.name !== next.name);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a database with a migration outside both releases is always refused', () => {
    fc.assert(
      fc.property(history, fc.nat(), ({ newer, older, applyOrder }, at) => {
        const names = [...applyOrder];
        names.splice(at % (names.length + 1), 0, '999_stranger');
        const result = planRollback({ newer, older, status: status(rows(names, newer)) });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.reasons.some((r) => r.includes('999_stranger'))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
