/**
 * Running one migration step with its state change in the same transaction, in as few round trips as is
 * safe. umzug sequences the steps (runner.ts); this is the part it leaves to us (it has no transactions and
 * logs state as a separate step). A run's consecutive SQL steps usually go several
 * per message instead (batch.ts); this path serves modules, no-transaction steps, --single-transaction and
 * rehearsal.
 *
 * Round trips per transactional SQL step: ONE. `BEGIN; <mark>; <file>; <check>; <state row>; <event>; COMMIT`
 * goes as a single parameterless simple query (the mark and check: TX_MARK, TX_CHECK below); if any statement fails, the server skips the rest and leaves the
 * transaction aborted, and we send ROLLBACK (a second trip only on failure). Values are inlined with
 * escapeLiteral (simple queries take no parameters). The file is followed by `\n;\n` so a trailing line
 * comment or a missing semicolon cannot swallow the state statements.
 */
import pg from 'pg';
import { locationAt, type SqlLocation, statements, transactionControl } from './sql-text.ts';
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

/**
 * Marks the transaction stepback opened with its start, in a transaction-local setting: a COMMIT, ROLLBACK,
 * END or ABORT inside the migration ends that transaction and the mark with it, whatever opens next.
 */
export const TX_MARK = `SELECT set_config('stepback.started', clock_timestamp()::text, true)`;

/** In the error MARKED_START raises, so the runner can tell it from the migration's own errors. */
export const TX_LOST = 'stepback: the transaction of this migration was ended inside it';

/**
 * The mark as a time, for the state row, written before the row in the same transaction: when the mark is
 * gone it fails instead (a cast of TX_LOST; the text is not a constant, so the planner cannot fold the cast
 * away and fail early), so the row is never written into some other transaction.
 */
export const MARKED_START = `coalesce(nullif(current_setting('stepback.started', true), ''),
    (coalesce(current_setting('stepback.started', true), '') || ${pg.escapeLiteral(TX_LOST)})::integer::text)::timestamptz`;

/** A statement that fails unless the transaction is still the one stepback marked. */
const TX_CHECK = `SELECT ${MARKED_START} AS stepback_guard`;

/** What opens a step's own transaction; a transactional file follows it in the same query. */
export const STEP_PREFIX = `BEGIN;\n${TX_MARK};\n`;

/** A step whose migration took over, or left behind, the transaction stepback runs it in. */
export class TransactionControlError extends Error {}

/** The server's error, or a TransactionControlError saying what it means when it is MARKED_START's. */
export function explainStepError(error: unknown, m: MigrationSource): unknown {
  const message = (error as { message?: unknown })?.message;
  if (typeof message !== 'string' || !message.includes(TX_LOST)) return error;
  return new TransactionControlError(
    `${m.name} ended the transaction stepback ran it in (a COMMIT, ROLLBACK, END or ABORT inside it, or a module ending it through ctx.client), so it was not recorded; whatever it committed itself before that stays committed`,
    { cause: error },
  );
}

function stateSql(s: StepSession, m: MigrationSource, direction: Direction, startedExpr: string): string {
  if (direction === 'up') {
    return `${insertAppliedSql(s.names, m, s.who, startedExpr)};\n${insertEventSql(s.names, 'apply', m.name, s.who)}`;
  }
  return `${deleteAppliedSql(s.names, m.name)};\n${insertEventSql(s.names, 'revert', m.name, s.who)}`;
}

/** Offset of the migration's file in the query that runs it, or undefined when it is a module. */
export function sqlOffset(m: MigrationSource, direction: Direction, mode: TxMode): number | undefined {
  if (m.layout === 'module') return undefined;
  const transactional = direction === 'up' ? m.transactional : m.downTransactional;
  return transactional && mode === 'own' ? STEP_PREFIX.length : 0;
}

/** Where in its file the server's `error` points (its `position`), for a step sent with `offset` before it. */
export function errorLocation(
  error: unknown,
  m: MigrationSource,
  direction: Direction,
  offset: number | undefined,
): SqlLocation | undefined {
  const position = Number((error as { position?: unknown })?.position);
  const sql = direction === 'up' ? m.upSql : m.downSql;
  const file = direction === 'up' ? m.upPath : m.downPath;
  if (offset === undefined || !sql || !file || !Number.isInteger(position)) return undefined;
  return locationAt(sql, position - 1 - offset, file);
}

/** Refuses a module's ctx.sql text that would control the transaction stepback runs the migration in. */
function checkModuleSql(m: MigrationSource, text: string): void {
  for (const statement of statements(text)) {
    const command = transactionControl(statement);
    if (command !== undefined)
      throw new TransactionControlError(
        `${m.name}: ctx.sql(${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text)}) runs ${command}; stepback runs each migration in a transaction of its own and records it in that same transaction, so a migration must not begin, end or configure it (export const transaction = false to run without one)`,
      );
  }
}

function context(s: StepSession, m: MigrationSource, direction: Direction): MigrationContext {
  return {
    client: s.client,
    sql: async (text, params) => {
      checkModuleSql(m, text);
      return s.client.query(text, params);
    },
    name: m.name,
    direction,
    log: s.log,
  };
}

/**
 * After a module ran: the connection must still be inside stepback's transaction (`T`), or, for a module
 * without one, outside any (`I`). The server's word, from its last ReadyForQuery.
 */
function checkModuleTransaction(s: StepSession, m: MigrationSource, transactional: boolean): void {
  const status = s.client.getTransactionStatus();
  if (transactional && status === 'I')
    throw new TransactionControlError(
      `${m.name} ended the transaction stepback ran it in (through ctx.client), so it was not recorded; whatever it committed itself stays committed`,
    );
  if (transactional && status === 'E')
    throw new TransactionControlError(
      `${m.name}: a statement inside the migration failed and its error was caught, so its transaction can only roll back; let the error propagate (or use a savepoint)`,
    );
  if (!transactional && status !== 'I')
    throw new TransactionControlError(
      `${m.name} (transaction = false) left a transaction open; it was rolled back and the migration not recorded. A module without a transaction must not begin one`,
    );
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
      await withoutTransaction(s, m, sql, () => client.query(sql));
      await client.query(stateSql(s, m, direction, started));
      return;
    }
    if (mode === 'batch') {
      await client.query(`${sql}\n;\n${TX_CHECK};\n${stateSql(s, m, direction, 'statement_timestamp()')}`);
      return;
    }
    try {
      await client.query(
        `${STEP_PREFIX}${sql}\n;\n${TX_CHECK};\n${stateSql(s, m, direction, MARKED_START)};\nCOMMIT`,
      );
    } catch (error) {
      await rollbackQuietly(client);
      throw error;
    }
    return;
  }
  const fn = direction === 'up' ? m.module!.up : m.module!.down!;
  if (!transactional) {
    const started = startedLiteral();
    await withoutTransaction(s, m, '', async () => {
      try {
        await fn(context(s, m, direction));
        checkModuleTransaction(s, m, false);
      } catch (error) {
        if (client.getTransactionStatus() !== 'I') await rollbackQuietly(client);
        throw error;
      }
    });
    await client.query(stateSql(s, m, direction, started));
    return;
  }
  if (mode === 'batch') {
    const started = startedLiteral();
    await fn(context(s, m, direction));
    checkModuleTransaction(s, m, true);
    await client.query(`${TX_CHECK};\n${stateSql(s, m, direction, started)}`);
    return;
  }
  await client.query(`BEGIN;\n${TX_MARK}`);
  try {
    await fn(context(s, m, direction));
    checkModuleTransaction(s, m, true);
    await client.query(`${TX_CHECK};\n${stateSql(s, m, direction, MARKED_START)};\nCOMMIT`);
  } catch (error) {
    await rollbackQuietly(client);
    throw error;
  }
}

/** An index PostgreSQL marks invalid (pg_index.indisvalid): a CREATE INDEX CONCURRENTLY that did not finish. */
interface InvalidIndex {
  oid: number;
  schema: string;
  name: string;
  table: string;
}

/** Every invalid index in the database's user schemas. */
export async function invalidIndexes(client: pg.Client): Promise<InvalidIndex[]> {
  const { rows } = await client.query<InvalidIndex>(
    `select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name, t.relname as table
       from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_class t on t.oid = i.indrelid
      where not i.indisvalid and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
      order by 2, 3`,
  );
  return rows;
}

/** A no-transaction step that left an invalid index behind (or found one it would skip over). */
export class InvalidIndexError extends Error {}

/**
 * Runs a step that has no transaction, then refuses to record it while it leaves an invalid index: one that
 * appeared during the step, or one its SQL names (a re-run whose `IF NOT EXISTS` skips the invalid index
 * an interrupted run left). Also when the step fails, so the failure says what it left. Two catalog reads
 * per no-transaction step; transactional steps never pay them.
 */
async function withoutTransaction(
  s: StepSession,
  m: MigrationSource,
  sql: string,
  run: () => Promise<unknown>,
): Promise<void> {
  const before = new Set((await invalidIndexes(s.client)).map((i) => i.oid));
  let failure: unknown;
  try {
    await run();
  } catch (error) {
    failure = error;
  }
  const after = await invalidIndexes(s.client).catch(() => []);
  const named = (i: InvalidIndex) =>
    new RegExp(
      `(^|[^A-Za-z0-9_$])"?${i.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?($|[^A-Za-z0-9_$])`,
      'i',
    ).test(sql);
  const left = after.filter((i) => !before.has(i.oid) || named(i));
  if (left.length === 0) {
    if (failure !== undefined) throw failure;
    return;
  }
  const list = left.map(
    (i) => `${pg.escapeIdentifier(i.schema)}.${pg.escapeIdentifier(i.name)} on ${i.table}`,
  );
  const drops = left.map(
    (i) => `DROP INDEX CONCURRENTLY ${pg.escapeIdentifier(i.schema)}.${pg.escapeIdentifier(i.name)};`,
  );
  const what =
    failure === undefined
      ? 'it is not recorded as applied'
      : `it failed (${(failure as Error)?.message ?? String(failure)})`;
  throw new InvalidIndexError(
    `${m.name} left ${left.length === 1 ? 'an invalid index' : 'invalid indexes'}: ${list.join(', ')}; ${what}. An interrupted or failed CREATE INDEX CONCURRENTLY leaves its index invalid (unused by queries, still maintained), and IF NOT EXISTS would skip it on a re-run. Fix: ${drops.join(' ')} then run again`,
    { cause: failure },
  );
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
