/**
 * Injected time for the AWS loops: tests pass a clock that moves the simulation's virtual time, so a six-second
 * poll costs nothing and no test waits on real back-off.
 */
export interface Clock {
  now(): number;
  /** Wait `ms`, or less when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

/** Options every runner accepts for time and randomness (full-jitter back-off). */
export interface TimeDeps {
  clock?: Clock;
  random?: () => number;
}
