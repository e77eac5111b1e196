/**
 * Running one migration step with its state change in the same transaction, in as few round trips as is
 * safe. umzug sequences the steps (runner.ts); this is the part it leaves to us (it has no transactions and
 * logs state as a separate step, migration-tools.md §1.1). A run's consecutive SQL steps usually go several
 * per message instead (batch.ts); this path serves modules, no-transaction steps, --single-transaction and
 * rehearsal.
 *
 * Round trips per transactional SQL step: ONE. `BEGIN; <file>; <state row>; <event>; COMMIT` goes as a
 * single parameterless simple query; if any statement fails, the server skips the rest and leaves the
 * transaction aborted, and we send ROLLBACK (a second trip only on failure). Values are inlined with
 * escapeLiteral (simple queries take no parameters). The file is followed by `\n;\n` so a trailing line
 * comment or a missing semicolon cannot swallow the state statements.
 */
import type pg from 'pg';
import {
  deleteAppliedSql,
  insertAppliedSql,
  insertEventSql,
  type Provenance,
  type StateNames,
} from './state.ts';
import type { MigrationContext, MigrationSource } from './types.ts';

export type Direction = 'up' | 'down';

export interface StepSession {
  client: pg.Client;
  names: StateNames;
  who: Provenance;
  log: (line: string) => void;
}

/** `own`: the step opens and commits its own transaction. `batch`: a surrounding transaction is open. */
export type TxMode = 'own' | 'batch';

function stateSql(s: StepSession, m: MigrationSource, direction: Direction, startedExpr: string): string {
  if (direction === 'up') {
    return `${insertAppliedSql(s.names, m, s.who, startedExpr)};\n${insertEventSql(s.names, 'apply', m.name, s.who)}`;
  }
  return `${deleteAppliedSql(s.names, m.name)};\n${insertEventSql(s.names, 'revert', m.name, s.who)}`;
}

function context(s: StepSession, m: MigrationSource, direction: Direction): MigrationContext {
  return {
    client: s.client,
    sql: (text, params) => s.client.query(text, params),
    name: m.name,
    direction,
    log: s.log,
  };
}

/** Runs the step; on failure the step's own transaction is rolled back before the error propagates. */
export async function runStep(
  s: StepSession,
  m: MigrationSource,
  direction: Direction,
  mode: TxMode,
): Promise<void> {
  const transactional = direction === 'up' ? m.transactional : m.downTransactional;
  const { client } = s;
  if (m.layout !== 'module') {
    const sql = (direction === 'up' ? m.upSql : m.downSql) ?? '';
    if (!transactional) {
      // Must run alone: pg would wrap a multi-statement string in an implicit transaction.
      const started = startedLiteral();
      await client.query(sql);
      await client.query(stateSql(s, m, direction, started));
      return;
    }
    if (mode === 'batch') {
      await client.query(`${sql}\n;\n${stateSql(s, m, direction, 'statement_timestamp()')}`);
      return;
    }
    try {
      await client.query(`BEGIN;\n${sql}\n;\n${stateSql(s, m, direction, 'statement_timestamp()')};\nCOMMIT`);
    } catch (error) {
      await rollbackQuietly(client);
      throw error;
    }
    return;
  }
  const fn = direction === 'up' ? m.module!.up : m.module!.down!;
  if (!transactional || mode === 'batch') {
    const started = startedLiteral();
    await fn(context(s, m, direction));
    await client.query(stateSql(s, m, direction, started));
    return;
  }
  await client.query('BEGIN');
  try {
    await fn(context(s, m, direction));
    await client.query(`${stateSql(s, m, direction, 'now()')};\nCOMMIT`);
  } catch (error) {
    await rollbackQuietly(client);
    throw error;
  }
}

/** The client's clock, for steps whose state row is written in a later query than the step's start. */
function startedLiteral(): string {
  return `'${new Date().toISOString()}'::timestamptz`;
}

export async function rollbackQuietly(client: pg.Client): Promise<void> {
  await client.query('ROLLBACK').catch(() => {});
}

/** The failure event, written after the failed step was rolled back (so it survives). */
export async function recordFailure(
  s: StepSession,
  name: string,
  direction: Direction,
  message: string,
): Promise<void> {
  try {
    await s.client.query(
      insertEventSql(s.names, 'failure', name, s.who, { error: message, detail: { direction } }),
    );
  } catch (error) {
    s.log(`warning: could not record the failure event: ${(error as Error).message}`);
  }
}
