/**
 * The engine seam: what stepback needs from whatever runs an application's migrations. The flows (migrate,
 * status, manifest, plan, down) talk to an Engine and never ask which one it is; each engine is a plug-in
 * in registry.ts. `stepback` is the SQL/module runner of src/migrate; `django` drives the project's own
 * manage.py (src/engines/django).
 */
import type { ManifestMigration } from '../core/release-manifest.ts';
import type { PlanInput, PlanResult, ReconcileResult, RollbackPlan } from '../core/rollback-plan.ts';
import type { AppliedMigration, DatabaseStatus } from '../core/status.ts';
import type { DownOptions, RunnerOptions, RunResult, UpOptions } from '../migrate/runner.ts';

/** Settings every engine reads; an engine ignores those it has no use for. */
export interface EngineOptions extends RunnerOptions {
  /** How to run the project's manage.py (Django): a command line, e.g. `python3 manage.py`. */
  manageCommand?: string;
}

/** What goes into the release manifest. */
export interface EngineMigrations {
  /** In apply order. */
  migrations: ManifestMigration[];
  /** Graph engines: each app's leaf migration. */
  targets?: Record<string, string>;
}

/** Pure: how a rollback between two of this engine's manifests is decided and re-checked. */
export interface EnginePlanner {
  plan(input: PlanInput): PlanResult;
  reconcile(plan: RollbackPlan, applied: readonly AppliedMigration[]): ReconcileResult;
}

/**
 * Reading the release's migrations as this code (image) has them, for the manifest. Kept apart from Engine
 * so that `manifest` and `record-release` bundle no runner (readers.ts).
 */
export type ReadMigrations = (opts: EngineOptions) => Promise<EngineMigrations>;

export interface Engine {
  readonly name: string;
  /** What the database has applied against what this code has. Throws StepbackErrors. */
  status(opts: EngineOptions): Promise<DatabaseStatus>;
  /** Apply everything pending under the lock. Expected failures come back as `ok: false`. */
  up(opts: UpOptions & EngineOptions): Promise<RunResult>;
  /** Revert to a plan's targets under the lock, refusing before any change when it cannot be done. */
  down(opts: DownOptions & EngineOptions): Promise<RunResult>;
}
