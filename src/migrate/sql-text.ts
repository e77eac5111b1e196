/**
 * Just enough SQL lexing to split a file into its top-level statements the way the server (and psql) does,
 * so a file can be checked before anything runs: how many statements it holds, whether it has the
 * no-transaction marker, and whether it tries to control the transaction stepback opened for it.
 * Comments, quotes, dollar quotes and parentheses are respected, and so are the bodies of SQL-standard
 * functions (`BEGIN ATOMIC … END`), whose inner semicolons do not end the statement (psql's own rule).
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

/** One top-level statement: where it starts (a 0-based offset into the text) and its first words. */
export interface Statement {
  offset: number;
  /** Its first four words, upper-cased (fewer when it is shorter). */
  words: string[];
}

const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;

/** The file's non-empty top-level statements, in order. */
export function statements(sql: string): Statement[] {
  const out: Statement[] = [];
  const n = sql.length;
  let current: Statement | undefined;
  let parens = 0;
  // psql's heuristic: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN … END (and CASE … END within it)
  // nest, and a semicolon inside ends nothing.
  let routine = false;
  let blocks = 0;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === 45 && next === 45) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (c === 47 && next === 42) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 59 && parens === 0 && blocks === 0) {
      current = undefined;
      routine = false;
      i++;
      continue;
    }
    if (!current) {
      current = { offset: i, words: [] };
      out.push(current);
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql.charCodeAt(j))) j++;
      // A word directly followed by a quote is a string prefix (E'…', U&'…', B'…', X'…'), read below.
      if (sql.charCodeAt(j) !== 39) {
        const word = sql.slice(i, j).toUpperCase();
        const words = current.words;
        if (words.length < 4) {
          words.push(word);
          const kind = words[words.length - 1];
          if (
            words[0] === 'CREATE' &&
            (kind === 'FUNCTION' || kind === 'PROCEDURE') &&
            (words.length === 2 || (words.length === 4 && words[1] === 'OR' && words[2] === 'REPLACE'))
          )
            routine = true;
        } else if (routine && parens === 0) {
          if (word === 'BEGIN') blocks++;
          else if (word === 'CASE' && blocks > 0) blocks++;
          else if (word === 'END' && blocks > 0) blocks--;
        }
        i = j;
        continue;
      }
      i = j;
    }
    if (c === 40) parens++;
    else if (c === 41 && parens > 0) parens--;
    const q = sql.charCodeAt(i);
    if (q === 39 || q === 34) {
      const backslashes = q === 39 && (sql.charCodeAt(i - 1) === 69 || sql.charCodeAt(i - 1) === 101);
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (backslashes && d === 92) {
          i += 2;
          continue;
        }
        if (d === q) {
          if (sql.charCodeAt(i + 1) === q) {
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
    if (q === 36) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        continue;
      }
    }
    i++;
  }
  return out;
}

/** Number of non-empty top-level statements. */
export function countStatements(sql: string): number {
  return statements(sql).length;
}

/**
 * What a statement would do to the transaction stepback runs the migration in, when it controls it: the
 * name of the command, or undefined. Savepoints stay inside that transaction and are allowed.
 */
export function transactionControl(statement: Statement): string | undefined {
  const [a, b, c] = statement.words;
  switch (a) {
    case 'BEGIN':
    case 'COMMIT':
    case 'END':
    case 'ABORT':
      return b === 'PREPARED' ? `${a} PREPARED` : a;
    case 'ROLLBACK':
      // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] x stays inside the transaction.
      if (b === 'TO' || c === 'TO') return undefined;
      return b === 'PREPARED' ? 'ROLLBACK PREPARED' : 'ROLLBACK';
    case 'START':
      return b === 'TRANSACTION' ? 'START TRANSACTION' : undefined;
    case 'PREPARE':
      return b === 'TRANSACTION' ? 'PREPARE TRANSACTION' : undefined;
    case 'SET':
      if (b === 'TRANSACTION') return 'SET TRANSACTION';
      if (b === 'SESSION' && c === 'CHARACTERISTICS') return 'SET SESSION CHARACTERISTICS';
      return undefined;
    default:
      return undefined;
  }
}

/** A place in a file: 1-based line and column, and that line's text (trimmed, at most 160 characters). */
export interface SqlLocation {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** The location of the 0-based character `index` in `sql`; undefined when outside it. */
export function locationAt(sql: string, index: number, file: string): SqlLocation | undefined {
  if (!Number.isInteger(index) || index < 0 || index > sql.length) return undefined;
  let line = 1;
  for (let i = sql.indexOf('\n'); i !== -1 && i < index; i = sql.indexOf('\n', i + 1)) line++;
  const lineStart = sql.lastIndexOf('\n', index - 1) + 1;
  const lineEnd = sql.indexOf('\n', lineStart);
  const text = sql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
  return {
    file,
    line,
    column: index - lineStart + 1,
    text: text.length > 160 ? `${text.slice(0, 157)}…` : text,
  };
}

/** `file:line:col: the line` */
export function describeLocation(at: SqlLocation): string {
  return `${at.file}:${at.line}:${at.column}: ${at.text}`;
}

const place = (at: SqlLocation) => `${at.file}:${at.line}:${at.column} ("${at.text}")`;

/**
 * Every problem of one SQL migration step (a file, or a section of one: `where` says which), each naming
 * it and, where it applies, line and column: it holds no statement (unless `mayBeEmpty`), it controls the
 * transaction stepback runs it in, or it runs outside one (`marker`, the layout's no-transaction marker)
 * with more than one statement.
 */
export function sqlFileProblems(
  where: string,
  sql: string,
  options: { transactional: boolean; marker?: string; mayBeEmpty?: boolean },
): string[] {
  const { transactional, marker = 'stepback:no-transaction', mayBeEmpty = false } = options;
  const found = statements(sql);
  const problems: string[] = [];
  if (found.length === 0 && !mayBeEmpty) {
    problems.push(
      `${where}: holds no SQL statement (only blanks and comments); a migration that does nothing is a mistake: write its SQL, or delete the file (a missing down file marks the migration irreversible)`,
    );
  }
  for (const statement of found) {
    const command = transactionControl(statement);
    if (command === undefined) continue;
    const at = locationAt(sql, statement.offset, where)!;
    problems.push(
      transactional
        ? `${place(at)}: ${command} inside a migration; stepback runs each migration in a transaction of its own and records it in that same transaction, so the migration must not begin, end or configure it (remove it; to run without a transaction, mark it ${marker} and keep one statement)`
        : `${place(at)}: ${command} in a no-transaction migration; it runs as one statement outside any transaction, so transaction control has nothing to act on (remove it)`,
    );
  }
  if (!transactional && found.length > 1) {
    problems.push(
      `${where}: marked ${marker} but holds ${found.length} statements; PostgreSQL runs several statements sent together in one implicit transaction, which CREATE INDEX CONCURRENTLY and the like refuse. hint: split it into several migrations, one statement each`,
    );
  }
  return problems;
}

/**
 * Bytes PostgreSQL would refuse or the runner would change: a NUL byte, or text that is not UTF-8 (decoding
 * would write U+FFFD into the database instead of failing as psql does). The problem names the byte offset.
 */
export function encodingProblem(path: string, bytes: Uint8Array, text: string): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return `${path}: holds a NUL byte at byte offset ${nul}; SQL text cannot contain one`;
  if (!text.includes('\uFFFD')) return undefined;
  const bad = invalidUtf8Offset(bytes);
  return bad === -1
    ? undefined
    : `${path}: is not valid UTF-8 (byte offset ${bad}); save it as UTF-8, the encoding the runner sends`;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cont = bytes[i + k];
      if (cont === undefined || (cont & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cont & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
