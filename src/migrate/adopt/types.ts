/**
 * The shape of one tool's state table reader (one module per tool, listed in registry.ts): which table is
 * its (by name and columns), how its rows become a ToolState, and how its versions name a directory's ids.
 */
import type pg from 'pg';
import type { ToolState } from '../../core/adopt.ts';
import type { MigrationSource } from '../types.ts';
import type { ToolName } from './tools.ts';

export type { ToolName };

export interface StateReader {
  tool: ToolName;
  /** The table's name, in the schema adopt is pointed at. */
  table: string;
  /** Columns that tell this tool's table from another tool's table of the same name. */
  columns: readonly string[];
  /** Reads the table (only reads: adopt never writes another tool's table). */
  read(client: pg.ClientBase, qualified: string): Promise<ToolState>;
  /**
   * The tool records each migration by its whole name (the file name without extension), not by an id:
   * its rows are matched against the directory's names.
   */
  recordsName?: boolean;
  /** A version's key, equal for a recorded version and the directory id (or name) it names. */
  versionKey(version: string): string;
  /** Version order, for `latest` and `baseline`. */
  compare(a: string, b: string): number;
  /** The checksum the tool records for a migration, when it records one. */
  toolChecksum?(source: MigrationSource): number;
}
