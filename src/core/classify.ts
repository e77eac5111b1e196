/**
 * Pure status classification and the runner's safety checks (fail closed: refuse when safety cannot be proven): given the
 * database's applied rows and the directory's migrations, what is pending, unknown, drifted or out of order,
 * and why an `up` or a `down` must be refused. No I/O; table-tested in test/migrate/classify.test.ts.
 */
import { matchesRecorded } from './checksum.ts';
import { type AppliedMigration, type DatabaseStatus, STATUS_FORMAT } from './status.ts';

/**
 * The parts of a directory migration these decisions need. Sources come in their layout's apply order
 * (numeric ids by value), which is the order "pending" and "out of order" are judged by.
 */
export interface SourceInfo {
  name: string;
  checksum: string;
  downChecksum: string | null;
  /** The exact-bytes checksums of a CRLF file, which earlier versions recorded (core/checksum.ts). */
  exactChecksum?: string;
  exactDownChecksum?: string;
  reversible: boolean;
  transactional: boolean;
}

export function classifyStatus(
  schema: string,
  applied: readonly AppliedMigration[],
  sources: readonly SourceInfo[],
): DatabaseStatus {
  const known = new Map(sources.map((s) => [s.name, s]));
  const rank = new Map(sources.map((s, i) => [s.name, i]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const ordered = [...applied].sort((a, b) => a.order - b.order);
  // The latest applied migration in the directory's order; unknown ones are refused on their own.
  const newestRank = Math.max(-1, ...ordered.map((a) => rank.get(a.name) ?? -1));
  const pending = sources.map((s) => s.name).filter((n) => !appliedNames.has(n));
  return {
    format: STATUS_FORMAT,
    schema,
    applied: ordered,
    pending,
    unknownApplied: ordered
      .filter((a) => !known.has(a.name))
      .map((a) => ({ name: a.name, release: a.release })),
    drifted: ordered.flatMap((a) => {
      const source = known.get(a.name);
      return source && !matchesRecorded(a.checksum, source.checksum, source.exactChecksum)
        ? [{ name: a.name, recorded: a.checksum, current: source.checksum }]
        : [];
    }),
    outOfOrder: pending.filter((n) => rank.get(n)! < newestRank),
  };
}

export interface UpDecision {
  /** Empty when `up` may proceed. */
  refusals: string[];
  /** Migrations to apply, in order. */
  toApply: string[];
}

/**
 * What `up` applies, or why it must not run. `to` (inclusive) must name a directory migration; the caller
 * turns an unknown `to` into a usage error before calling (see `unknownTarget`).
 */
export function decideUp(
  status: DatabaseStatus,
  sources: readonly SourceInfo[],
  options: { to?: string; allowOutOfOrder?: boolean; singleTransaction?: boolean } = {},
): UpDecision {
  const refusals: string[] = [];
  if (status.unknownApplied.length > 0) {
    const list = status.unknownApplied
      .map((u) => `${u.name} (applied by release ${u.release ?? 'unknown'})`)
      .join(', ');
    refusals.push(
      `the database is ahead of this code: it has applied ${status.unknownApplied.length} migration(s) this directory does not contain: ${list}`,
    );
  }
  for (const d of status.drifted) {
    refusals.push(
      `${d.name} was changed after it was applied (recorded ${d.recorded}, file now ${d.current})`,
    );
  }
  const rank = new Map(sources.map((s, i) => [s.name, i]));
  if (status.outOfOrder.length > 0 && !options.allowOutOfOrder) {
    const newest = status.applied
      .filter((a) => rank.has(a.name))
      .reduce((a, b) => (rank.get(b.name)! > rank.get(a.name)! ? b : a)).name;
    refusals.push(
      `pending migration(s) ${status.outOfOrder.join(', ')} sort before the newest applied migration ${newest}; pass --allow-out-of-order to apply them anyway`,
    );
  }
  let toApply = status.pending.filter((n) => options.allowOutOfOrder || !status.outOfOrder.includes(n));
  if (options.to !== undefined) {
    const last = rank.get(options.to) ?? -1;
    toApply = toApply.filter((n) => rank.get(n)! <= last);
  }
  if (options.singleTransaction) {
    const info = new Map(sources.map((s) => [s.name, s]));
    const opted = toApply.filter((n) => info.get(n)?.transactional === false);
    if (opted.length > 0) {
      refusals.push(
        `--single-transaction cannot include non-transactional migration(s): ${opted.join(', ')}; run without --single-transaction or apply them separately`,
      );
    }
  }
  return { refusals, toApply: refusals.length > 0 ? [] : toApply };
}

/** Checks one revert: the file is present, unchanged since it was applied, and has a down step. */
export function revertProblems(
  row: Pick<AppliedMigration, 'name' | 'checksum' | 'downChecksum'>,
  source: SourceInfo | undefined,
  expected?: { checksum: string; downChecksum: string },
): string[] {
  const problems: string[] = [];
  if (!source) {
    return [
      `${row.name}: applied, but this directory does not contain it, so its down step is not available`,
    ];
  }
  if (!matchesRecorded(row.checksum, source.checksum, source.exactChecksum))
    problems.push(
      `${row.name}: the up file changed since it was applied (recorded ${row.checksum}, file now ${source.checksum})`,
    );
  if (!source.reversible || source.downChecksum === null) {
    problems.push(`${row.name}: irreversible (no down step)`);
  } else if (!matchesRecorded(row.downChecksum, source.downChecksum, source.exactDownChecksum)) {
    problems.push(
      `${row.name}: the down step differs from the one recorded when it was applied (recorded ${row.downChecksum ?? 'none'}, file now ${source.downChecksum})`,
    );
  }
  if (expected) {
    if (!matchesRecorded(expected.checksum, source.checksum, source.exactChecksum))
      problems.push(
        `${row.name}: the plan expects up checksum ${expected.checksum}, the file has ${source.checksum}`,
      );
    if (
      source.downChecksum !== null &&
      !matchesRecorded(expected.downChecksum, source.downChecksum, source.exactDownChecksum)
    )
      problems.push(
        `${row.name}: the plan expects down checksum ${expected.downChecksum}, the file has ${source.downChecksum}`,
      );
  }
  return problems;
}

export type DownToDecision =
  | { kind: 'usage'; message: string }
  | { kind: 'refused'; problems: string[] }
  | { kind: 'ok'; revert: string[] };

/**
 * `down --to NAME` (exclusive: NAME stays) or `--to 0` (everything): the applied migrations after NAME in
 * apply order, newest applied first, each of which must be revertible.
 */
export function decideDownTo(
  applied: readonly AppliedMigration[],
  sources: readonly SourceInfo[],
  to: string,
): DownToDecision {
  const ordered = [...applied].sort((a, b) => a.order - b.order);
  let keepUpTo = 0;
  if (to !== '0') {
    const index = ordered.findIndex((a) => a.name === to);
    if (index === -1) {
      const known = sources.some((s) => s.name === to);
      return {
        kind: 'usage',
        message: known
          ? `--to ${to}: that migration is not applied, so there is nothing to keep it at`
          : `--to ${to}: no such migration in the database or the directory`,
      };
    }
    keepUpTo = index + 1;
  }
  const revert = ordered.slice(keepUpTo).reverse();
  const info = new Map(sources.map((s) => [s.name, s]));
  const problems = revert.flatMap((row) => revertProblems(row, info.get(row.name)));
  if (problems.length > 0) return { kind: 'refused', problems };
  return { kind: 'ok', revert: revert.map((r) => r.name) };
}
