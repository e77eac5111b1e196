/**
 * Reading a rollback plan and a database status from JSON (`down --plan`, the runner's `status --json`):
 * validated at the edge, like manifests. The planner itself is rollback-plan.ts (graph-plan.ts for graph
 * engines such as Django).
 */
import * as z from 'zod';
import { CHECKSUM_PATTERN } from './checksum.ts';
import { RefusedError, UsageError } from './errors.ts';
import { appLabel, describeIssues, migrationName, releaseName } from './manifest-schema.ts';
import { PLAN_FORMAT, PLAN_FORMAT_V1, planDigest, type RollbackPlan } from './rollback-plan.ts';
import { type DatabaseStatus, STATUS_FORMAT } from './status.ts';

// ---------------------------------------------------------------------------------------------------------
// Reading plans and statuses from disk (validated at the edge, like manifests).

/** A manifest digest or a file checksum: the same `sha256:` form. */
const sha256 = z.string().regex(CHECKSUM_PATTERN, { error: 'must be "sha256:" + 64 lowercase hex' });

const planSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT, {
    error: (issue) =>
      issue.input === PLAN_FORMAT_V1
        ? `"${PLAN_FORMAT_V1}" is a plan from an earlier stepback, which carries no digest of its own, so an edit to it cannot be detected; this stepback reads "${PLAN_FORMAT}" only: make the plan again`
        : `unknown format ${JSON.stringify(issue.input)}; this stepback reads "${PLAN_FORMAT}"`,
  }),
  digest: sha256,
  from: z.strictObject({ release: releaseName(), manifestDigest: sha256 }),
  to: z.strictObject({ release: releaseName(), manifestDigest: sha256 }),
  revert: z.array(z.strictObject({ name: migrationName(), checksum: sha256, downChecksum: sha256 })),
  engine: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/)
    .optional(),
  keep: z.array(migrationName()),
  targets: z.array(z.strictObject({ app: appLabel(), migration: migrationName().nullable() })).optional(),
  squashes: z.record(migrationName(), z.array(migrationName())).optional(),
  checks: z.array(z.strictObject({ id: z.string().min(1), ok: z.boolean(), detail: z.string() })),
});

function fail(kind: string, where: string | undefined, problems: string[], hint: string): never {
  throw new UsageError(`invalid ${kind}${where ? ` (${where})` : ''}: ${problems.length} problem(s)`, {
    problems,
    hint,
  });
}

/** Validate a plan read from disk (`stepback down --plan PLAN.json`). */
export function parsePlan(json: unknown, where?: string): RollbackPlan {
  const hint = 'a plan is written by `stepback plan --out`; make a new one rather than editing it';
  const result = planSchema.safeParse(json);
  if (!result.success) fail('stepback plan', where, describeIssues(result.error.issues, json), hint);
  const plan = result.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  plan.revert.forEach((r, i) => {
    if (seen.has(r.name)) problems.push(`revert[${i}].name: duplicate "${r.name}"`);
    seen.add(r.name);
  });
  plan.keep.forEach((name, i) => {
    if (seen.has(name)) problems.push(`keep[${i}]: "${name}" is also listed to revert, or twice`);
    seen.add(name);
  });
  if (!plan.checks.every((c) => c.ok)) problems.push('checks: a plan with a failed check is not a plan');
  if (problems.length > 0) fail('stepback plan', where, problems, hint);
  // Well-formed, but is it the plan that was checked? Its digest covers everything else in it, the two
  // manifests' digests included; what the manifests imply is compared where they are at hand.
  const content = planDigest(plan);
  if (content !== plan.digest)
    throw new RefusedError(
      `refusing the rollback plan${where ? ` (${where})` : ''}: it was changed after \`stepback plan\` wrote it; nothing was changed`,
      {
        problems: [
          `the plan records digest ${plan.digest}, but its content (${plan.from.release} → ${plan.to.release}: reverts ${plan.revert.map((r) => r.name).join(', ') || 'nothing'}; keeps ${plan.keep.length} migration(s)) hashes to ${content}`,
        ],
        hint: 'make the plan again with `stepback plan` from the two releases; a plan is never edited by hand',
      },
    );
  return plan;
}

const statusSchema = z.object({
  format: z.literal(STATUS_FORMAT, {
    error: (issue) => `unknown format ${JSON.stringify(issue.input)}; this stepback reads "${STATUS_FORMAT}"`,
  }),
  schema: z.string(),
  applied: z.array(
    z.object({
      name: z.string().min(1),
      order: z.number().int(),
      checksum: z.string(),
      downChecksum: z.string().nullable(),
      reversible: z.boolean(),
      transactional: z.boolean(),
      release: z.string().nullable(),
      runId: z.string().nullable(),
      actor: z.string().nullable(),
      runnerVersion: z.string(),
      appliedAt: z.string(),
      durationMs: z.number(),
    }),
  ),
  pending: z.array(z.string()),
  unknownApplied: z.array(z.object({ name: z.string(), release: z.string().nullable() })),
  drifted: z.array(z.object({ name: z.string(), recorded: z.string(), current: z.string() })),
  outOfOrder: z.array(z.string()),
});

/** Validate `stepback status --json` output read from disk (`stepback plan --status`). */
export function parseStatus(json: unknown, where?: string): DatabaseStatus {
  const result = statusSchema.safeParse(json);
  if (!result.success)
    fail(
      'stepback status',
      where,
      describeIssues(result.error.issues, json),
      'write it with `stepback status --json` against the database being rolled back',
    );
  const status = result.data;
  const seen = new Set<string>();
  const problems: string[] = [];
  status.applied.forEach((a, i) => {
    if (seen.has(a.name)) problems.push(`applied[${i}].name: duplicate "${a.name}"`);
    seen.add(a.name);
  });
  if (problems.length > 0)
    fail('stepback status', where, problems, 'write it again with `stepback status --json`');
  return status;
}
