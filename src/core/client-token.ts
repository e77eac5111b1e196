/**
 * RunTask's `clientToken` (ECS_Idempotency.html): at most 64 ASCII characters in 33–126, idempotent per
 * cluster for 24 h; the same token with different parameters is a ConflictException. Derived from the
 * pipeline's idempotency key so a retried step finds the task the first attempt started instead of starting
 * a second migration. Pure.
 */
import { sha256Hex } from './checksum.ts';

const CLIENT_TOKEN_MAX = 64;
/** Room kept for the `~<attempt>` suffix of capacity retries (up to `~999`). */
const BASE_MAX = CLIENT_TOKEN_MAX - 4;

function printable(text: string): boolean {
  return /^[\x21-\x7e]+$/.test(text);
}

/**
 * The token for one RunTask attempt. Attempt 1 uses the base token; later attempts (after a capacity
 * failure, which AWS may cache under the first token) add `~<n>` so they are distinct but still deterministic:
 * re-running the step walks the same sequence and lands on the task that was started.
 */
export function clientTokenFor(idempotencyKey: string, attempt = 1): string {
  let base: string;
  if (idempotencyKey.length > 0 && idempotencyKey.length <= BASE_MAX && printable(idempotencyKey)) {
    base = idempotencyKey;
  } else {
    // Keep a readable prefix and make the rest a digest, so distinct keys stay distinct.
    const prefix = idempotencyKey.replace(/[^\x21-\x7e]/g, '').slice(0, 23);
    const digest = sha256Hex(idempotencyKey).slice(0, 32);
    base = prefix ? `${prefix}-${digest}` : `sb-${digest}`;
  }
  return attempt <= 1 ? base : `${base}~${attempt}`;
}
