/**
 * Typed errors carrying the CLI exit code (README "Exit codes"). Libraries throw these; only the outermost driver
 * (CLI main, action run()) turns one into an exit code or a failed step, once.
 */
export const ExitCode = {
  ok: 0,
  migrationFailed: 1,
  usage: 2,
  refused: 3,
  lockTimeout: 4,
  /** The run printed no stepback result: stepback never started (or was stopped before it could report). */
  notReported: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface StepbackErrorOptions {
  /** What the operator should do next. */
  hint?: string;
  /** Every individual problem, when there are several (all input problems are reported together). */
  problems?: string[];
  cause?: unknown;
}

export class StepbackError extends Error {
  readonly hint: string | undefined;
  readonly problems: string[];
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options: StepbackErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }
}

/** Bad usage or configuration: exit 2. */
export class UsageError extends StepbackError {
  constructor(message: string, options?: StepbackErrorOptions) {
    super(message, ExitCode.usage, options);
  }
}

/** A safety check refused the operation before anything changed: exit 3. */
export class RefusedError extends StepbackError {
  constructor(message: string, options?: StepbackErrorOptions) {
    super(message, ExitCode.refused, options);
  }
}

/** A migration failed; everything before it stays applied and it is rolled back: exit 1. */
export class MigrationFailedError extends StepbackError {
  constructor(
    readonly migration: string,
    message: string,
    options?: StepbackErrorOptions,
  ) {
    super(message, ExitCode.migrationFailed, options);
  }
}

/** The database lock was not acquired in time: exit 4. */
export class LockTimeoutError extends StepbackError {
  constructor(message: string, options?: StepbackErrorOptions) {
    super(message, ExitCode.lockTimeout, options);
  }
}

/**
 * A migration run ended without stepback's result line: the command never started stepback (not installed,
 * a wrong runner command, an image entry point that swallowed the command) or it was stopped first: exit 5.
 */
export class NotReportedError extends StepbackError {
  constructor(message: string, options?: StepbackErrorOptions) {
    super(message, ExitCode.notReported, options);
  }
}

/** One readable line (plus problems and hint) for any thrown value, never `[object Object]`. */
export function describeError(error: unknown): string {
  if (error instanceof StepbackError) {
    const lines = [error.message, ...error.problems.map((p) => `  - ${p}`)];
    if (error.hint) lines.push(`hint: ${error.hint}`);
    return lines.join('\n');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
