/** Content checksums as recorded in the state table and the manifest: `sha256:<64 hex>` of the exact bytes. */
import { createHash } from 'node:crypto';

export const CHECKSUM_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function checksumOf(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
