/** The rehearsal report (what `stepback rehearse --json` prints and the GitHub Action renders). */

export const REHEARSAL_FORMAT = 'stepback/rehearsal@1';

/**
 * Per migration:
 * - `ok`: up, down, schema (and fixture rows) back as before, up again.
 * - `down-failed`: the down raised an error (with where PostgreSQL reports it).
 * - `not-restored`: the down ran but the schema differs from before the up (column order ignored).
 * - `data-changed`: schema restored, but fixture rows were lost or changed by the up/down round trip.
 * - `reapply-failed`: the up failed when run again after the down.
 * - `irreversible`: no down; listed, a failure only with `requireReversible`.
 * - `skipped`: rehearsed before with the same up and down checksums (cache or the `since` manifest).
 * - `up-failed`: the up itself failed on the previous release's schema: nothing after it can be rehearsed.
 * - `fixture-failed`: the rows file named by `stepback:rehearse-with` (or the fixture folder) is missing or
 *   failed to load; the migration is then only applied, not rehearsed.
 * - `not-run`: after an `up-failed`, nothing further can run.
 */
export type MigrationOutcome =
  | 'ok'
  | 'down-failed'
  | 'not-restored'
  | 'data-changed'
  | 'reapply-failed'
  | 'irreversible'
  | 'skipped'
  | 'up-failed'
  | 'fixture-failed'
  | 'not-run';

/** Outcomes that mean a broken down step: exit 3. */
export const BROKEN_DOWN: ReadonlySet<MigrationOutcome> = new Set([
  'down-failed',
  'not-restored',
  'data-changed',
  'reapply-failed',
]);

export interface SqlErrorLocation {
  /** Path of the file, relative to the migrations directory. */
  file: string;
  /** 1-based line and column in that file. */
  line: number;
  column: number;
  /** The offending line's text (trimmed, shortened). */
  text: string;
}

export interface StepError {
  step: 'up' | 'down' | 'up again' | 'fixture';
  message: string;
  /** SQLSTATE, e.g. `42601` (syntax error). */
  code?: string;
  detail?: string;
  hint?: string;
  /** PL/pgSQL or function context PostgreSQL adds. */
  where?: string;
  location?: SqlErrorLocation;
}

export interface MigrationRehearsal {
  name: string;
  outcome: MigrationOutcome;
  reversible: boolean;
  /** Readable schema differences (before the up vs after the down), for `not-restored`. */
  differences: string[];
  /** Readable fixture-row differences, for `data-changed`. */
  dataDifferences: string[];
  error?: StepError;
  /** Fixture rows file loaded before the up (relative to the migrations directory). */
  fixture?: string;
  /** Why a migration was skipped, or other context. */
  note?: string;
}

export type ReleaseRevertOutcome = 'ok' | 'down-failed' | 'not-restored' | 'skipped';

export interface ReleaseRevert {
  outcome: ReleaseRevertOutcome;
  /** Migrations reverted, newest first. */
  reverted: string[];
  /** The migration whose down failed. */
  failed?: string;
  error?: StepError;
  differences: string[];
  reason?: string;
}

export interface RehearsalReport {
  format: typeof REHEARSAL_FORMAT;
  release: string | null;
  /** The previous release the scratch database was brought to first. */
  since: { release: string | null; migrations: number; source: 'none' | 'manifest' | 'cache' };
  /** The server the scratch database ran on, and its name (dropped afterwards). */
  server: { version: string; kind: 'database-url' | 'embedded'; database: string };
  migrations: MigrationRehearsal[];
  releaseRevert: ReleaseRevert;
  counts: Record<MigrationOutcome, number>;
  requireReversible: boolean;
  /** Warnings that do not fail the rehearsal (e.g. a since-manifest checksum that differs from the file). */
  notes: string[];
  /** 0 all good · 1 an up (or fixture) failed · 3 a down is broken (or irreversible under requireReversible). */
  exitCode: 0 | 1 | 3;
  /** One line: `rehearsal passed: 12 ok, 1 irreversible` / `rehearsal failed: …`. */
  verdict: string;
  durationMs: number;
}
