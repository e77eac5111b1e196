/**
 * Reading a release manifest from JSON, either format: the schema every stored or handed-in manifest is
 * validated against before anything trusts it, and the messages that name each bad field. The manifest's
 * shape, how it is built and its digest are in release-manifest.ts, which needs no schema library.
 */
import * as z from 'zod';
import { CHECKSUM_PATTERN } from './checksum.ts';
import { UsageError } from './errors.ts';
import { appLabelProblem, migrationNameProblem, quoteName, releaseNameProblem } from './names.ts';
import type { Manifest, ManifestMigration } from './release-manifest.ts';
import { MANIFEST_FORMAT, MANIFEST_FORMAT_V1 } from './release-manifest.ts';

// ---------------------------------------------------------------------------------------------------------
// Validation on read; the digest is in release-manifest.ts.

const checksumMessage = 'must be "sha256:" followed by 64 lowercase hex digits';
/** At most this many problems are listed; a shuffled 10,000-entry manifest should not print 10,000 lines. */
const MAX_PROBLEMS = 50;

/** A string that passes one of the name rules of names.ts; the message quotes the refused name. */
function named(problem: (value: unknown) => string | undefined, what: string) {
  return z.string({ error: 'must be a string' }).refine((v) => problem(v) === undefined, {
    error: (issue) => {
      const input = String(issue.input);
      return input === '' ? 'must not be empty' : `${quoteName(input)} is not ${what}: it ${problem(input)}`;
    },
  });
}
/** Every migration name a manifest or a plan holds: names become file names and log words. */
export const migrationName = () => named(migrationNameProblem, 'a migration name');
/** A release name: it becomes a store key, a file name and a git tag. */
export const releaseName = () => named(releaseNameProblem, 'a release name');
/** A graph engine's app label (Django's `shop`), as targets name it. */
export const appLabel = () => named(appLabelProblem, 'an app label');

const migrationV1Fields = {
  name: migrationName(),
  checksum: z.string({ error: 'must be a string' }).regex(CHECKSUM_PATTERN, { error: checksumMessage }),
  downChecksum: z
    .string({ error: `must be null or a string` })
    .regex(CHECKSUM_PATTERN, { error: `${checksumMessage} (or null when irreversible)` })
    .nullable(),
  reversible: z.boolean({ error: 'must be true or false' }),
  transactional: z.boolean({ error: 'must be true or false' }),
};
const names = z.array(migrationName(), {
  error: 'must be an array of migration names',
});
const migrationV1Schema = z.strictObject(migrationV1Fields);
const migrationV2Schema = z.strictObject({
  ...migrationV1Fields,
  dependencies: names.optional(),
  replaces: names.optional(),
});

const commonFields = {
  release: releaseName(),
  createdAt: z.iso.datetime({ error: 'must be an ISO 8601 UTC timestamp like 2026-11-21T10:00:00Z' }),
  source: z
    .strictObject({
      repository: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
      commit: z
        .string({ error: 'must be a string' })
        .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, { error: 'must be a full lowercase hex commit id' }),
    })
    .optional(),
  image: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  taskDefinitionArn: z
    .string({ error: 'must be a string' })
    .regex(/^arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\/.+$/, { error: 'must be an ECS task definition ARN' })
    .optional(),
  taskDefinition: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
  sourceBundle: z
    .string({ error: 'must be a string' })
    .regex(CHECKSUM_PATTERN, { error: checksumMessage })
    .optional(),
};

const formatError = (issue: { input: unknown }): string =>
  `unknown format ${JSON.stringify(issue.input)}; this stepback reads "${MANIFEST_FORMAT}" and "${MANIFEST_FORMAT_V1}"`;

const manifestV1Schema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT_V1, { error: formatError }),
  ...commonFields,
  migrations: z.array(migrationV1Schema, { error: 'must be an array' }),
});

const manifestV2Schema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT, { error: formatError }),
  engine: z
    .string({ error: 'must be a string' })
    .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'must be an engine name like "stepback" or "django"' }),
  ...commonFields,
  migrations: z.array(migrationV2Schema, { error: 'must be an array' }),
  targets: z
    .record(appLabel(), migrationName(), {
      // zod reports a bad key as "Invalid key in record"; say what is wrong with it, as for every name.
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `${quoteName(String(issue.input))} is not an app label: it ${appLabelProblem(issue.input)}`
          : 'must be an object of app → leaf migration',
    })
    .optional(),
});

/** The schema for the document's own format; an unknown or missing one is reported by format 2's. */
function schemaFor(json: unknown): typeof manifestV1Schema | typeof manifestV2Schema {
  const format =
    json !== null && typeof json === 'object' ? (json as { format?: unknown }).format : undefined;
  return format === MANIFEST_FORMAT_V1 ? manifestV1Schema : manifestV2Schema;
}

/** `['migrations', 3, 'checksum']` → `migrations[3].checksum`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    // A key that is no plain word (an app label with a newline, say) is quoted, so the path stays one line.
    else if (!/^[A-Za-z0-9_$.-]+$/.test(String(key))) out += `[${quoteName(String(key), 40)}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(document)' : out;
}

/** Whether `path` names a member that exists in `input` (zod's issues do not carry the input). */
function isPresent(input: unknown, path: readonly PropertyKey[]): boolean {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return false;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at !== undefined;
}

/** One line per zod issue, `path: message`; unknown keys are named one by one; absent fields say so. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${formatIssuePath([...issue.path, key])}: unknown field`);
    } else if (issue.path.length > 0 && !isPresent(input, issue.path)) {
      problems.push(`${formatIssuePath(issue.path)}: is missing`);
    } else {
      problems.push(`${formatIssuePath(issue.path)}: ${issue.message}`);
    }
  }
  return problems;
}

/**
 * Problems zod cannot see: order (format 1: by name; graph engines: every dependency listed earlier),
 * duplicates, squashes whose replaced migrations are listed too, and the downChecksum/reversible pairing.
 */
function crossFieldProblems(migrations: readonly ManifestMigration[], nameOrder: boolean): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  let previous: string | undefined;
  for (let i = 0; i < migrations.length; i++) {
    const m = migrations[i]!;
    const seen = firstIndex.get(m.name);
    for (const dependency of m.dependencies ?? [])
      if (!firstIndex.has(dependency))
        problems.push(
          `migrations[${i}].dependencies: ${dependency} is not listed before ${m.name}; migrations are listed in apply order`,
        );
    if (seen !== undefined) {
      problems.push(`migrations[${i}].name: duplicate name "${m.name}" (also migrations[${seen}])`);
    } else {
      firstIndex.set(m.name, i);
      if (nameOrder && previous !== undefined && m.name < previous)
        problems.push(
          `migrations[${i}].name: "${m.name}" is out of order (after "${previous}"); migrations must be listed in name order`,
        );
    }
    previous = m.name;
    if (m.reversible && m.downChecksum === null)
      problems.push(`migrations[${i}].downChecksum: is null but the migration is marked reversible`);
    if (!m.reversible && m.downChecksum !== null)
      problems.push(`migrations[${i}].downChecksum: must be null because the migration is not reversible`);
  }
  migrations.forEach((m, i) => {
    for (const replaced of m.replaces ?? [])
      if (firstIndex.has(replaced))
        problems.push(
          `migrations[${i}].replaces: ${replaced} is listed as a migration too; a squash stands in for the migrations it replaces`,
        );
  });
  return problems;
}

function targetProblems(manifest: Manifest): string[] {
  const listed = new Set(manifest.migrations.map((m) => m.name));
  return Object.entries(manifest.targets ?? {})
    .filter(([, leaf]) => !listed.has(leaf))
    .map(([app, leaf]) => `targets.${app}: ${leaf} is not one of the manifest's migrations`);
}

/**
 * Only format 1 is held to name order: every version wrote it so. Format 2 stepback manifests list the
 * directory's apply order (numeric ids by value; dbmate's file-name order), which only the directory knows;
 * a rollback whose order is not the database's is refused when it is carried out (reconcilePlan).
 */
function inNameOrder(json: unknown): boolean {
  const format =
    json !== null && typeof json === 'object' ? (json as { format?: unknown }).format : undefined;
  return format === MANIFEST_FORMAT_V1;
}

/**
 * Validate a manifest read from disk or the network. Every problem is reported together in one UsageError,
 * each naming its field (`migrations[3].checksum: …`). `where` names the source (a file, a store location).
 */
export function parseManifest(json: unknown, where?: string): Manifest {
  const schema = schemaFor(json);
  const nameOrder = inNameOrder(json);
  const result = schema.safeParse(json);
  const problems = result.success
    ? [...crossFieldProblems(result.data.migrations, nameOrder), ...targetProblems(result.data as Manifest)]
    : describeIssues(result.error.issues, json);
  if (!result.success && json !== null && typeof json === 'object') {
    // Order/duplicate problems are worth reporting even when a field elsewhere is bad.
    const migrations = (json as { migrations?: unknown }).migrations;
    if (Array.isArray(migrations))
      problems.push(
        ...crossFieldProblemsLoose(
          migrations,
          schema === manifestV1Schema ? migrationV1Schema : migrationV2Schema,
          nameOrder,
        ),
      );
  }
  if (problems.length === 0 && result.success) return result.data as Manifest;
  const shown =
    problems.length > MAX_PROBLEMS
      ? [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`]
      : problems;
  throw new UsageError(
    `invalid stepback manifest${where ? ` (${where})` : ''}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
    {
      problems: shown,
      hint: `a manifest is written by \`stepback manifest\`; regenerate it from the release's migrations rather than editing it`,
    },
  );
}

/** crossFieldProblems for entries that did not all pass the schema: only the well-typed ones are compared. */
function crossFieldProblemsLoose(
  entries: readonly unknown[],
  migrationSchema: typeof migrationV1Schema | typeof migrationV2Schema,
  nameOrder: boolean,
): string[] {
  const typed: ManifestMigration[] = [];
  const indexes: number[] = [];
  entries.forEach((entry, i) => {
    const parsed = migrationSchema.safeParse(entry);
    if (parsed.success) {
      // A dependency on an entry that failed the schema is not "missing": leave dependencies to the full pass.
      typed.push({ ...parsed.data, dependencies: undefined });
      indexes.push(i);
    }
  });
  // Re-number the problems to the original indexes.
  return crossFieldProblems(typed, nameOrder).map((p) =>
    p.replace(/migrations\[(\d+)\]/g, (_, n: string) => `migrations[${indexes[Number(n)]}]`),
  );
}
