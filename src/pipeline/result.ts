/**
 * Reading what the runner printed. `stepback <command> --json` ends its stdout with one JSON line
 * (`stepback/result@1`, src/core/run-result.ts; `status --json` prints a `stepback/status@1` document). Task
 * logs and other lines may come before it, so the last line that parses as the expected format wins.
 * Validated: this is JSON that crossed a process (and often a network) boundary.
 */
import { parseStatus } from '../core/plan-schema.ts';
import { type RunnerResult, runResultReader } from '../core/run-result.ts';
import type { DatabaseStatus } from '../core/status.ts';

/** A status document, validated by the same parser `stepback plan --status` uses; undefined if it is not one. */
function asStatus(doc: unknown): DatabaseStatus | undefined {
  try {
    return parseStatus(doc);
  } catch {
    return undefined;
  }
}

function jsonLines(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      out.push(JSON.parse(trimmed));
    } catch {
      // A log line that happens to start with a brace: not ours.
    }
  }
  return out;
}

/** The last `stepback/result@1` line in the output, or undefined when there is none. */
export function parseRunnerResult(stdout: string | undefined): RunnerResult | undefined {
  if (!stdout) return undefined;
  const docs = jsonLines(stdout);
  for (let i = docs.length - 1; i >= 0; i--) {
    const parsed = runResultReader.safeParse(docs[i]);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/**
 * The database status from `status --json` output: a `stepback/status@1` document, or one carried in the
 * result line's `status` field.
 */
export function parseStatusOutput(stdout: string | undefined): DatabaseStatus | undefined {
  if (!stdout) return undefined;
  const docs = jsonLines(stdout);
  for (let i = docs.length - 1; i >= 0; i--) {
    const doc = docs[i];
    const status =
      asStatus(doc) ??
      (doc && typeof doc === 'object' && 'status' in doc
        ? asStatus((doc as { status: unknown }).status)
        : undefined);
    if (status) return status;
  }
  return undefined;
}
