/**
 * The rollback rehearsal's public API (the CLI command and the GitHub Action call these).
 */
export { CACHE_FORMAT, DEFAULT_CACHE_FILE } from './cache.ts';
export { describeStepError } from './errors.ts';
export { rehearseWithDirective } from './fixtures.ts';
export { type RehearseOptions, rehearse } from './rehearse.ts';
export { renderMarkdown, renderText } from './render.ts';
export type { SinceInput } from './since.ts';
export {
  BROKEN_DOWN,
  type MigrationOutcome,
  type MigrationRehearsal,
  REHEARSAL_FORMAT,
  type RehearsalReport,
  type ReleaseRevert,
  type ReleaseRevertOutcome,
  type SqlErrorLocation,
  type StepError,
} from './types.ts';
