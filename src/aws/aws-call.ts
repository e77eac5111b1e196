/**
 * One AWS call with our error policy: throttling and transient faults are retried
 * with full-jitter back-off on the injected clock; AccessDenied and expired/invalid credentials fail at once
 * with a message naming the operation (never the silent "waiter timed out" of the SDK waiters).
 */
import { accessHint, classifyAwsError, fullJitterDelay, isRetryable } from '../core/aws-errors.ts';
import type { Clock, TimeDeps } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import type { Log } from '../core/ports.ts';
import { systemClock } from '../system/clock.ts';

export interface CallContext {
  clock: Clock;
  log: Log;
  random: () => number;
  /** Aborting stops retrying (the call in flight still completes). */
  signal?: AbortSignal;
  /** Absolute time (clock.now()) after which no retry is started. */
  deadline?: number;
}

/**
 * The context every AWS loop shares: injected time (tests never wait), jittered retries, and an optional
 * deadline and cancellation that stop retrying.
 */
export function callContext(
  log: Log,
  deps: TimeDeps,
  limits: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): CallContext {
  const clock = deps.clock ?? systemClock;
  return {
    clock,
    log,
    random: deps.random ?? Math.random,
    ...(limits.timeoutMs !== undefined ? { deadline: clock.now() + limits.timeoutMs } : {}),
    ...(limits.signal ? { signal: limits.signal } : {}),
  };
}

/** The role or the session cannot do this: retrying cannot help (exit 2, with a hint). */
export class AwsAccessError extends UsageError {
  constructor(
    readonly operation: string,
    readonly kind: 'access' | 'credentials',
    cause: unknown,
  ) {
    const e = cause as { name?: string; message?: string };
    super(`AWS refused ${operation}: ${e.name ?? 'Error'}: ${e.message ?? String(cause)}`, {
      hint: accessHint(kind, operation),
      cause,
    });
  }
}

/** The pipeline gave up (cancellation): thrown out of retry loops so the caller can clean up. */
export class AbortedError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'AbortedError';
  }
}

export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e && typeof e === 'object' && e.message)
    return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(error);
}

const BASE_MS = 1_000;
const CAP_MS = 30_000;

export async function awsCall<T>(
  operation: string,
  fn: () => Promise<T>,
  ctx: CallContext,
  options: { maxRetries?: number } = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 8;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const kind = classifyAwsError(error);
      if (kind === 'access' || kind === 'credentials') throw new AwsAccessError(operation, kind, error);
      if (!isRetryable(kind) || attempt >= maxRetries) throw error;
      const delay = Math.max(1, fullJitterDelay(attempt, BASE_MS, CAP_MS, ctx.random));
      if (ctx.deadline !== undefined && ctx.clock.now() + delay > ctx.deadline) throw error;
      if (ctx.signal?.aborted) throw error;
      ctx.log.warn(
        `${operation}: ${kind === 'throttling' ? 'throttled' : 'transient error'} (${errorText(error)}); retrying in ${(
          delay / 1000
        ).toFixed(1)} s`,
      );
      await ctx.clock.sleep(delay, ctx.signal);
    }
  }
}
