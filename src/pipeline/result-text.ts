/** The runner's error text from a result line: no schema library, for the flows' synchronous verdicts. */
import type { RunnerResult } from '../core/run-result.ts';

/** The runner's error text from a result line, whichever shape it used. */
export function resultErrorText(result: RunnerResult | undefined): string | undefined {
  if (!result?.error) return undefined;
  return typeof result.error === 'string' ? result.error : result.error.message;
}
