/**
 * What every action's run() shares: secrets masked first, inputs parsed once, progress into the step log,
 * and a single `core.setFailed` at the top for whatever went wrong.
 */
import * as core from '@actions/core';
import { abortOnSignals } from '../aws/cancel.ts';
import { describeError, StepbackError } from '../core/errors.ts';
import type { Log } from '../core/ports.ts';
import { passwordOf } from '../core/redact.ts';
import { type ActionInputs, type ActionName, parseInputs, SECRET_INPUTS } from '../wiring/inputs.ts';

export function coreLog(): Log {
  return {
    info: (m) => core.info(m),
    warn: (m) => core.warning(m),
    error: (m) => core.error(m),
    group: (title, fn) => core.group(title, fn),
  };
}

/** The exact input names, read like the runner passes them (`INPUT_<NAME>`, hyphens kept). */
const getInput = (name: string) => core.getInput(name);

function maskSecrets(): void {
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (!value) continue;
    core.setSecret(value);
    // The password alone can show up in a driver error even when the URL does not.
    const password = name === 'database-url' ? passwordOf(value) : undefined;
    if (password) core.setSecret(password);
  }
}

export async function runAction<N extends ActionName>(
  name: N,
  body: (inputs: ActionInputs<N>, log: Log, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  // A cancelled step gets SIGINT, then SIGTERM: abort so the run in flight is stopped with a reason.
  const cancel = abortOnSignals();
  try {
    maskSecrets();
    const inputs = parseInputs(name, getInput);
    await body(inputs, coreLog(), cancel.signal);
  } catch (error) {
    core.setFailed(describeError(error));
    // setFailed sets exitCode 1; keep the stepback exit code (3 refused, 4 lock, …) for wrappers that read it.
    if (error instanceof StepbackError) process.exitCode = error.exitCode;
  } finally {
    cancel.dispose();
  }
}

export function ms(duration: number): string {
  return duration < 1000 ? `${Math.round(duration)} ms` : `${(duration / 1000).toFixed(1)} s`;
}

/** Write and flush the summary, never failing the step because the summary file is missing. */
export async function flushSummary(): Promise<void> {
  try {
    await core.summary.write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${describeError(error)}`);
    core.summary.emptyBuffer();
  }
}
