/**
 * `--out FILE` for the commands that write a document (`manifest`, `plan`): a file in a directory that does
 * not exist is the caller's mistake (exit 2, naming the directory), found before any work is done, never a
 * failed write reported as a failed migration.
 */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.ts';

/** Throws the usage error for an `--out` whose directory is missing or not a directory. */
export function checkOutFile(out: string, flag = '--out'): void {
  const dir = dirname(out);
  if (!existsSync(dir))
    throw new UsageError(`${flag} ${out}: the directory ${dir} does not exist`, {
      hint: `create ${dir} first, or write the file somewhere that exists`,
    });
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${out}: ${dir} is not a directory`);
}

/** Writes `text` to `out` whole or not at all (a reader never sees half a document). */
export function writeOutFile(out: string, text: string | Uint8Array, flag = '--out'): void {
  checkOutFile(out, flag);
  const temp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, out);
  } catch (error) {
    throw new UsageError(
      `${flag} ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
