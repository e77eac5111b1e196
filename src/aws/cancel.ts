/**
 * Cancellation from the outside world: GitHub sends SIGINT to a cancelled step, SIGTERM 7.5 s later, and kills
 * the tree 2.5 s after that. Turning the first signal into an AbortSignal lets the
 * runners send StopTask / StopBuild with a reason inside that window; later signals are absorbed so cleanup is
 * not cut short by Node's default handler.
 */
export interface SignalAbort {
  signal: AbortSignal;
  /** Remove the handlers (call when the work is done). */
  dispose(): void;
}

export function abortOnSignals(
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
  controller: AbortController = new AbortController(),
  target: Pick<NodeJS.Process, 'on' | 'off'> = process,
): SignalAbort {
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new Error(`received ${signal}`));
  };
  for (const s of signals) target.on(s, handler);
  return {
    signal: controller.signal,
    dispose() {
      for (const s of signals) target.off(s, handler);
    },
  };
}

/** An AbortSignal that fires on either input (the request's own signal and the process signals). */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return AbortSignal.any(present);
}
