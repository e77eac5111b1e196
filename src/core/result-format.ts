/**
 * The format names of stepback's machine-readable documents, apart from their schemas (src/core/
 * run-result.ts) so the code that writes them does not load the schema library.
 */
export const RESULT_FORMAT = 'stepback/result@1';

/**
 * A line of output that is the stepback CLI's one-line `--json` result (key order is not a contract, so look
 * anywhere in a JSON-looking line). An executor following a run's log polls faster once it has seen the line
 * that means the run is done; each engine says which line that is (RemoteEngine.isResultLine), this is
 * stepback's own.
 */
export const RESULT_LINE = new RegExp(`^\\s*\\{.*"format":"${RESULT_FORMAT.replace('/', '\\/')}"`);

export const isStepbackResultLine = (line: string): boolean => RESULT_LINE.test(line);
