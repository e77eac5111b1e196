/**
 * Applying (or reverting) a run of SQL migrations several per round trip, each still in its own transaction.
 *
 * One simple-query message carries consecutive migrations as segments
 *   BEGIN; SELECT <mark>[, <no flush wait>]; <file> ; EXECUTE <checked state row and event>; COMMIT;
 * (the state statements are prepared once per session, state.ts prepareStateSql; the mark and its check are
 * execute.ts TX_MARK and MARKED_START: a file that ends the transaction fails the check, so its row is never
 * written and the server skips the rest of the message).
 * The server runs them in order and stops at the first error: everything after it in the message is skipped,
 * so a failed migration never lets a later one run, and the segments before it are committed exactly as if
 * each had been sent alone. Which ones committed is then read back from the state table (authoritative), and
 * the failure is attributed to the first one that did not (a syntax error elsewhere in the message stops the
 * whole message before anything runs: then the rest goes one migration per message, which names it exactly).
 *
 * Durability: a segment commits without waiting for its WAL flush, except the run's last migration, whose
 * synchronous commit flushes the WAL up to it, and with it every earlier commit (WAL is flushed in order).
 * So when a run reports success everything it applied is durable, as with a flush per migration; if the
 * server itself crashes mid-run, the last few migrations can be lost, each together with its own state row
 * (never one without the other), and the run has already failed (its connection died): run it again. A
 * failed run's failure event is written with a synchronous commit, which flushes the same way.
 *
 * Module and no-transaction migrations are never batched; they run alone through runStep (execute.ts).
 */
import pg from 'pg';
import { nextBatchSize, segmentAt, takeBatch } from './batch-plan.ts';
import {
  type Direction,
  errorLocation,
  explainStepError,
  MARKED_START,
  rollbackQuietly,
  runStep,
  type StepSession,
  sqlOffset,
  TX_MARK,
  type TxMode,
} from './execute.ts';
import type { SqlLocation } from './sql-text.ts';
import { appliedValues, prepareStateSql, revertedValues } from './state.ts';
import type { MigrationSource } from './types.ts';

/** A failed step and how long it ran before failing. */
export class StepFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly ms: number,
    /** Where in the migration's file the server stopped, when it says. */
    readonly location?: SqlLocation,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

/** Runs one step (any kind) and resolves its duration in ms, or rejects with a StepFailure. */
export type StepExecutor = (m: MigrationSource) => Promise<number>;

// Each segment opens with one statement that marks its transaction (execute.ts TX_MARK: the start time, in a
// transaction-local setting the state statements check, so a migration that ends the transaction is caught
// before its row is written) and, unless it is the run's last, turns off the wait for the WAL flush.
// A reverting segment's duration is the time from the previous segment's end (stepback_reverted's
// `stepback_at`): nothing records when it started.
const NO_FLUSH_WAIT = `, set_config('synchronous_commit', 'off', true)`;

/** Sessions that hold the state statements prepared (prepareStateSql), so a run prepares them once. */
const prepared = new WeakSet<pg.Client>();

function batchable(m: MigrationSource, direction: Direction): boolean {
  if (m.layout === 'module') return false;
  return direction === 'up' ? m.transactional : m.downTransactional;
}

function sqlOf(m: MigrationSource, direction: Direction): string {
  return (direction === 'up' ? m.upSql : m.downSql) ?? '';
}

function segment(
  s: Pick<StepSession, 'who'>,
  m: MigrationSource,
  direction: Direction,
  durable: boolean,
): string {
  const state =
    direction === 'up'
      ? `EXECUTE stepback_applied(${appliedValues(m, s.who).join(', ')})`
      : `EXECUTE stepback_reverted(${revertedValues(m.name, s.who).join(', ')})`;
  return `${segmentHeader(durable)}${sqlOf(m, direction)}\n;\n${state};\nCOMMIT;\n`;
}

/** What precedes the migration's file in its segment. */
function segmentHeader(durable: boolean): string {
  return `BEGIN;\n${TX_MARK}${durable ? '' : NO_FLUSH_WAIT};\n`;
}

/**
 * The message for `group`: each migration a segment of its own transaction; `starts` are the segments'
 * offsets. Only the segment of `lastName` (the run's last migration) commits synchronously.
 */
export function batchMessage(
  s: Pick<StepSession, 'who'>,
  group: readonly MigrationSource[],
  direction: Direction,
  lastName: string | undefined,
): { text: string; starts: number[]; files: number[] } {
  const starts: number[] = [];
  const files: number[] = [];
  let text = '';
  for (const m of group) {
    const durable = m.name === lastName;
    starts.push(text.length);
    files.push(text.length + segmentHeader(durable).length);
    text += segment(s, m, direction, durable);
  }
  return { text, starts, files };
}

/** One message on its way: sent, or queued in the client behind the one the server is running. */
interface Message {
  group: MigrationSource[];
  text: string;
  starts: number[];
  /** Where each migration's file begins in `text`. */
  files: number[];
  /** Durations the server returned, by migration name (rows arrive before a later error, too). */
  ms: Map<string, number>;
  /** `ran`; `skipped` when its turn came after a failure; rejects with the server's error. */
  outcome: Promise<'ran' | 'skipped'>;
  /** From its submission to the end of its reply. */
  elapsedMs: number;
}

/**
 * A query that is submitted only if `proceed()` still says so when its turn comes. pg submits a queued query
 * synchronously on the previous one's ReadyForQuery, which follows that query's ErrorResponse, whose 'error'
 * listener has run by then: so a message queued behind a failed one goes out as an empty query (a no-op the
 * server answers even inside an aborted transaction) and nothing in it runs.
 */
function guardedQuery(text: string, proceed: () => boolean): pg.Query & { skipped: boolean } {
  const query = Object.assign(new pg.Query(text), { skipped: false });
  const submit = query.submit.bind(query);
  query.submit = (connection) => {
    if (!proceed()) {
      query.skipped = true;
      (query as unknown as { text: string }).text = '';
    }
    return submit(connection);
  };
  return query;
}

/** Names of `group` whose step committed, read from the state table. */
async function committedNames(
  s: StepSession,
  group: readonly MigrationSource[],
  direction: Direction,
): Promise<Set<string>> {
  const names = group.map((m) => m.name);
  const { rows } = await s.client.query<{ name: string }>(
    `select name from ${s.names.migrations} where name = any($1::text[])`,
    [names],
  );
  const recorded = new Set(rows.map((r) => r.name));
  return new Set(names.filter((n) => (direction === 'up' ? recorded.has(n) : !recorded.has(n))));
}

/** One step on its own (execute.ts runStep), timed: resolves its ms, or rejects with a StepFailure. */
export async function timedStep(
  s: StepSession,
  m: MigrationSource,
  direction: Direction,
  mode: TxMode,
): Promise<number> {
  const t0 = performance.now();
  try {
    await runStep(s, m, direction, mode);
  } catch (error) {
    throw new StepFailure(
      explainStepError(error, m),
      Math.round(performance.now() - t0),
      errorLocation(error, m, direction, sqlOffset(m, direction, mode)),
    );
  }
  return Math.round(performance.now() - t0);
}

/**
 * The executor for a run of `order` (the migrations the run will step through, in order, in `direction`),
 * each in its own transaction. Called once per migration, in order; the first call of a message sends it,
 * the others return what it found. One more message is always queued behind the one the server runs, so
 * the server never waits for the client between messages; it goes out only if the one before succeeded.
 */
export function batchedSteps(
  s: StepSession,
  order: readonly MigrationSource[],
  direction: Direction,
): StepExecutor {
  const position = new Map(order.map((m, i) => [m.name, i]));
  const lastName = order.at(-1)?.name;
  const done = new Map<string, number>();
  const failed = new Map<string, StepFailure>();
  const messages = new Map<string, Message>();
  let size = 1;
  // Set synchronously by a failed message's error listener; cleared once that failure has been handled.
  let stopped = false;

  /** Queues the message starting at `order[from]`; undefined when that migration cannot be batched. */
  const launch = (from: number): Message | undefined => {
    const candidates: MigrationSource[] = [];
    for (let i = from; i < order.length && candidates.length < size && batchable(order[i]!, direction); i++)
      candidates.push(order[i]!);
    if (candidates.length === 0) return undefined;
    const n = takeBatch(
      candidates.map((c) => sqlOf(c, direction).length),
      size,
    );
    const group = candidates.slice(0, n);
    const { text, starts, files } = batchMessage(s, group, direction, lastName);
    let submittedAt = 0;
    const query = guardedQuery(text, () => {
      if (stopped) return false;
      submittedAt = performance.now();
      if (group.length > 1) {
        s.log(
          `sending ${group.length} migrations in one message, each in its own transaction: ${group[0]!.name} … ${group.at(-1)!.name}`,
        );
      }
      return true;
    });
    const message: Message = { group, text, starts, files, ms: new Map(), outcome: undefined!, elapsedMs: 0 };
    let lastAt = 0;
    query.on('row', (row: Record<string, unknown>) => {
      if (typeof row.stepback_step !== 'string') return;
      if (row.stepback_at === undefined) message.ms.set(row.stepback_step, Number(row.stepback_ms));
      else {
        const at = Number(row.stepback_at);
        message.ms.set(row.stepback_step, Math.round(at - lastAt));
        lastAt = at;
      }
    });
    message.outcome = new Promise((resolve, reject) => {
      query.on('end', () => {
        message.elapsedMs = performance.now() - submittedAt;
        resolve(query.skipped ? 'skipped' : 'ran');
      });
      query.on('error', (error) => {
        stopped = true;
        message.elapsedMs = performance.now() - submittedAt;
        reject(error);
      });
    });
    // Awaited by the step that meets it; a message nobody reaches must not become an unhandled rejection.
    message.outcome.catch(() => {});
    for (const g of group) messages.set(g.name, message);
    s.client.query(query);
    return message;
  };

  /** After a failed message: what committed (from the state table), and who is to blame. */
  const settleFailure = async (message: Message, error: unknown): Promise<void> => {
    const { group, text, starts, files, ms } = message;
    // The message queued behind this one goes out (as an empty query) once this one's reply ends: wait for
    // it, so the ROLLBACK is the only query left to send (pg warns when a query is queued behind another).
    await Promise.allSettled([...new Set(messages.values())].map((queued) => queued.outcome));
    await rollbackQuietly(s.client);
    let committed: Set<string>;
    try {
      committed = await committedNames(s, group, direction);
    } catch {
      // The connection is gone: nothing here can say which committed. The failure is the message's; the
      // runner re-reads what committed from a fresh connection.
      failed.set(group[0]!.name, new StepFailure(explainStepError(error, group[0]!), Number.NaN));
      return;
    }
    let k = 0;
    while (k < group.length && committed.has(group[k]!.name)) k++;
    for (const g of group.slice(0, k)) done.set(g.name, ms.get(g.name) ?? 0);
    if (k < group.length) {
      const at = segmentAt(starts, text.length, Number((error as { position?: string }).position));
      if (at === -1 || at === k) {
        const before = group.slice(0, k).reduce((sum, g) => sum + (ms.get(g.name) ?? 0), 0);
        const m = group[k]!;
        failed.set(
          m.name,
          new StepFailure(
            explainStepError(error, m),
            Math.round(Math.max(0, message.elapsedMs - before)),
            errorLocation(error, m, direction, files[k]),
          ),
        );
      }
      // Otherwise the message never ran (a syntax error in segment `at`): the rest goes one at a time.
    }
    size = 1;
    stopped = false;
  };

  return async function step(m) {
    for (;;) {
      const known = done.get(m.name);
      if (known !== undefined) return known;
      const failure = failed.get(m.name);
      if (failure) throw failure;
      if (!batchable(m, direction)) return timedStep(s, m, direction, 'own');
      if (!prepared.has(s.client)) {
        await s.client.query(prepareStateSql(s.names, MARKED_START));
        prepared.add(s.client);
      }
      const message = messages.get(m.name) ?? launch(position.get(m.name)!)!;
      const next = position.get(message.group.at(-1)!.name)! + 1;
      if (next < order.length && !messages.has(order[next]!.name)) launch(next);
      let outcome: 'ran' | 'skipped';
      try {
        outcome = await message.outcome;
      } catch (error) {
        for (const g of message.group) messages.delete(g.name);
        await settleFailure(message, error);
        continue;
      }
      for (const g of message.group) messages.delete(g.name);
      if (outcome === 'ran') {
        for (const g of message.group) done.set(g.name, message.ms.get(g.name) ?? 0);
        size = nextBatchSize(message.group.length, message.elapsedMs);
      }
      // Skipped (queued behind a failure): nothing ran; the loop sends it again if the run gets this far.
    }
  };
}
