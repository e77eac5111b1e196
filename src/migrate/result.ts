/** The `stepback/result@1` document (up, down, resolve): what `--json` prints and the API returns. */
import type { ExitCode } from '../core/errors.ts';

export const RESULT_FORMAT = 'stepback/result@1';

export interface StepTiming {
  name: string;
  durationMs: number;
}

export interface RunResult {
  format: typeof RESULT_FORMAT;
  command: 'up' | 'down' | 'resolve';
  ok: boolean;
  exitCode: ExitCode;
  release: string | null;
  runId: string | null;
  applied: StepTiming[];
  reverted: StepTiming[];
  failed: { name: string; message: string } | null;
  error: string | null;
  /** up --release: the recorded schema fingerprint; down --plan: the verification against the target release. */
  verification?: unknown;
}
