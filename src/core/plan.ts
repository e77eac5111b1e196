/**
 * The rollback planner (DESIGN.md §5): pure, no I/O.
 *
 * OWNERSHIP (during the build-out): the types here are the shared contract; the functions are implemented by
 * the manifest/planner work (issue 3). `down --plan` in the runner calls reconcilePlan.
 */
import type { Manifest } from './manifest.ts';
import type { AppliedMigration, DatabaseStatus } from './status.ts';

export const PLAN_FORMAT = 'stepback/plan@1';

export interface PlannedRevert {
  name: string;
  /** Up checksum, to match the database row. */
  checksum: string;
  /** Down checksum the newer image's file must have. */
  downChecksum: string;
}

export interface PlanCheck {
  /** Stable id, e.g. `older-is-prefix`, `reversible`, `database-matches`. */
  id: string;
  ok: boolean;
  detail: string;
}

export interface RollbackPlan {
  format: typeof PLAN_FORMAT;
  from: { release: string; manifestDigest: string };
  to: { release: string; manifestDigest: string };
  /** Newest applied first: the order the downs run in. */
  revert: PlannedRevert[];
  /** Migrations that stay applied (the older manifest), in apply order. */
  keep: string[];
  checks: PlanCheck[];
}

export type PlanResult =
  | { ok: true; plan: RollbackPlan }
  | { ok: false; reasons: string[]; checks: PlanCheck[] };

export interface PlanInput {
  newer: Manifest;
  older: Manifest;
  status?: DatabaseStatus;
}

export type ReconcileResult =
  | { ok: true; remaining: PlannedRevert[]; alreadyReverted: string[] }
  | { ok: false; reasons: string[] };

export declare function planRollback(input: PlanInput): PlanResult;
/** Compare the live applied set with a plan: what is left to revert (resume), or why it no longer holds. */
export declare function reconcilePlan(
  plan: RollbackPlan,
  applied: readonly AppliedMigration[],
): ReconcileResult;
