/**
 * The shape every migration layout has (one module per tool, listed in registry.ts): which directory
 * entries are its files, how its migrations are named and ordered, and how one file (or pair of files)
 * becomes a migration with its up and down SQL and transaction flags. Adding a layout is adding a module.
 */
import type { MigrationSource } from '../types.ts';
import type { SourceFile } from './read.ts';

export type LayoutName = 'stepback' | 'migratus' | 'dbmate' | 'goose' | 'flyway' | 'node-pg-migrate';

/** What a layout needs from the directory reader; every problem goes to `problems`, none is thrown. */
export interface LayoutContext {
  dir: string;
  /** The directory's path joined with one of its entries. */
  pathOf(entry: string): string;
  /** The file's text and checksums; read once even when detection already looked at it. */
  read(entry: string): SourceFile | undefined;
  /** A folder's entries (throws when it cannot be read). */
  listFolder(path: string): string[];
  problems: string[];
}

export interface Layout {
  name: LayoutName;
  /** The file names it reads, for messages and the README's table. */
  files: string;
  /**
   * Whether `entry` is one of this layout's files. `peek` reads the file's text, for layouts whose files
   * are told apart by a marker inside them rather than by their name.
   */
  claims(entry: string, peek: () => string | undefined): boolean;
  /**
   * The directory's migrations in this tool's apply order. `entries` are every listed entry that is not
   * documentation; those the layout cannot read become problems in its own words.
   */
  read(entries: readonly string[], ctx: LayoutContext): Promise<MigrationSource[]>;
}
