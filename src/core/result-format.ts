/**
 * The format names of stepback's machine-readable documents, apart from their schemas (src/core/
 * run-result.ts) so the code that writes them does not load the schema library.
 */
export const RESULT_FORMAT = 'stepback/result@1';
