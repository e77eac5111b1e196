/**
 * A run's `stepback/result@1` document before any step: ok, nothing applied or reverted. The runner and each
 * engine (in-process or run in the release's image) start from it and fill it in. Apart from the schema
 * (run-result.ts) so a writer does not load the schema library.
 */
import { ExitCode } from './errors.ts';
import { RESULT_FORMAT } from './result-format.ts';
import type { RunResult } from './run-result.ts';

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
