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

/**
 * The password inside a connection string, if any, for redactSecrets: a URL's (`postgres://u:p@h/db`), a
 * `?password=` parameter, a libpq keyword string's (`password=p`), or, for a malformed URL (no scheme,
 * `//u:p@h`, `postgres:/u:p@h`), whatever sits between the user's colon and the last `@` before the host.
 * Known to the redactor even when the string is refused, so no message about it can carry the secret.
 */
export function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const fromQuery = parsed.searchParams.get('password');
    if (parsed.password) return decodeURIComponent(parsed.password);
    if (fromQuery) return fromQuery;
    // A URL with a host has told all it holds; one without (`user:p@h`, `postgres:/u:p@h`) is malformed.
    if (parsed.host !== '') return undefined;
  } catch {
    // keyword DSN or malformed URL below
  }
  const match = /\bpassword\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)/i.exec(url);
  if (match?.[1]) {
    const raw = match[1];
    return raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  // Userinfo of a malformed URL: [scheme:][//…]user:secret@host — the secret may itself hold `@` or `:`.
  const userinfo = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/*[^:/@\s]*:([^\s]*)@[^@]*$/i.exec(url);
  if (userinfo?.[1]) return safeDecode(userinfo[1]);
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Every secret a connection may be made with, from the URL and the environment libpq's variables set (the
 * driver reads PGPASSWORD when the URL has no password). Passfile entries: connect.ts passfileSecrets.
 */
export function connectionSecrets(
  url: string | undefined,
  env: Record<string, string | undefined>,
): string[] {
  const found = [passwordOf(url), passwordOf(env.DATABASE_URL), env.PGPASSWORD];
  return [...new Set(found.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}
