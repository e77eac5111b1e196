import type { Manifest } from '../../src/core/release-manifest.ts';
import { manifest } from '../core/helpers.ts';

export function release(name: string, migrations = ['0001_users', '0002_orders']): Manifest {
  return manifest(name, migrations);
}

/** A sleep that records the waits and returns at once. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}
