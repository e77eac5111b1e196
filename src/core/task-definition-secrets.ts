/**
 * Release records are durable and may be readable by many (a GitHub release asset on a public repository),
 * yet they keep the full task definition so a rollback can register it again. A task definition that puts a
 * secret in plain `environment` (a DATABASE_URL with its password, an API_TOKEN) must not carry that secret
 * into the record: the stored copy gets a marker instead, and registering from a copy with markers is refused
 * (it would start containers with a broken configuration). Secrets referenced through `secrets` (Secrets
 * Manager / SSM ARNs) are references, not values, and are kept as they are.
 */

export const REDACTED = 'STEPBACK-REDACTED';

/** Variable names whose values are secrets whatever they look like. */
const SECRET_NAME = /pass(word|wd)?|secret|token|api_?key|private_?key|credential/i;

type Json = Record<string, unknown>;

/** The value with its secret part replaced, or undefined when it carries none. */
function redactValue(name: string, value: string): string | undefined {
  if (SECRET_NAME.test(name)) return value === '' ? undefined : REDACTED;
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
    return changed ? url.toString() : undefined;
  } catch {
    // Not a URL; keyword DSNs (`host=… password=…`) still carry one.
    return /\bpassword\s*=/i.test(value)
      ? value.replace(/\b(password)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/gi, `$1=${REDACTED}`)
      : undefined;
  }
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
    if (!Array.isArray(container.environment)) return container;
    const environment = (container.environment as Json[]).map((entry) => {
      const name = String(entry.name ?? '');
      const value = typeof entry.value === 'string' ? redactValue(name, entry.value) : undefined;
      if (value === undefined) return entry;
      redacted.push(`container ${String(container.name ?? '?')}: environment ${name}`);
      return { ...entry, value };
    });
    return { ...container, environment };
  });
  if (redacted.length === 0) return { taskDefinition, redacted };
  return { taskDefinition: { ...taskDefinition, containerDefinitions }, redacted };
}

/** Pure: whether a stored task definition had secrets removed (and so cannot be registered as it is). */
export function hasRedactions(taskDefinition: Json): boolean {
  return JSON.stringify(taskDefinition).includes(REDACTED);
}
