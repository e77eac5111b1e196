/**
 * The database's migration state as `stepback status --json` prints it. The planner and `down --plan`
 * read this shape, so it is a contract.
 */
export const STATUS_FORMAT = 'stepback/status@1';

export interface AppliedMigration {
  name: string;
  /** 1-based apply order. */
  order: number;
  checksum: string;
  downChecksum: string | null;
  reversible: boolean;
  transactional: boolean;
  release: string | null;
  runId: string | null;
  actor: string | null;
  runnerVersion: string;
  /** ISO 8601. */
  appliedAt: string;
  durationMs: number;
}

export interface DatabaseStatus {
  format: typeof STATUS_FORMAT;
  /** The engine that reported it; absent: stepback's own. */
  engine?: string;
  schema: string;
  /** In apply order. */
  applied: AppliedMigration[];
  /** Known to the directory, not applied, in name order. */
  pending: string[];
  /** Applied, but not in the directory: the database is ahead of this code. */
  unknownApplied: { name: string; release: string | null }[];
  /** Applied with a checksum that differs from the file now. */
  drifted: { name: string; recorded: string; current: string }[];
  /** Pending migrations that sort before the newest applied one. */
  outOfOrder: string[];
  /**
   * Indexes PostgreSQL marks invalid (an unfinished CREATE INDEX CONCURRENTLY), in every user schema; read by
   * `status` from the live database (absent where no database was read).
   */
  invalidIndexes?: { schema: string; name: string; table: string }[];
}
