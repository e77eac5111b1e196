/**
 * Just enough SQL lexing to count top-level statements and find the no-transaction marker. A
 * non-transactional migration must be one statement: pg runs a multi-statement string as one implicit
 * transaction, which `CREATE INDEX CONCURRENTLY` and friends refuse.
 */

export const NO_TRANSACTION_MARKER = /--\s*stepback:no-transaction\b/i;

/** True when the marker appears among the file's leading comment/blank lines (the first 10 lines at most). */
export function hasNoTransactionMarker(sql: string): boolean {
  // Only the leading lines matter: never split a whole (possibly large) file.
  let start = 0;
  for (let n = 0; n < 10 && start <= sql.length; n++) {
    const end = sql.indexOf('\n', start);
    const trimmed = sql.slice(start, end === -1 ? sql.length : end).trim();
    start = end === -1 ? sql.length + 1 : end + 1;
    if (NO_TRANSACTION_MARKER.test(trimmed)) return true;
    if (trimmed !== '' && !trimmed.startsWith('--')) return false;
  }
  return false;
}

/** Number of non-empty top-level statements (comments, quotes and dollar quotes respected). */
export function countStatements(sql: string): number {
  let count = 0;
  let hasContent = false;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (c === ';') {
      if (hasContent) count++;
      hasContent = false;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    hasContent = true;
    if (c === "'" || c === '"') {
      const escapes = c === "'" && (sql[i - 1] === 'E' || sql[i - 1] === 'e');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') {
          i += 2;
          continue;
        }
        if (sql[i] === c) {
          if (sql[i + 1] === c) {
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      i++;
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        continue;
      }
    }
    i++;
  }
  if (hasContent) count++;
  return count;
}
