/**
 * Keeping secrets out of output. Every connection target that reaches a log, error or summary goes through
 * redactUrl; free text that may echo a secret (driver errors, child output) goes through redactSecrets.
 */

const MASK = '***';

/**
 * A connection string with its password replaced by `***`. Handles URLs (`postgres://u:p@h/db`), libpq
 * keyword DSNs (`host=h password=p`), `?password=` query parameters, and garbage (never throws; when the
 * input cannot be understood, anything after a `:` up to an `@` is masked).
 */
export function redactUrl(url: string): string {
  const text = String(url ?? '');
  let out = text;
  try {
    const parsed = new URL(text);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^(password|pass|pwd|sslpassword)$/i.test(key)) parsed.searchParams.set(key, MASK);
    }
    out = parsed.toString().replace(encodeURIComponent(MASK), MASK).replaceAll('%2A%2A%2A', MASK);
  } catch {
    // Not a URL: fall through to the textual rules below.
    out = text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@\s]*@/i, `$1:${MASK}@`);
  }
  // Anything left that looks like `user:secret@host` (unparseable or scheme-less strings).
  out = out.replace(/(^|[\s/])([^:@\s/]*):([^@\s/]+)@/g, `$1$2:${MASK}@`);
  // libpq keyword form: password=secret or password='sec ret'
  out = out.replace(/\b(password|sslpassword)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/gi, `$1=${MASK}`);
  return out;
}

/** Replace every occurrence of each non-empty secret (and its URL-encoded form) with `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined | null)[]): string {
  let out = String(text ?? '');
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first so a secret containing another is masked whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form.length > 0) out = out.split(form).join(MASK);
  }
  return out;
}

/** The password inside a connection string (URL or keyword DSN), if any, for redactSecrets. */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const fromQuery = parsed.searchParams.get('password');
    if (parsed.password) return decodeURIComponent(parsed.password);
    if (fromQuery) return fromQuery;
  } catch {
    // keyword DSN below
  }
  const match = /\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/i.exec(url);
  if (!match?.[1]) return undefined;
  const raw = match[1];
  return raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
}
