/** The `stepback/result@1` document (up, down, resolve): what `--json` prints and the API returns. */
import { ExitCode } from '../core/errors.ts';
import { RESULT_FORMAT } from '../core/result-format.ts';
import type { RunResult } from '../core/run-result.ts';

export type { RunResult, StepTiming } from '../core/run-result.ts';
export { RESULT_FORMAT };

/** A run's document before any step: ok, nothing applied or reverted. The runner and each engine fill it in. */
export function emptyResult(
  command: RunResult['command'],
  who: { release: string | null; runId: string | null },
): RunResult {
  return {
    format: RESULT_FORMAT,
    command,
    ok: true,
    exitCode: ExitCode.ok,
    release: who.release,
    runId: who.runId,
    applied: [],
    reverted: [],
    failed: null,
    error: null,
  };
}
