/** Reading migration files: their text and checksums (the rule is in core/checksum.ts). */
import { closeSync, openSync, readSync } from 'node:fs';
import { type FileChecksums, fileChecksums } from '../../core/checksum.ts';
import { encodingProblem } from '../sql-text.ts';

export interface SourceFile extends FileChecksums {
  path: string;
  text: string;
}

/**
 * One buffer for every read: each file is hashed and decoded before the next is read, so none needs a buffer
 * (or the fstat readFileSync makes) of its own, which adds up over thousands of small files.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** A file's text and checksums, or a problem naming it. */
export function readSourceFile(path: string, problems: string[]): SourceFile | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const grown = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(grown, 0, 0, length);
        scratch = grown;
      }
      const room = scratch.length - length;
      const n = readSync(fd, scratch, length, room, null);
      length += n;
      // A regular file reads short only at its end: no second read (a syscall per file) to see 0 bytes.
      if (n < room) break;
    }
    const bytes = scratch.subarray(0, length);
    const text = bytes.toString('utf8');
    const bad = path.endsWith('.sql') ? encodingProblem(path, bytes, text) : undefined;
    if (bad) {
      problems.push(bad);
      return undefined;
    }
    return { path, text, ...fileChecksums(bytes) };
  } catch (error) {
    problems.push(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
