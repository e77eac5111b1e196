/** Shared pieces of the AWS simulation: errors in AWS's JSON shape, ids, the clock, canonical JSON. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Faults, ImageSpec } from './faults.ts';
import type { LogsSim } from './logs.ts';

/** An AWS error response: `{"__type": type, "message": ...}` with an HTTP status the SDK classifies correctly. */
export class SimError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

export function hexId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

export function uuid(): string {
  return randomUUID();
}

/** AWS JSON 1.1 timestamps are epoch seconds (fractions allowed). */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Order-independent JSON, for comparing RunTask parameters under one clientToken. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as JsonObject)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function str(input: JsonObject, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

export function required(input: JsonObject, key: string, type = 'InvalidParameterException'): string {
  const v = str(input, key);
  if (v === undefined || v === '') throw new SimError(type, `${key} is required`);
  return v;
}

/**
 * The simulation's time. `manual`: virtual milliseconds that move only when a test calls advance(), so a
 * six-second poll costs nothing. `real`: the wall clock, for action bundles running as separate processes.
 */
export class SimClock {
  private virtual: number;
  constructor(
    readonly mode: 'manual' | 'real',
    start: number,
  ) {
    this.virtual = start;
  }
  now(): number {
    return this.mode === 'real' ? Date.now() : this.virtual;
  }
  /** Move virtual time forward (in real mode this does nothing: time moves by itself). */
  advanceBy(ms: number): void {
    if (this.mode === 'manual') this.virtual += Math.max(0, ms);
  }
}

export interface SimTimings {
  /** RunTask → PENDING. */
  provisioningMs: number;
  /** PENDING → RUNNING (image pull). */
  pendingMs: number;
  /** How long a scripted (not process-backed) container runs, unless its image script says otherwise. */
  runMs: number;
  /** StopTask → STOPPED for a scripted task. */
  stopMs: number;
  /**
   * Container exit → task STOPPED (Fargate's DEACTIVATING/STOPPING/DEPROVISIONING; the container already shows
   * STOPPED with its exit code, the task DEPROVISIONING). 0 = at once.
   */
  deprovisionMs: number;
  /** UpdateService → the new deployment COMPLETED. */
  deployMs: number;
  /** A desired-count change → running count reaches it. */
  scaleMs: number;
  /** CodeBuild QUEUED + PROVISIONING, before the build's logs exist. */
  buildQueueMs: number;
  buildProvisionMs: number;
}

/** What the ECS and CodeBuild simulations share: the account, the clock, faults, logs, images and secrets. */
export interface ServiceSimOptions {
  region: string;
  accountId: string;
  now: () => number;
  timings: SimTimings;
  faults: Faults;
  logs: LogsSim;
  images: Map<string, ImageSpec>;
  secrets: Map<string, string>;
}

export const DEFAULT_TIMINGS: SimTimings = {
  provisioningMs: 2_000,
  pendingMs: 3_000,
  runMs: 5_000,
  stopMs: 1_000,
  deprovisionMs: 0,
  deployMs: 20_000,
  scaleMs: 10_000,
  buildQueueMs: 1_000,
  buildProvisionMs: 3_000,
};
