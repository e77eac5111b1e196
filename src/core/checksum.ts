/**
 * Content checksums as recorded in the state table and the manifest: `sha256:<64 hex>`.
 *
 * A migration file's checksum is taken over its bytes with every CRLF line ending read as LF, so the same
 * file checked out on Windows (git's core.autocrlf) and on Linux has one checksum, and an editor that
 * rewrites line endings does not make every migration look edited. A file without a CR byte hashes exactly
 * as its bytes did before this rule, so what earlier versions recorded for it is unchanged; for a file with
 * CRLF endings they recorded the hash of the exact bytes, which `exactChecksum` keeps available so such a
 * record is still recognised (see `matchesRecorded`).
 */
import { hash } from 'node:crypto';

export const CHECKSUM_PATTERN = /^sha256:[0-9a-f]{64}$/;

// One-shot `hash` (Node ≥ 20.12): a third of createHash's cost per file, which adds up over thousands of files.
// Every sha256 stepback takes goes through these two; a string is hashed as its UTF-8 bytes.
export function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

/** The 32 digest bytes, for keys derived from them (the advisory lock's). */
export function sha256Bytes(data: Uint8Array | string): Buffer {
  return hash('sha256', data, 'buffer');
}

export function checksumOf(bytes: Uint8Array | string): string {
  return `sha256:${sha256Hex(bytes)}`;
}

export interface FileChecksums {
  /** Over the bytes with CRLF read as LF: what stepback records. */
  checksum: string;
  /** Over the exact bytes, only when they differ from the normalised ones (the file has CRLF endings). */
  exactChecksum?: string;
}

const CR = 0x0d;
const LF = 0x0a;

export function fileChecksums(bytes: Uint8Array): FileChecksums {
  const first = bytes.indexOf(CR);
  if (first === -1) return { checksum: checksumOf(bytes) };
  const normalised = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] === LF) continue;
    normalised[n++] = bytes[i]!;
  }
  // Only lone CRs (no CRLF): the bytes are their own normal form.
  if (n === bytes.length) return { checksum: checksumOf(bytes) };
  return { checksum: checksumOf(normalised.subarray(0, n)), exactChecksum: checksumOf(bytes) };
}

/** A recorded checksum names this file: the current rule's, or the exact-bytes one earlier versions used. */
export function matchesRecorded(
  recorded: string | null,
  checksum: string | null,
  exactChecksum: string | undefined,
): boolean {
  return recorded === checksum || (exactChecksum !== undefined && recorded === exactChecksum);
}
