/**
 * Release records are durable and may be readable by many (a GitHub release asset on a public repository),
 * yet they keep the full task definition so a rollback can register it again. A task definition that puts a
 * secret in plain `environment` (a DATABASE_URL with its password, an API_TOKEN) must not carry that secret
 * into the record: the stored copy gets a marker instead, and registering from a copy with markers is refused
 * (it would start containers with a broken configuration). Secrets referenced through `secrets` (Secrets
 * Manager / SSM ARNs) are references, not values, and are kept as they are.
 */

import { passwordOf } from './redact.ts';

export const REDACTED = 'STEPBACK-REDACTED';

/** Variable names whose values are secrets whatever they look like. */
const SECRET_NAME = /pass(word|wd)?|secret|token|api_?key|private_?key|credential/i;

type Json = Record<string, unknown>;

/** The value with its secret part replaced, or undefined when it carries none. */
function redactValue(name: string, value: string): string | undefined {
  if (SECRET_NAME.test(name)) return value === '' ? undefined : REDACTED;
  return redactText(value);
}

/**
 * Any text (an environment value, a `command` word) with the secrets of a connection string in it replaced:
 * a URL's password, a secret-named query parameter, a malformed URL's (`user:secret@host`,
 * `postgres:/user:secret@host`: the same reading as core/redact.ts's passwordOf), `password=` keywords and
 * `PGPASSWORD=` assignments. Undefined when there is none.
 */
function redactText(value: string): string | undefined {
  let out = value;
  try {
    const url = new URL(value);
    let changed = false;
    if (url.password) {
      url.password = REDACTED;
      changed = true;
    }
    for (const key of [...url.searchParams.keys()]) {
      if (SECRET_NAME.test(key)) {
        url.searchParams.set(key, REDACTED);
        changed = true;
      }
    }
    if (changed) out = url.toString();
  } catch {
    // Not a URL; the textual forms below still apply.
  }
  if (out === value) {
    const password = passwordOf(value);
    if (password)
      for (const form of [password, encodeURIComponent(password)]) out = out.split(form).join(REDACTED);
  }
  // A connection string inside longer text (`sh -c "… --database-url postgres://u:p@h/db"`).
  out = out.replace(
    /(^|[\s/='"])([^:@\s/'"]*):([^@\s/'"]+)@/g,
    (match, lead: string, user: string, secret: string) =>
      secret === REDACTED ? match : `${lead}${user}:${REDACTED}@`,
  );
  out = out.replace(
    /(\b[A-Za-z_]*pass(?:word|wd)\b)\s*=\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;'"]+)/gi,
    (match, key: string, secret: string) => (secret === REDACTED ? match : `${key}=${REDACTED}`),
  );
  return out === value ? undefined : out;
}

/**
 * Pure: a copy of a RegisterTaskDefinition input without plain-text secrets, and where each one was
 * (`container app: environment DATABASE_URL`), for the warning that tells the team to move them to `secrets`.
 */
export function redactTaskDefinition(taskDefinition: Json): { taskDefinition: Json; redacted: string[] } {
  const redacted: string[] = [];
  const containers = Array.isArray(taskDefinition.containerDefinitions)
    ? (taskDefinition.containerDefinitions as Json[])
    : [];
  const containerDefinitions = containers.map((container) => {
    const where = `container ${String(container.name ?? '?')}`;
    let copy = container;
    if (Array.isArray(container.environment)) {
      const environment = (container.environment as Json[]).map((entry) => {
        const name = String(entry.name ?? '');
        const value = typeof entry.value === 'string' ? redactValue(name, entry.value) : undefined;
        if (value === undefined) return entry;
        redacted.push(`${where}: environment ${name}`);
        return { ...entry, value };
      });
      copy = { ...copy, environment };
    }
    // A command or entry point can carry a connection string too (`--database-url postgres://u:p@h/db`).
    for (const field of ['command', 'entryPoint'] as const) {
      const words = container[field];
      if (!Array.isArray(words)) continue;
      let changed = false;
      const safe = words.map((word: unknown, i: number) => {
        const value = typeof word === 'string' ? redactText(word) : undefined;
        if (value === undefined) return word;
        changed = true;
        redacted.push(`${where}: ${field}[${i}]`);
        return value;
      });
      if (changed) copy = { ...copy, [field]: safe };
    }
    return copy;
  });
  if (redacted.length === 0) return { taskDefinition, redacted };
  return { taskDefinition: { ...taskDefinition, containerDefinitions }, redacted };
}

/** Pure: whether a stored task definition had secrets removed (and so cannot be registered as it is). */
export function hasRedactions(taskDefinition: Json): boolean {
  return JSON.stringify(taskDefinition).includes(REDACTED);
}
