/** Shapes shared by the runner's modules and its programmatic API (src/migrate/index.ts). */
import type pg from 'pg';

/** What a JS/TS migration's `up(ctx)` / `down(ctx)` receives. */
export interface MigrationContext {
  /** The runner's connection; inside the migration's transaction unless the migration opted out. */
  client: pg.Client;
  sql: (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  name: string;
  direction: 'up' | 'down';
  log: (line: string) => void;
}

export interface MigrationModule {
  up: (ctx: MigrationContext) => unknown;
  down?: (ctx: MigrationContext) => unknown;
  transaction?: boolean;
}

/**
 * How a migration's steps are stored: an up file and a down file, a folder holding both, a module, or one
 * SQL file holding both steps under its tool's markers (dbmate, goose).
 */
export type MigrationLayout = 'sql-files' | 'sql-folder' | 'module' | 'sql-sections';

/** One migration as found in the directory. */
export interface MigrationSource {
  /** The file's base name as its tool names it (`0001_create_users`, `V1.2__add_x`). */
  name: string;
  id: string;
  layout: MigrationLayout;
  upPath: string;
  /** Null when the migration has no down step. */
  downPath: string | null;
  /** `sha256:` of the up source (core/checksum.ts: CRLF read as LF; modules: the module file). */
  checksum: string;
  /** `sha256:` of the down source (modules with `down`: the module file), null when irreversible. */
  downChecksum: string | null;
  /** The exact-bytes checksums earlier versions recorded, present only when they differ (CRLF files). */
  exactChecksum?: string;
  exactDownChecksum?: string;
  reversible: boolean;
  /** The up step runs inside a transaction. */
  transactional: boolean;
  /** The down step runs inside a transaction. */
  downTransactional: boolean;
  upSql?: string;
  downSql?: string | null;
  module?: MigrationModule;
}
