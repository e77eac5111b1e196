/** Building a SQL migration from its steps' text, with the checks every layout shares. */
import { checksumOf } from '../../core/checksum.ts';
import { countStatements } from '../sql-text.ts';
import type { MigrationLayout, MigrationSource } from '../types.ts';
import type { SourceFile } from './read.ts';

/** One step's SQL: a whole file, or a section of one (then `file` is the file it is in). */
export interface SqlStep {
  /** Where it is, for messages: a path, or `path (-- +goose Down)`. */
  where: string;
  text: string;
  checksum: string;
  exactChecksum?: string;
  transactional: boolean;
}

export function stepOfFile(file: SourceFile, transactional: boolean): SqlStep {
  return {
    where: file.path,
    text: file.text,
    checksum: file.checksum,
    ...(file.exactChecksum ? { exactChecksum: file.exactChecksum } : {}),
    transactional,
  };
}

/** A section of a file; its checksum follows the file rule (CRLF read as LF) over the section's text. */
export function stepOfSection(where: string, text: string, transactional: boolean): SqlStep {
  return { where, text, checksum: checksumOf(text.replace(/\r\n/g, '\n')), transactional };
}

/**
 * The migration, or undefined with a problem: a step outside a transaction must be one statement, since
 * PostgreSQL runs a multi-statement string as one implicit transaction (which CREATE INDEX CONCURRENTLY
 * refuses), and the runner sends each step as one string.
 */
export function sqlMigration(
  m: { name: string; id: string; layout: MigrationLayout; upPath: string; downPath: string | null },
  up: SqlStep,
  down: SqlStep | null,
  problems: string[],
  marker: string,
): MigrationSource | undefined {
  let ok = true;
  for (const step of [up, down]) {
    if (step === null || step.transactional) continue;
    const n = countStatements(step.text);
    if (n > 1) {
      problems.push(
        `${step.where}: marked ${marker} but holds ${n} statements; a non-transactional migration must be a single statement (split it into several migrations)`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  return {
    name: m.name,
    id: m.id,
    layout: m.layout,
    upPath: m.upPath,
    downPath: m.downPath,
    checksum: up.checksum,
    downChecksum: down ? down.checksum : null,
    ...(up.exactChecksum ? { exactChecksum: up.exactChecksum } : {}),
    ...(down?.exactChecksum ? { exactDownChecksum: down.exactChecksum } : {}),
    reversible: down !== null,
    transactional: up.transactional,
    downTransactional: down ? down.transactional : true,
    upSql: up.text,
    downSql: down ? down.text : null,
  };
}
