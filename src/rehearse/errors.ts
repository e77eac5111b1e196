/**
 * Turning a failed step into a StepError that says where PostgreSQL stopped: the file, line and column of
 * the SQL it points at (its `position` is a 1-based character offset into the query text it was sent).
 */
import { relative } from 'node:path';
import { STEP_PREFIX } from '../migrate/execute.ts';
import { locationAt } from '../migrate/sql-text.ts';
import type { SqlErrorLocation, StepError } from './types.ts';

/**
 * What the runner sends before a transactional SQL file in the same query (src/migrate/execute.ts), so
 * positions in such a file are shifted by it; a non-transactional file is sent alone.
 */
export const RUNNER_TRANSACTION_PREFIX = STEP_PREFIX;

interface PgErrorFields {
  message?: unknown;
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  where?: unknown;
  position?: unknown;
}

/** Line/column in `sql` for a 1-based character `position` into `prefix + sql`; undefined when outside. */
export function locateInSql(
  sql: string,
  position: number,
  prefixLength: number,
  file: string,
): SqlErrorLocation | undefined {
  return locationAt(sql, position - 1 - prefixLength, file);
}

export interface StepErrorContext {
  step: StepError['step'];
  /** The SQL text of the step, when it is a SQL file (not a module). */
  sql?: string | null;
  /** Absolute path of that file. */
  path?: string | null;
  /** How many characters of the query sent precede the file (the runner's prefix; execute.ts sqlOffset). */
  offset?: number;
  dir: string;
  redact: (text: string) => string;
}

export function toStepError(error: unknown, context: StepErrorContext): StepError {
  const e = (error ?? {}) as PgErrorFields;
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? context.redact(value) : undefined;
  const out: StepError = {
    step: context.step,
    message: text(e.message) ?? context.redact(String(error)),
  };
  const code = text(e.code);
  if (code && /^[0-9A-Z]{5}$/.test(code)) out.code = code;
  const detail = text(e.detail);
  if (detail) out.detail = detail;
  const hint = text(e.hint);
  if (hint) out.hint = hint;
  const where = text(e.where);
  if (where) out.where = where;
  const position = typeof e.position === 'string' ? Number.parseInt(e.position, 10) : Number.NaN;
  if (context.sql && context.path && Number.isFinite(position)) {
    const location = locateInSql(
      context.sql,
      position,
      context.offset ?? 0,
      relative(context.dir, context.path),
    );
    if (location) out.location = location;
  }
  return out;
}

/** `syntax error at or near "EXPRESSION" (42601) at 0007_x.down.sql:3:27: alter table …` */
export function describeStepError(error: StepError): string {
  const parts = [error.message];
  if (error.code) parts[0] += ` (${error.code})`;
  if (error.location) {
    parts.push(
      `at ${error.location.file}:${error.location.line}:${error.location.column}: ${error.location.text}`,
    );
  }
  if (error.where) parts.push(`where: ${error.where.split('\n')[0]}`);
  return parts.join(' ');
}
