/**
 * Building the rehearsal report from the per-migration results: counts, exit code and verdict (pure).
 */
import type { ResolvedSince } from './since.ts';
import {
  BROKEN_DOWN,
  type MigrationOutcome,
  type MigrationRehearsal,
  REHEARSAL_FORMAT,
  type RehearsalReport,
  type ReleaseRevert,
} from './types.ts';

function emptyCounts(): Record<MigrationOutcome, number> {
  return {
    ok: 0,
    'down-failed': 0,
    'not-restored': 0,
    'data-changed': 0,
    'reapply-failed': 0,
    irreversible: 0,
    skipped: 0,
    'up-failed': 0,
    'fixture-failed': 0,
    'not-run': 0,
  };
}

export interface ReportInput {
  release: string | null;
  since: ResolvedSince;
  serverVersion: string;
  kind: RehearsalReport['server']['kind'];
  database: string;
  results: MigrationRehearsal[];
  releaseRevert: ReleaseRevert;
  requireReversible: boolean;
  notes: string[];
  durationMs: number;
}

export function buildReport(input: ReportInput): RehearsalReport {
  const counts = emptyCounts();
  for (const r of input.results) counts[r.outcome]++;
  const brokenDowns = input.results.filter((r) => BROKEN_DOWN.has(r.outcome)).length;
  const revertBroken =
    input.releaseRevert.outcome === 'down-failed' || input.releaseRevert.outcome === 'not-restored';
  const irreversibleFails = input.requireReversible && counts.irreversible > 0;
  const upFailed = counts['up-failed'] + counts['fixture-failed'] > 0;
  const exitCode = brokenDowns > 0 || revertBroken || irreversibleFails ? 3 : upFailed ? 1 : 0;
  const tally = (Object.entries(counts) as [MigrationOutcome, number][])
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const reasons: string[] = [];
  if (brokenDowns > 0) reasons.push(`${brokenDowns} broken down(s)`);
  if (revertBroken) reasons.push(`reverting the whole release: ${input.releaseRevert.outcome}`);
  if (irreversibleFails)
    reasons.push(`${counts.irreversible} irreversible migration(s) with --require-reversible`);
  if (counts['up-failed'] > 0) reasons.push('an up failed');
  if (counts['fixture-failed'] > 0) reasons.push(`${counts['fixture-failed']} fixture(s) failed to load`);
  const verdict =
    exitCode === 0
      ? `rehearsal passed: ${tally || 'no new migrations'}`
      : `rehearsal failed (${reasons.join('; ')}): ${tally}`;
  return {
    format: REHEARSAL_FORMAT,
    release: input.release,
    since: {
      release: input.since.release,
      migrations: input.since.migrations.length,
      source: input.since.source,
    },
    server: { version: input.serverVersion, kind: input.kind, database: input.database },
    migrations: input.results,
    releaseRevert: input.releaseRevert,
    counts,
    requireReversible: input.requireReversible,
    notes: input.notes,
    exitCode,
    verdict,
    durationMs: input.durationMs,
  };
}
