/**
 * What the Django program's result line means in stepback's terms, shared by the engine run through the CLI
 * (engine.ts) and by the pipeline's runs in the image (remote.ts): the `stepback/result@1` document of an
 * up or a down, and the state proof after a down (django_migrations, read back, is the older release's set).
 */
import { ExitCode } from '../../core/errors.ts';
import { appliedNodes } from '../../core/graph-plan.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { RollbackPlan } from '../../core/rollback-plan.ts';
import type { RunResult } from '../../core/run-result.ts';
import type { DjangoRow, ProgramResult } from './manage.ts';

/** The program's run result in the result document; a failure names the migration it stopped at. */
export function fill(result: RunResult, run: ProgramResult, secrets: readonly (string | undefined)[]): void {
  const done = run.done ?? [];
  if (result.command === 'up') result.applied = done;
  else result.reverted = done;
  if (!run.ok) {
    result.ok = false;
    result.exitCode = (run.exitCode ?? ExitCode.migrationFailed) as RunResult['exitCode'];
    result.error = redactSecrets(run.error ?? 'the Django program failed', secrets);
    if (run.failed) result.failed = { name: run.failed, message: result.error };
  }
}

function planNodes(plan: RollbackPlan, rows: readonly DjangoRow[]): Set<string> {
  return appliedNodes(
    [...plan.keep, ...plan.revert.map((r) => r.name)],
    plan.squashes ?? {},
    new Set(rows.map((r) => r.name)),
  );
}

/** The plan's migrations that `rows` still hold applied. */
export function stillToRevert(plan: RollbackPlan, rows: readonly DjangoRow[]): string[] {
  const nodes = planNodes(plan, rows);
  return plan.revert.filter((r) => nodes.has(r.name)).map((r) => r.name);
}

export interface StateProof {
  matches: boolean;
  stillApplied: string[];
  missing: string[];
}

/** The state proof: django_migrations, read back, is exactly the older release's set. */
export function stateProof(plan: RollbackPlan, rows: readonly DjangoRow[]): StateProof {
  const nodes = planNodes(plan, rows);
  const stillApplied = plan.revert.filter((r) => nodes.has(r.name)).map((r) => r.name);
  const missing = plan.keep.filter((n) => !nodes.has(n));
  return { matches: stillApplied.length === 0 && missing.length === 0, stillApplied, missing };
}

export function stateProofError(plan: RollbackPlan, state: StateProof): string {
  return `after the run django_migrations is not ${plan.to.release}'s set: still applied ${state.stillApplied.join(', ') || '-'}, missing ${state.missing.join(', ') || '-'}`;
}

/** A failed down's error, with where django_migrations stands (Django commits each migration). */
export function partialDownError(error: string | null, plan: RollbackPlan, run: ProgramResult): string {
  if (run.applied) {
    const left = stillToRevert(plan, run.applied);
    return `${error}\ndjango_migrations, read back, has ${run.applied.length} row(s); still to revert: ${left.join(', ') || 'nothing'}; run the same plan again to resume`;
  }
  return `${error}\ndjango_migrations could not be read back; check \`stepback status --engine django\` before running the plan again`;
}
