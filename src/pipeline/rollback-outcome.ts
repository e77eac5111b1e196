/**
 * What a rollback reports: its outcome, built only by the constructors here (which derive `ok` and the exit
 * code from the status), and the sentences that say where the database stands.
 */
import { ExitCode } from '../core/errors.ts';
import type { PlanCheck, RollbackPlan } from '../core/rollback-plan.ts';
import type { Verification } from '../core/run-result.ts';
import type { StepVerdict } from '../core/step-verdict.ts';
import type { DeployOutcome } from './deploy.ts';

export type RollbackStatus = 'planned' | 'rolled-back' | 'already-live' | 'refused' | 'failed';

export interface RollbackOutcome {
  status: RollbackStatus;
  ok: boolean;
  exitCode: number;
  fromRelease?: string;
  toRelease: string;
  plan?: RollbackPlan;
  checks: PlanCheck[];
  /** Why it was refused or failed. */
  reasons: string[];
  /** Reverted by an earlier, interrupted run of the same rollback. */
  alreadyReverted?: string[];
  /** Reverted by this run, newest first. */
  reverted: { name: string; durationMs: number }[];
  /** Planned reverts still applied (empty when the downs completed); null when unknown. */
  remaining: string[] | null;
  failed: { name: string; message: string } | null;
  downRunId?: string;
  deploy?: DeployOutcome;
  verification?: Verification;
  /** Characters of the ECS override carrying the plan (checked against 8192). */
  overrideLength?: number;
  /** Where the status and the downs ran: the newer release's image, or (fallback) the older one's. */
  downsFrom?: DownsFrom;
  /** What happened and where the database stands, in words. */
  message: string;
}

/**
 * The fallback when the newer release's image cannot be pulled: its downs run in the older release's image,
 * from the newer release's source bundle in the store (`stepback down --plan --sources-from`).
 */
export interface DownsFrom {
  /** `newer`: the newer release's image (the normal path); `older`: the fallback. */
  image: 'newer' | 'older';
  /** The release whose image ran them, and its task definition. */
  release: string;
  taskDefinitionArn?: string;
  /** The image itself, when the executor runs a release's image (CodeBuild) rather than its task definition. */
  imageRef?: string;
  /** Fallback: the store the bundle was read from, and why the newer image was not used. */
  bundleFrom?: string;
  reason?: string;
}

/** Pure: the sentence that says which path the downs took and why. */
export function downsFromText(d: DownsFrom | undefined, newerRelease: string | undefined): string {
  if (!d || d.image === 'newer') return '';
  return (
    ` The downs ran in release ${d.release}'s image (${d.imageRef ?? d.taskDefinitionArn ?? 'its task definition'}) from ${newerRelease ?? 'the newer release'}'s ` +
    `source bundle in ${d.bundleFrom}, verified against its manifest, because ${newerRelease ?? 'the newer release'}'s image could not be pulled: ${d.reason}.`
  );
}

/** What the rollback has learned so far: everything in an outcome but its verdict. */
export type RollbackFacts = Omit<RollbackOutcome, 'status' | 'ok' | 'exitCode' | 'message' | 'reasons'>;

/** A rollback that did what was asked (or found nothing to do): exit 0. */
export function succeeded(
  status: 'planned' | 'rolled-back' | 'already-live',
  facts: RollbackFacts,
  message: string,
): RollbackOutcome {
  return { ...facts, status, ok: true, exitCode: ExitCode.ok, reasons: [], message };
}

/** Refused before anything changed: exit 3. */
export function refused(facts: RollbackFacts, reasons: string[], message: string): RollbackOutcome {
  return { ...facts, status: 'refused', ok: false, exitCode: ExitCode.refused, reasons, message };
}

/**
 * Something failed part-way: exit 1, or the down run's own exit code when it gave one (a lock timeout stays
 * 4). Never 0: a failure must fail the step.
 */
export function failed(
  facts: RollbackFacts,
  reasons: string[],
  message: string,
  exitCode: number | null | undefined = ExitCode.migrationFailed,
): RollbackOutcome {
  return {
    ...facts,
    status: 'failed',
    ok: false,
    exitCode: exitCode || ExitCode.migrationFailed,
    reasons,
    message,
  };
}

/** How the rollback step ends (src/core/step-verdict.ts): a refusal lists every reason. */
export function rollbackVerdict(outcome: RollbackOutcome): StepVerdict {
  return {
    ok: outcome.ok,
    exitCode: outcome.exitCode,
    message: outcome.message,
    ...(outcome.status === 'refused' ? { problems: outcome.reasons } : {}),
    ...(outcome.failed ? { migration: outcome.failed.name } : {}),
  };
}

const RESUME =
  'Fix the cause and run the rollback again: it resumes from where the database stands. The older task definition was not deployed.';

/**
 * Pure: the sentence that tells an operator where the database stands after a failed down. `reverted` is
 * what this run reverted (null when the run reported nothing); `alreadyReverted` what earlier runs did.
 */
export function databasePosition(
  plan: RollbackPlan,
  reverted: readonly string[] | null,
  failed: { name: string; message: string } | null,
  alreadyReverted: readonly string[] = [],
): { remaining: string[] | null; text: string } {
  const earlier =
    alreadyReverted.length > 0 ? ` (${alreadyReverted.join(', ')} had been reverted by an earlier run.)` : '';
  if (reverted === null) {
    const open = plan.revert.map((r) => r.name).filter((n) => !alreadyReverted.includes(n));
    return {
      remaining: null,
      text:
        `The down run reported no result, so it is unknown which of these were reverted: ${open.join(', ')}; ` +
        `run \`stepback status\` to see.${earlier} ${RESUME}`,
    };
  }
  const done = new Set([...alreadyReverted, ...reverted]);
  const remaining = plan.revert.map((r) => r.name).filter((n) => !done.has(n));
  const parts = [
    reverted.length > 0
      ? `Reverted by this run: ${reverted.join(', ')}.`
      : 'Nothing was reverted by this run.',
  ];
  if (earlier) parts.push(earlier.trim());
  parts.push(
    remaining.length > 0
      ? `Still applied: ${remaining.join(', ')}${failed ? ` (${failed.name} failed: ${failed.message}; its revert was rolled back)` : ''}.`
      : 'Every planned migration was reverted.',
  );
  parts.push(RESUME);
  return { remaining, text: parts.join(' ') };
}

/** Pure: the schema verification in one sentence (mirrors src/schema describeVerifyResult). */
export function verificationText(v: Verification | null | undefined): string {
  if (!v) return '';
  const release = v.release ?? 'the target release';
  if (v.error) return ` Schema verification could not run: ${v.error}.`;
  if (v.matches === true) return ` Schema verification: schema matches release ${release} as deployed.`;
  if (v.matches === false) {
    const diffs = v.differences ?? [];
    return ` Schema verification: schema DIFFERS from release ${release} as deployed (${diffs.length} difference${diffs.length === 1 ? '' : 's'}: ${diffs.join('; ')}).`;
  }
  return ` Schema not verified: ${v.reason ?? 'no fingerprint recorded'}.`;
}
