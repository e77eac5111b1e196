/**
 * Pure decisions for sending several migrations in one simple-query message (batch.ts): how many to put in
 * the next message, and which migration a server error position falls in.
 */

/** At most this many migrations per message, and at most this much SQL (one larger migration goes alone). */
export const MAX_BATCH_MIGRATIONS = 64;
export const MAX_BATCH_CHARS = 1 << 20;
/**
 * A batch's progress lines are printed when its message returns, so batches grow only while they return
 * quickly: lines are then at most about this late. A slow message shrinks the next one.
 */
export const BATCH_TARGET_MS = 250;

/** The size of the next message after one of `size` migrations took `elapsedMs`. */
export function nextBatchSize(size: number, elapsedMs: number): number {
  if (elapsedMs <= BATCH_TARGET_MS / 2) return Math.min(size * 2, MAX_BATCH_MIGRATIONS);
  if (elapsedMs > BATCH_TARGET_MS) return Math.max(1, Math.floor(size / 2));
  return size;
}

/**
 * How many of `lengths` (SQL characters of consecutive batchable migrations) go in the next message: up to
 * `size`, never past `maxChars` except that the first always goes.
 */
export function takeBatch(lengths: readonly number[], size: number, maxChars = MAX_BATCH_CHARS): number {
  let chars = 0;
  let n = 0;
  for (const length of lengths) {
    if (n >= size || (n > 0 && chars + length > maxChars)) break;
    chars += length;
    n++;
  }
  return n;
}

/**
 * The segment holding a 1-based character `position` of the message, given each segment's start offset
 * (0-based, ascending); -1 when the position is missing or outside the message.
 */
export function segmentAt(starts: readonly number[], messageLength: number, position: number): number {
  const index = position - 1;
  if (!Number.isInteger(index) || index < 0 || index >= messageLength) return -1;
  let found = -1;
  for (let i = 0; i < starts.length && starts[i]! <= index; i++) found = i;
  return found;
}
