/**
 * Each engine's rollback planner, by name: pure functions from src/core, so `plan` and the rollback flow
 * decide without loading any engine. The engine comes from the manifests, never from a flag.
 */
import { UsageError } from '../core/errors.ts';
import { planGraphRollback, reconcileGraphPlan } from '../core/graph-plan.ts';
import { DEFAULT_ENGINE, type Manifest, manifestEngine } from '../core/release-manifest.ts';
import { planRollback, type RollbackPlan, reconcilePlan } from '../core/rollback-plan.ts';
import type { EnginePlanner } from './engine.ts';

const PLANNERS: Record<string, EnginePlanner> = {
  [DEFAULT_ENGINE]: { plan: planRollback, reconcile: reconcilePlan },
  django: { plan: planGraphRollback, reconcile: reconcileGraphPlan },
};

export const PLANNER_NAMES: readonly string[] = Object.keys(PLANNERS);

function planner(engine: string, where: string): EnginePlanner {
  const found = PLANNERS[engine];
  if (!found)
    throw new UsageError(`${where}: unknown engine "${engine}"`, {
      hint: `this stepback plans for: ${PLANNER_NAMES.join(', ')}`,
    });
  return found;
}

/** The planner for a rollback from `newer`: its manifest names the engine. */
export function plannerForManifest(newer: Manifest): EnginePlanner {
  return planner(manifestEngine(newer), `release ${newer.release}'s manifest`);
}

/** The planner that made `plan` (to re-check it against the database). */
export function plannerForPlan(plan: RollbackPlan): EnginePlanner {
  return planner(plan.engine ?? DEFAULT_ENGINE, `the plan from ${plan.from.release}`);
}
