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

export type MigrationLayout = 'sql-files' | 'sql-folder' | 'module';

/** One migration as found in the directory. */
export interface MigrationSource {
  /** `<id>_<name>`. */
  name: string;
  id: string;
  layout: MigrationLayout;
  upPath: string;
  /** Null when the migration has no down step. */
  downPath: string | null;
  /** `sha256:` of the up file's bytes (for modules: the module file). */
  checksum: string;
  /** `sha256:` of the down file's bytes (modules with `down`: the module file), null when irreversible. */
  downChecksum: string | null;
  reversible: boolean;
  /** The up step runs inside a transaction. */
  transactional: boolean;
  /** The down step runs inside a transaction. */
  downTransactional: boolean;
  upSql?: string;
  downSql?: string | null;
  module?: MigrationModule;
}
