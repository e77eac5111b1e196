/**
 * The runner's programmatic API: the CLI, the pipeline's on-runner executor, rehearse, demo and bench call
 * these. Stable once published; results mirror the CLI's JSON documents.
 */
export type { Clock } from '../core/clock.ts';
export { systemClock } from '../system/clock.ts';
export { lockKey } from './lock.ts';
export { decodePlanText, readPlanInput } from './plan-input.ts';
export { actorFromEnv, releaseFromEnv, runIdFromEnv } from './provenance.ts';
export {
  applicationName,
  type DownOptions,
  down,
  RESULT_FORMAT,
  type ResolveOptions,
  type RunnerOptions,
  type RunResult,
  resolve,
  type StepTiming,
  status,
  type UpOptions,
  up,
} from './runner.ts';
export { loadMigrations, manifestMigrations } from './sources.ts';
export { EVENTS_TABLE, STATE_TABLE } from './state.ts';
export type { MigrationContext, MigrationModule, MigrationSource } from './types.ts';
export { RUNNER_VERSION } from './version.ts';
