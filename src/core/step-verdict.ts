/**
 * How a pipeline step ends, the same for the GitHub Actions and `stepback pipeline …`: a flow's outcome,
 * reduced to this verdict, becomes one typed error (its class, exit code and problems), or none when the
 * step succeeded. Exit codes keep the scheme of src/core/errors.ts: a code outside it (a container killed
 * with 137) is a failed run, 1.
 */
import {
  ExitCode,
  LockTimeoutError,
  MigrationFailedError,
  NotReportedError,
  RefusedError,
  type StepbackError,
  UsageError,
} from './errors.ts';

export interface StepVerdict {
  ok: boolean;
  /** The run's exit code; null when it never reported one. */
  exitCode: number | null;
  /** What happened, in words: the error's message when the step fails. */
  message: string;
  /** Every reason, when there are several (a refusal's checks). */
  problems?: string[];
  /** The migration that failed, when one did. */
  migration?: string;
}

/** The error a step that did not succeed ends with; undefined when it succeeded. */
export function verdictError(verdict: StepVerdict): StepbackError | undefined {
  if (verdict.ok) return undefined;
  const options = verdict.problems && verdict.problems.length > 0 ? { problems: verdict.problems } : {};
  switch (verdict.exitCode) {
    case ExitCode.usage:
      return new UsageError(verdict.message, options);
    case ExitCode.refused:
      return new RefusedError(verdict.message, options);
    case ExitCode.lockTimeout:
      return new LockTimeoutError(verdict.message, options);
    case ExitCode.notReported:
      return new NotReportedError(verdict.message, options);
    default:
      return new MigrationFailedError(verdict.migration ?? '', verdict.message, options);
  }
}
