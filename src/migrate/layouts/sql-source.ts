/** Building a SQL migration from its steps' text, with the checks every layout shares. */
import { checksumOf } from '../../core/checksum.ts';
import { sqlFileProblems } from '../sql-text.ts';
import type { MigrationLayout, MigrationSource } from '../types.ts';
import type { SourceFile } from './read.ts';
import type { Section } from './sections.ts';

/** One step's SQL: a whole file, or a section of one (then `file` is the file it is in). */
export interface SqlStep {
  /** Where it is, for messages: a path, or `path (-- +goose Down)`. */
  where: string;
  text: string;
  checksum: string;
  exactChecksum?: string;
  transactional: boolean;
  /** A section of a file (an empty down section is the section layouts' way of writing none). */
  section?: true;
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
function stepOfSection(where: string, text: string, transactional: boolean): SqlStep {
  return { where, text, checksum: checksumOf(text.replace(/\r\n/g, '\n')), transactional, section: true };
}

/**
 * The migration, or undefined with problems (sql-text.ts sqlFileProblems): a step that holds no statement,
 * one that controls the transaction stepback runs it in, or one outside a transaction holding several
 * statements (PostgreSQL runs a multi-statement string as one implicit transaction, which CREATE INDEX
 * CONCURRENTLY refuses, and the runner sends each step as one string).
 */
export function sqlMigration(
  m: { name: string; id: string; layout: MigrationLayout; upPath: string; downPath: string | null },
  up: SqlStep,
  down: SqlStep | null,
  problems: string[],
  marker: string,
): MigrationSource | undefined {
  const before = problems.length;
  for (const step of [up, down]) {
    if (step === null) continue;
    problems.push(
      ...sqlFileProblems(step.where, step.text, {
        transactional: step.transactional,
        marker,
        mayBeEmpty: step === down && step.section === true,
      }),
    );
  }
  if (problems.length > before) return undefined;
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

/**
 * The migration of a file that holds both steps under markers (dbmate, goose, node-pg-migrate): named after
 * the file, each step a section labelled with its marker, no down when the file has no down section.
 * `transactional` says, per section, whether it runs in a transaction (each tool marks that its own way).
 */
export function sectionedMigration(
  file: { entry: string; id: string; path: string },
  steps: { up: Section; down: Section | undefined },
  labels: { up: string; down: string },
  transactional: (section: Section) => boolean,
  problems: string[],
  marker: string,
): MigrationSource | undefined {
  const { up, down } = steps;
  return sqlMigration(
    {
      name: file.entry.slice(0, -'.sql'.length),
      id: file.id,
      layout: 'sql-sections',
      upPath: file.path,
      downPath: down ? file.path : null,
    },
    stepOfSection(`${file.path} (${labels.up})`, up.text, transactional(up)),
    down ? stepOfSection(`${file.path} (${labels.down})`, down.text, transactional(down)) : null,
    problems,
    marker,
  );
}
