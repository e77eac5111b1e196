/**
 * Turning a failed step into a StepError that says where PostgreSQL stopped: the file, line and column of
 * the SQL it points at (its `position` is a 1-based character offset into the query text it was sent).
 */
import { relative } from 'node:path';
import type { SqlErrorLocation, StepError } from './types.ts';

/**
 * The runner sends a transactional SQL step as `BEGIN;\n<file>\n;\n<state rows>;\nCOMMIT` in one query
 * (src/migrate/execute.ts), so positions in a transactional file are shifted by this prefix; a
 * non-transactional file is sent alone.
 */
export const RUNNER_TRANSACTION_PREFIX = 'BEGIN;\n';

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
  const index = position - 1 - prefixLength;
  if (!Number.isInteger(index) || index < 0 || index > sql.length) return undefined;
  const before = sql.slice(0, index);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const text = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
  return {
    file,
    line,
    column: index - lineStart + 1,
    text: text.length > 160 ? `${text.slice(0, 157)}…` : text,
  };
}

export interface StepErrorContext {
  step: StepError['step'];
  /** The SQL text of the step, when it is a SQL file (not a module). */
  sql?: string | null;
  /** Absolute path of that file. */
  path?: string | null;
  /** Whether the runner wrapped the file in its transaction prefix. */
  transactional?: boolean;
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
    const prefix = context.transactional ? RUNNER_TRANSACTION_PREFIX.length : 0;
    const location = locateInSql(context.sql, position, prefix, relative(context.dir, context.path));
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
