/**
 * The one grammar for the names stepback trusts: release names and migration names. Every place a name
 * enters checks it here — manifests and plans read from JSON, a migrations directory read by a layout or an
 * engine, the CLI's `--release`, the actions' inputs, the stores' keys — so a name that one part accepts is
 * never refused (or, worse, turned into a path) by another.
 *
 * Both are a single path segment of ASCII letters, digits and `. _ + -`, starting with a letter or a digit,
 * so a name can become a file name, an S3 key, a git tag or a log word as it is: no `/`, no `..`, no
 * whitespace or control characters, nothing a shell or a URL would read. Pure, no schema library.
 */

/** Release names: what the stores use as file names, object keys and git tags. */
export const RELEASE_NAME_MAX = 200;
/** Migration names: stepback `<id>_<name>`, Django `<app>.<name>`, dbmate/goose/flyway file names. */
export const MIGRATION_NAME_MAX = 255;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export const RELEASE_NAME_RULE = `letters, digits and . _ + - (starting with a letter or digit, at most ${RELEASE_NAME_MAX} characters, no "..")`;
export const MIGRATION_NAME_RULE = `letters, digits and . _ + - (starting with a letter or digit, at most ${MIGRATION_NAME_MAX} characters, no "..")`;

function segmentProblem(value: unknown, max: number, rule: string): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters (got ${value.length})`;
  if (!SEGMENT.test(value) || value.includes('..')) return `must use only ${rule}`;
  return undefined;
}

/** Why `value` is not a release name, or undefined when it is one. */
export function releaseNameProblem(value: unknown): string | undefined {
  return segmentProblem(value, RELEASE_NAME_MAX, RELEASE_NAME_RULE);
}

/** Why `value` is not a migration name, or undefined when it is one. */
export function migrationNameProblem(value: unknown): string | undefined {
  return segmentProblem(value, MIGRATION_NAME_MAX, MIGRATION_NAME_RULE);
}

/**
 * Why `value` is not an app label (a graph engine's app: Django's are Python identifiers), or undefined. Kept
 * to ASCII so a label, like a name, is safe as a log word and in the `migrate <app> <target>` it becomes.
 */
export function appLabelProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (value.length > 100) return `must be at most 100 characters (got ${value.length})`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    return 'must use only letters, digits and _ (starting with a letter or _), as a Python identifier';
  return undefined;
}

export const isReleaseName = (value: unknown): value is string => releaseNameProblem(value) === undefined;
export const isMigrationName = (value: unknown): value is string => migrationNameProblem(value) === undefined;

/**
 * A name as it may be quoted in a message: a refused name can hold a newline or be 10,000 characters long,
 * and the message must stay one readable line.
 */
export function quoteName(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return `${JSON.stringify(shown)}${value.length > max ? ` (${value.length} characters)` : ''}`;
}
