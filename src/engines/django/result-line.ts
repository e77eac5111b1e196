/**
 * The Django program's result line (program.ts prints it last, prefixed RESULT_PREFIX), for an executor
 * tailing the run's log: once it is there the run is done, so the end is polled for sooner.
 */
import { RESULT_PREFIX } from './program.ts';

export const isDjangoResultLine = (line: string): boolean => line.trimStart().startsWith(RESULT_PREFIX);
