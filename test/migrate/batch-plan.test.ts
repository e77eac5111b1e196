import { describe, expect, it } from 'vitest';
import {
  BATCH_TARGET_MS,
  MAX_BATCH_MIGRATIONS,
  nextBatchSize,
  segmentAt,
  takeBatch,
} from '../../src/migrate/batch-plan.ts';

describe('nextBatchSize', () => {
  it('doubles after a quick message, up to the cap', () => {
    expect(nextBatchSize(1, 5)).toBe(2);
    expect(nextBatchSize(32, 5)).toBe(MAX_BATCH_MIGRATIONS);
    expect(nextBatchSize(MAX_BATCH_MIGRATIONS, 5)).toBe(MAX_BATCH_MIGRATIONS);
  });
  it('holds between half the target and the target, halves above it, never below one', () => {
    expect(nextBatchSize(8, BATCH_TARGET_MS * 0.75)).toBe(8);
    expect(nextBatchSize(8, BATCH_TARGET_MS + 1)).toBe(4);
    expect(nextBatchSize(1, 60_000)).toBe(1);
  });
});

describe('takeBatch', () => {
  it('takes up to the size', () => {
    expect(takeBatch([10, 10, 10, 10], 3)).toBe(3);
    expect(takeBatch([10, 10], 8)).toBe(2);
  });
  it('stops before the character limit, but always takes the first', () => {
    expect(takeBatch([60, 50, 10], 8, 100)).toBe(1);
    expect(takeBatch([500, 10], 8, 100)).toBe(1);
    expect(takeBatch([40, 40, 40], 8, 100)).toBe(2);
  });
});

describe('segmentAt', () => {
  const starts = [0, 100, 250];
  it('maps a 1-based position to the segment holding it', () => {
    expect(segmentAt(starts, 300, 1)).toBe(0);
    expect(segmentAt(starts, 300, 100)).toBe(0);
    expect(segmentAt(starts, 300, 101)).toBe(1);
    expect(segmentAt(starts, 300, 300)).toBe(2);
  });
  it('is -1 for a missing or out-of-range position', () => {
    expect(segmentAt(starts, 300, Number.NaN)).toBe(-1);
    expect(segmentAt(starts, 300, 0)).toBe(-1);
    expect(segmentAt(starts, 300, 301)).toBe(-1);
  });
});
