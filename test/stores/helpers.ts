import type { Clock } from '../../src/core/clock.ts';
import type { Manifest } from '../../src/core/release-manifest.ts';
import { manifest } from '../core/helpers.ts';

export function release(name: string, migrations = ['0001_users', '0002_orders']): Manifest {
  return manifest(name, migrations);
}

/** A clock whose sleep records the waits and returns at once; it reads `now` (default: the wall clock). */
export function recordingClock(now?: Date): { clock: Clock; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    clock: { now: () => now?.getTime() ?? Date.now(), sleep: async (ms) => void waits.push(ms) },
  };
}
