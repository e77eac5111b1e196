/** The `stepback/result@1` document (up, down, resolve): what `--json` prints and the API returns. */
export { emptyResult } from '../core/empty-result.ts';
export { RESULT_FORMAT } from '../core/result-format.ts';
export type { RunResult, StepTiming } from '../core/run-result.ts';
