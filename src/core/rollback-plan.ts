/**
 * Planning a rollback: the pure decisions (which migrations to revert, the checks that prove it safe) and
 * the reconciliation the runner does before `down --plan`. No schema library, so the actions' rollback path
 * and the runner can use it without evaluating zod; reading plans and statuses from JSON is plan-schema.ts.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';
import { type Manifest, type ManifestMigration, manifestDigest } from './release-manifest.ts';
import type { AppliedMigration, DatabaseStatus } from './status.ts';

/** Format 2 carries `digest`, the plan's own content digest; format 1 plans (no digest) are refused. */
export const PLAN_FORMAT = 'stepback/plan@2';
export const PLAN_FORMAT_V1 = 'stepback/plan@1';

export interface PlannedRevert {
  name: string;
  /** Up checksum, to match the database row. */
  checksum: string;
  /** Down checksum the newer image's file must have. */
  downChecksum: string;
}

export interface PlanCheck {
  /** Stable id, e.g. `older-is-prefix`, `reversible`, `database-matches`. */
  id: string;
  ok: boolean;
  detail: string;
}

/** A plan as the planners decide it, before sealPlan binds it with its digest. */
export interface PlanBody {
  format: typeof PLAN_FORMAT;
  /** The engine that carries it out; absent: stepback's own (graph-plan.ts writes it for graph engines). */
  engine?: string;
  from: { release: string; manifestDigest: string };
  to: { release: string; manifestDigest: string };
  /** Newest applied first: the order the downs run in. */
  revert: PlannedRevert[];
  /** Migrations that stay applied (the older manifest), in apply order. */
  keep: string[];
  /** Graph engines: each app's target, in the order handed to the engine (graph-plan.ts). */
  targets?: { app: string; migration: string | null }[];
  /** Graph engines: the newer release's squashes and the migrations each replaces. */
  squashes?: Record<string, string[]>;
  checks: PlanCheck[];
}

/**
 * A plan bound to what it was made from: `from`/`to` name the two manifests by digest, and `digest` is
 * `sha256:` of the canonical JSON of everything else, so an edit after `stepback plan` wrote it (a kept
 * migration moved into `revert`, a release renamed) is detected wherever the plan is read (plan-schema.ts),
 * and checked against the manifests themselves wherever they are at hand (planBindingProblems).
 */
export interface RollbackPlan extends PlanBody {
  digest: string;
}

export type PlanResult =
  | { ok: true; plan: RollbackPlan }
  | { ok: false; reasons: string[]; checks: PlanCheck[] };

export interface PlanInput {
  newer: Manifest;
  older: Manifest;
  status?: DatabaseStatus;
}

export type ReconcileResult =
  | { ok: true; remaining: PlannedRevert[]; alreadyReverted: string[] }
  | { ok: false; reasons: string[] };

/** `sha256:` of the plan's canonical JSON without its own `digest`. */
export function planDigest(plan: PlanBody): string {
  const { digest: _digest, ...body } = plan as PlanBody & { digest?: string };
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/** The plan with its content digest: what every planner returns. */
export function sealPlan(plan: PlanBody): RollbackPlan {
  const { digest: _digest, ...body } = plan as PlanBody & { digest?: string };
  return { ...body, digest: planDigest(body) };
}

/**
 * What differs between a plan and the plan its two manifests imply (`implied`: the engine's planner run on
 * them, without the database's status): the manifests' digests, the set of migrations to revert and the
 * set kept, the graph targets. Order is not compared (a plan made with the database's status follows the
 * database's apply order). Empty when the plan is the manifests' plan. Pure.
 */
export function planBindingProblems(
  plan: PlanBody,
  manifests: { newer: Manifest; older: Manifest },
  implied: PlanResult,
): string[] {
  const problems: string[] = [];
  const { newer, older } = manifests;
  for (const [side, manifest] of [
    ['from', newer],
    ['to', older],
  ] as const) {
    const recorded = plan[side];
    const digest = manifestDigest(manifest);
    if (manifest.release !== recorded.release || digest !== recorded.manifestDigest)
      problems.push(
        `the plan's ${side} is ${recorded.release} (${recorded.manifestDigest}), but the manifest at hand is ${manifest.release} (${digest})`,
      );
  }
  if (problems.length > 0) return problems;
  if (!implied.ok)
    return [
      `the manifests of ${newer.release} and ${older.release} give no plan: ${implied.reasons.join('; ')}`,
    ];
  const want = implied.plan;
  const reverted = new Set(plan.revert.map((r) => r.name));
  const kept = new Set(plan.keep);
  const wantReverted = new Map(want.revert.map((r) => [r.name, r]));
  const wantKept = new Set(want.keep);
  for (const r of plan.revert) {
    const expected = wantReverted.get(r.name);
    if (!expected)
      problems.push(
        wantKept.has(r.name)
          ? `the plan reverts ${r.name}, which ${older.release} keeps`
          : `the plan reverts ${r.name}, which ${newer.release}'s manifest does not have`,
      );
    else if (expected.checksum !== r.checksum || expected.downChecksum !== r.downChecksum)
      problems.push(
        `the plan's checksums for ${r.name} (${r.checksum}, down ${r.downChecksum}) are not ${newer.release}'s (${expected.checksum}, down ${expected.downChecksum})`,
      );
  }
  for (const name of wantReverted.keys())
    if (!reverted.has(name))
      problems.push(
        kept.has(name)
          ? `the plan keeps ${name}, which ${older.release} does not have: it must be reverted`
          : `the plan does not revert ${name}, which ${newer.release} has and ${older.release} does not`,
      );
  for (const name of plan.keep)
    if (!wantKept.has(name) && !wantReverted.has(name))
      problems.push(`the plan keeps ${name}, which neither manifest lists as kept`);
  for (const name of wantKept)
    if (!kept.has(name) && !reverted.has(name))
      problems.push(`the plan does not keep ${name}, which ${older.release} has`);
  const targets = (t: PlanBody['targets']) =>
    JSON.stringify([...(t ?? [])].map((x) => `${x.app}:${x.migration ?? ''}`).sort());
  if (targets(plan.targets) !== targets(want.targets))
    problems.push(`the plan's targets are not the ones ${newer.release} and ${older.release} give`);
  if ((plan.engine ?? undefined) !== (want.engine ?? undefined))
    problems.push(
      `the plan is for engine ${plan.engine ?? 'stepback'}, its manifests for ${want.engine ?? 'stepback'}`,
    );
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// The planner.
//
// Model: the migrations to revert are `newer − older` (the older manifest must be contained in the newer one
// with equal checksums). A rollback across several releases (N → N−3) needs only the newest manifest: image N
// contains every earlier migration's down. A database the plan may act on holds, in apply order, every kept
// migration followed by some of the migrations to revert — all of them (release N is live) or the earliest
// ones (a half-done rollback: downs run newest first, so what is left is always a prefix).

/** Where the applied migrations stand against a keep set and a revert list (apply order). Pure. */
function matchApplied(
  keep: ReadonlySet<string>,
  toRevertInApplyOrder: readonly string[],
  applied: readonly Pick<AppliedMigration, 'name'>[],
  labels: { newer: string; older: string },
  /** Also require the database's apply order of the revert segment to be the list's own order. */
  exactOrder = false,
): { problems: string[]; appliedToRevert: string[] } {
  const problems: string[] = [];
  const revertIndex = new Map(toRevertInApplyOrder.map((name, i) => [name, i]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const missingKeep = [...keep].filter((name) => !appliedNames.has(name));
  if (missingKeep.length > 0)
    problems.push(
      `the database does not have ${list(missingKeep)} applied, which ${labels.older} needs: it is behind the target release, not at ${labels.newer}`,
    );
  const appliedToRevert: string[] = [];
  let firstRevertApplied: string | undefined;
  for (const row of applied) {
    if (keep.has(row.name)) {
      if (firstRevertApplied !== undefined)
        problems.push(
          `${row.name} (kept by ${labels.older}) was applied after ${firstRevertApplied} (to be reverted): the database's history is not ${labels.older} followed by ${labels.newer}`,
        );
    } else if (revertIndex.has(row.name)) {
      firstRevertApplied ??= row.name;
      appliedToRevert.push(row.name);
    }
  }
  // Downs run newest first, so a half-done rollback leaves the earliest of the revert list applied.
  const k = appliedToRevert.length;
  const outside = appliedToRevert.filter((name) => (revertIndex.get(name) ?? 0) >= k);
  if (outside.length > 0) {
    const gaps = toRevertInApplyOrder.slice(0, k).filter((name) => !appliedNames.has(name));
    problems.push(
      `the database has ${list(outside)} applied but not ${list(gaps)}, which come${gaps.length === 1 ? 's' : ''} before ${outside.length === 1 ? 'it' : 'them'}: it is neither ${labels.newer} nor a partly rolled-back ${labels.newer}`,
    );
  }
  if (exactOrder && outside.length === 0) {
    const at = appliedToRevert.findIndex((name, i) => toRevertInApplyOrder[i] !== name);
    if (at >= 0)
      problems.push(
        `the database applied ${appliedToRevert[at]} where the plan expects ${toRevertInApplyOrder[at]} (the plan's order is not the database's apply order, so "newest applied first" would be wrong): make the plan again with the database's status`,
      );
  }
  return { problems, appliedToRevert };
}

function list(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function inApplyOrder(applied: readonly AppliedMigration[]): AppliedMigration[] {
  return [...applied].sort((a, b) => a.order - b.order);
}

function toPlanned(m: ManifestMigration): PlannedRevert {
  return { name: m.name, checksum: m.checksum, downChecksum: m.downChecksum ?? '' };
}

/**
 * A planner's checks and the reasons they failed, collected in order: `check` records one, failed when it
 * found problems (its detail is then the problems, and they join the reasons), passed with `okDetail`.
 */
export function planChecks() {
  const checks: PlanCheck[] = [];
  const reasons: string[] = [];
  const check = (id: string, problems: string[], okDetail: string): void => {
    checks.push({
      id,
      ok: problems.length === 0,
      detail: problems.length === 0 ? okDetail : problems.join('; '),
    });
    reasons.push(...problems);
  };
  return { checks, reasons, check };
}

/**
 * Decide a rollback from `newer` (live) to `older` (target), optionally against the database's status.
 * Every failed check contributes its reasons; the plan is only returned when all checks pass.
 */
export function planRollback(input: PlanInput): PlanResult {
  const { newer, older, status } = input;
  const labels = { newer: newer.release, older: older.release };
  const { checks, reasons, check } = planChecks();

  const newerByName = new Map(newer.migrations.map((m) => [m.name, m]));
  const olderNames = new Set(older.migrations.map((m) => m.name));

  const prefixProblems: string[] = [];
  for (const m of older.migrations) {
    const inNewer = newerByName.get(m.name);
    if (!inNewer)
      prefixProblems.push(
        `${older.release} has migration ${m.name} that ${newer.release} lacks: the releases' histories diverged (a hotfix branch, or a deleted or squashed migration); roll back only to a release that ${newer.release} was built on`,
      );
    else if (inNewer.checksum !== m.checksum)
      prefixProblems.push(
        `migration ${m.name} differs between the releases (${older.release}: ${m.checksum}, ${newer.release}: ${inNewer.checksum}): it was edited after ${older.release} shipped`,
      );
  }
  check(
    'older-is-prefix',
    prefixProblems,
    `all ${older.migrations.length} migrations of ${older.release} are in ${newer.release} with the same checksums`,
  );

  const toRevert = newer.migrations.filter((m) => !olderNames.has(m.name));
  const irreversible = toRevert.filter((m) => !m.reversible || m.downChecksum === null);
  check(
    'reversible',
    irreversible.map(
      (m) =>
        `${m.name} is irreversible (it has no down migration in ${newer.release}): the database cannot be taken back to ${older.release}`,
    ),
    toRevert.length === 0
      ? 'nothing to revert'
      : `all ${toRevert.length} migrations to revert have a down migration`,
  );

  let revertOrder = [...toRevert].reverse();
  let keep = older.migrations.map((m) => m.name);
  if (status) {
    const applied = inApplyOrder(status.applied);

    const unknown = applied.filter((a) => !newerByName.has(a.name) && !olderNames.has(a.name));
    check(
      'database-known',
      unknown.map(
        (a) =>
          `the database has ${a.name} applied${a.release ? ` (by release ${a.release})` : ''}, which neither ${newer.release} nor ${older.release} knows: the database is ahead of both releases`,
      ),
      `every applied migration is known to ${newer.release} or ${older.release}`,
    );

    const drifted = applied.filter((a) => {
      const m = newerByName.get(a.name);
      return m !== undefined && m.checksum !== a.checksum;
    });
    check(
      'database-checksums',
      drifted.map(
        (a) =>
          `${a.name}: the database recorded checksum ${a.checksum} but ${newer.release}'s manifest has ${newerByName.get(a.name)?.checksum}: it was applied from different source than ${newer.release} ships`,
      ),
      `applied checksums match ${newer.release}'s manifest`,
    );

    const keepSet = new Set(keep);
    const matched = matchApplied(
      keepSet,
      toRevert.map((m) => m.name),
      applied,
      labels,
    );
    const onlyOlder = applied.filter((a) => !newerByName.has(a.name) && olderNames.has(a.name));
    const matchProblems = [
      ...onlyOlder.map(
        (a) =>
          `the database has ${a.name} applied, which ${newer.release} lacks: the database is not at ${newer.release}`,
      ),
      ...matched.problems,
    ];
    const partial = matched.appliedToRevert.length < toRevert.length;
    check(
      'database-matches',
      matchProblems,
      partial
        ? `the database is a partly rolled-back ${newer.release}: ${toRevert.length - matched.appliedToRevert.length} of ${toRevert.length} already reverted`
        : `the database's applied set is exactly ${newer.release}`,
    );

    if (matchProblems.length === 0) {
      // The database's own apply order is the truth for "newest applied first"; those already reverted were
      // newer still, so they lead the list in manifest order (newest first).
      const stillApplied = new Set(matched.appliedToRevert);
      const gone = toRevert.filter((m) => !stillApplied.has(m.name)).reverse();
      const remaining = [...matched.appliedToRevert].reverse().map((name) => newerByName.get(name)!);
      revertOrder = [...gone, ...remaining];
      keep = applied.filter((a) => keepSet.has(a.name)).map((a) => a.name);
    }
  }

  if (reasons.length > 0) return { ok: false, reasons, checks };
  return {
    ok: true,
    plan: sealPlan({
      format: PLAN_FORMAT,
      from: { release: newer.release, manifestDigest: manifestDigest(newer) },
      to: { release: older.release, manifestDigest: manifestDigest(older) },
      revert: revertOrder.map(toPlanned),
      keep,
      checks,
    }),
  };
}

/**
 * `stepback down --plan`: compare the live applied set (any order; sorted by `order` here) with the plan.
 * It must be `keep` (in any order) followed by a prefix of the migrations to revert, in the plan's apply
 * order. Returns what is left to revert, newest applied first, and what an earlier run already reverted.
 * A plan made without the database's status assumes the manifest's order; if the database applied the migrations to
 * revert in another order, it is refused rather than reverted in an order that is not newest first.
 */
export function reconcilePlan(plan: PlanBody, applied: readonly AppliedMigration[]): ReconcileResult {
  const labels = { newer: plan.from.release, older: plan.to.release };
  const rows = inApplyOrder(applied);
  const keep = new Set(plan.keep);
  const byName = new Map(plan.revert.map((r) => [r.name, r]));
  const reasons: string[] = [];

  const extra = rows.filter((a) => !keep.has(a.name) && !byName.has(a.name));
  if (extra.length > 0)
    reasons.push(
      `the database has ${list(extra.map((a) => a.name))} applied, which the plan neither keeps nor reverts: the database changed since the plan was made`,
    );
  for (const a of rows) {
    const planned = byName.get(a.name);
    if (planned && planned.checksum !== a.checksum)
      reasons.push(
        `${a.name}: the database recorded checksum ${a.checksum} but the plan expects ${planned.checksum}`,
      );
  }
  const toRevert = plan.revert.map((r) => r.name).reverse();
  const matched = matchApplied(keep, toRevert, rows, labels, true);
  reasons.push(...matched.problems);
  if (reasons.length > 0) return { ok: false, reasons };

  const stillApplied = new Set(matched.appliedToRevert);
  return {
    ok: true,
    // exactOrder held, so this is both the plan's order and the database's newest-applied-first order.
    remaining: [...matched.appliedToRevert].reverse().map((name) => byName.get(name)!),
    alreadyReverted: plan.revert.filter((r) => !stillApplied.has(r.name)).map((r) => r.name),
  };
}
