/**
 * The time port: every loop that waits or measures (AWS polls and back-off, the runner's lock and connect
 * retries) is written against it, so tests pass a clock that moves virtual time and no test waits on a real
 * back-off. The one real clock is `systemClock` (src/system/clock.ts).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Wait `ms`, or less when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Options every runner accepts for time and randomness (full-jitter back-off). */
export interface TimeDeps {
  clock?: Clock;
  random?: () => number;
}
