/**
 * Planning a rollback for an engine whose migrations form a graph of apps (Django): pure, like the linear
 * planner in rollback-plan.ts, which hands a manifest with per-app `targets` to this one.
 *
 * Model: what stays is the older release's migrations, expressed in the newer graph's nodes (a squash in the
 * newer release stands for the older release's migrations it replaces, when it replaces only kept ones).
 * What is reverted is every other node of the newer graph, newest first. The engine is told per-app targets
 * — each app's leaf in the older release, `null` (Django's `zero`) for an app the older release did not
 * have — and this module proves that exactly the reverted set is what those targets unapply (a target
 * unapplies the app's migrations after it and everything in any app that depends on them), so the plan
 * shown is the plan run. A target inside a squash (the older leaf is replaced, but not as the squash's last
 * migration) has no node to name, and is refused.
 */
import { type ManifestMigration, manifestDigest, manifestEngine } from './release-manifest.ts';
import type { PlanBody, PlanInput, PlannedRevert, PlanResult, ReconcileResult } from './rollback-plan.ts';
import { PLAN_FORMAT, planChecks, sealPlan } from './rollback-plan.ts';

export interface AppTarget {
  app: string;
  /** The migration (without its app) that stays applied last; null: none of the app stays (`zero`). */
  migration: string | null;
}

export function appOf(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

function list(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Graph nodes that count as applied for these rows: a squash is applied once all it replaces are. */
export function appliedNodes(
  nodes: readonly string[],
  squashes: Readonly<Record<string, readonly string[]>>,
  rows: ReadonlySet<string>,
): Set<string> {
  const applied = new Set<string>();
  for (const name of nodes) {
    const replaces = squashes[name] ?? [];
    if (rows.has(name) || (replaces.length > 0 && replaces.every((r) => rows.has(r)))) applied.add(name);
  }
  return applied;
}

/** Every node depending on `start` (itself included), in any app: what unapplying `start` takes with it. */
function dependents(
  start: string,
  children: ReadonlyMap<string, readonly string[]>,
  into: Set<string>,
): void {
  const stack = [start];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (into.has(name)) continue;
    into.add(name);
    stack.push(...(children.get(name) ?? []));
  }
}

/** What Django's planner unapplies for these targets in this graph (MigrationExecutor.migration_plan). */
export function unappliedBy(targets: readonly AppTarget[], graph: readonly ManifestMigration[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const m of graph)
    for (const d of m.dependencies ?? []) children.set(d, [...(children.get(d) ?? []), m.name]);
  const out = new Set<string>();
  for (const t of targets) {
    const starts =
      t.migration === null
        ? graph.filter(
            (m) => appOf(m.name) === t.app && !(m.dependencies ?? []).some((d) => appOf(d) === t.app),
          )
        : graph.filter(
            (m) => (m.dependencies ?? []).includes(`${t.app}.${t.migration}`) && appOf(m.name) === t.app,
          );
    for (const s of starts) dependents(s.name, children, out);
  }
  return out;
}

export function planGraphRollback(input: PlanInput): PlanResult {
  const { newer, older, status } = input;
  const { checks, reasons, check } = planChecks();

  const engine = manifestEngine(newer);
  check(
    'engine-matches',
    manifestEngine(older) === engine && older.targets !== undefined
      ? []
      : [
          `${newer.release} was recorded by the ${engine} engine and ${older.release} by the ${manifestEngine(older)} engine${older.targets === undefined ? ' (without per-app targets)' : ''}: one engine's state cannot be rolled back to another's`,
        ],
    `both releases use the ${engine} engine`,
  );

  const nodes = new Map(newer.migrations.map((m) => [m.name, m]));
  const squashOf = new Map<string, ManifestMigration>();
  const squashes: Record<string, string[]> = {};
  for (const m of newer.migrations)
    if (m.replaces && m.replaces.length > 0) {
      squashes[m.name] = [...m.replaces];
      for (const r of m.replaces) squashOf.set(r, m);
    }
  const olderNames = new Set(older.migrations.map((m) => m.name));

  const inNewer: string[] = [];
  for (const m of older.migrations) {
    const node = nodes.get(m.name);
    if (node && node.checksum !== m.checksum)
      inNewer.push(
        `migration ${m.name} differs between the releases (${older.release}: ${m.checksum}, ${newer.release}: ${node.checksum}): it was edited after ${older.release} shipped`,
      );
    else if (!node && !squashOf.has(m.name))
      inNewer.push(
        `${older.release} has migration ${m.name} that ${newer.release}'s graph lacks (neither a migration nor replaced by a squash): the releases' histories diverged`,
      );
  }
  check(
    'older-in-newer',
    inNewer,
    `all ${older.migrations.length} migrations of ${older.release} are in ${newer.release}'s graph (directly or squashed)`,
  );

  // Kept: the older release's nodes, and squashes standing only for older migrations.
  const keep = new Set<string>();
  const squashProblems: string[] = [];
  for (const m of newer.migrations) {
    const replaces = m.replaces ?? [];
    const keptReplaced = replaces.filter((r) => olderNames.has(r));
    if (olderNames.has(m.name) || (replaces.length > 0 && keptReplaced.length === replaces.length))
      keep.add(m.name);
    else if (keptReplaced.length > 0)
      squashProblems.push(
        `${older.release} stops inside the squash ${m.name} (it has ${list(keptReplaced)} of ${list(replaces)}): Django has no target inside a squash; roll back to a release with all or none of them`,
      );
  }
  const revert = newer.migrations.filter((m) => !keep.has(m.name));
  const revertSet = new Set(revert.map((m) => m.name));
  for (const m of newer.migrations)
    if (keep.has(m.name))
      for (const d of m.dependencies ?? [])
        if (revertSet.has(d))
          squashProblems.push(
            `${m.name} (kept by ${older.release}) depends on ${d}, which ${older.release} does not have`,
          );

  // Each app's target: the older release's leaf, mapped onto the newer graph; `zero` for an app it lacks.
  const targets: AppTarget[] = [];
  const apps = [...new Set(newer.migrations.map((m) => appOf(m.name)))];
  for (const app of apps) {
    const leaf = older.targets?.[app];
    let target: string | null = null;
    if (leaf !== undefined) {
      const squash = squashOf.get(leaf);
      if (nodes.has(leaf)) target = leaf;
      else if (squash && squash.replaces?.at(-1) === leaf && keep.has(squash.name)) target = squash.name;
      else {
        squashProblems.push(
          `${older.release}'s last ${app} migration ${leaf} is inside the squash ${squash?.name ?? '(none)'} of ${newer.release}: there is no node to roll ${app} back to`,
        );
        continue;
      }
    }
    if (target !== null && target === newer.targets?.[app]) continue;
    if (target === null && !revert.some((m) => appOf(m.name) === app)) continue;
    targets.push({ app, migration: target === null ? null : target.slice(app.length + 1) });
  }
  // Django walks the targets in order; leading with the app reverted last-applied keeps the plan newest first.
  const lastIndex = (app: string) => revert.findLastIndex((m) => appOf(m.name) === app);
  targets.sort((a, b) => lastIndex(b.app) - lastIndex(a.app));

  const byTargets = unappliedBy(targets, newer.migrations);
  const extra = [...byTargets].filter((n) => !revertSet.has(n));
  const missing = revert.filter((m) => !byTargets.has(m.name)).map((m) => m.name);
  if (extra.length > 0)
    squashProblems.push(
      `the per-app targets would also unapply ${list(extra)}, which ${older.release} keeps`,
    );
  if (missing.length > 0)
    squashProblems.push(
      `the per-app targets would not unapply ${list(missing)}, which ${older.release} lacks`,
    );
  check(
    'targets',
    squashProblems,
    targets.length === 0
      ? 'nothing to revert'
      : `${targets.map((t) => `${t.app} → ${t.migration ?? 'zero'}`).join(', ')} unapply exactly the ${revert.length} migrations ${older.release} lacks`,
  );

  const irreversible = revert.filter((m) => !m.reversible);
  check(
    'reversible',
    irreversible.map(
      (m) =>
        `${m.name} is irreversible in ${newer.release} (an operation without a backwards step, e.g. RunPython without reverse_code or RunSQL without reverse_sql): the database cannot be taken back to ${older.release}`,
    ),
    revert.length === 0 ? 'nothing to revert' : `all ${revert.length} migrations to revert can be unapplied`,
  );

  const order = [...revert].reverse();
  const draft: PlanBody = {
    format: PLAN_FORMAT,
    engine,
    from: { release: newer.release, manifestDigest: manifestDigest(newer) },
    to: { release: older.release, manifestDigest: manifestDigest(older) },
    revert: order.map(toPlanned),
    keep: newer.migrations.filter((m) => keep.has(m.name)).map((m) => m.name),
    targets,
    squashes,
    checks,
  };
  if (status) {
    const reconciled = reconcileGraphPlan(draft, status.applied);
    check(
      'database-matches',
      reconciled.ok ? [] : reconciled.reasons,
      reconciled.ok
        ? reconciled.alreadyReverted.length > 0
          ? `the database is a partly rolled-back ${newer.release}: ${reconciled.alreadyReverted.length} of ${revert.length} already reverted`
          : `the database is at ${newer.release}`
        : '',
    );
  }
  if (reasons.length > 0) return { ok: false, reasons, checks };
  return { ok: true, plan: sealPlan(draft) };
}

function toPlanned(m: ManifestMigration): PlannedRevert {
  return { name: m.name, checksum: m.checksum, downChecksum: m.downChecksum ?? m.checksum };
}

/**
 * A graph plan against the engine's applied rows (Django: django_migrations, in any order): every kept node
 * applied and nothing unknown. Returns what is left to revert, newest first; Django commits each migration,
 * so after a half-done run this is what a re-run resumes with. (Which of them Django will unapply is checked
 * again against Django's own planner, in the engine, before anything changes.)
 */
export function reconcileGraphPlan(plan: PlanBody, applied: readonly { name: string }[]): ReconcileResult {
  const squashes = plan.squashes ?? {};
  const rows = new Set(applied.map((a) => a.name));
  const known = new Set([...plan.keep, ...plan.revert.map((r) => r.name), ...Object.values(squashes).flat()]);
  const reasons: string[] = [];
  const unknown = [...rows].filter((n) => !known.has(n));
  if (unknown.length > 0)
    reasons.push(
      `the database has ${list(unknown)} applied, which neither ${plan.from.release} nor ${plan.to.release} has: the database is ahead of both releases, or changed since the plan was made`,
    );
  const nodes = appliedNodes([...plan.keep, ...plan.revert.map((r) => r.name)], squashes, rows);
  const missingKeep = plan.keep.filter((n) => !nodes.has(n));
  if (missingKeep.length > 0)
    reasons.push(
      `the database does not have ${list(missingKeep)} applied, which ${plan.to.release} needs: it is behind the target release, not at ${plan.from.release}`,
    );
  if (reasons.length > 0) return { ok: false, reasons };
  const remaining = plan.revert.filter((r) => nodes.has(r.name));
  return {
    ok: true,
    remaining,
    alreadyReverted: plan.revert.filter((r) => !nodes.has(r.name)).map((r) => r.name),
  };
}
