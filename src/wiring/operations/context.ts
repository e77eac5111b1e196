/**
 * Validated inputs → the flows, shared by the actions (which add outputs and job summaries) and by
 * `stepback pipeline …` (which prints JSON for buildspecs); nothing under operations/ knows about
 * @actions/core. This is what every step gets from its entry point. The steps live one per file beside it
 * because the actions are bundled together: a shared build keeps a module's export when any entry uses it, so
 * one module holding every step would make every action load every flow at start.
 */
import type { Log } from '../../core/ports.ts';

export interface Context {
  log: Log;
  signal?: AbortSignal;
  /** Distinguishes pipeline attempts: a retried step in the same attempt finds the run already started. */
  idempotencyKey: (step: string, release: string) => string;
  env?: Record<string, string | undefined>;
}

export const minutes = (n: number) => n * 60_000;
