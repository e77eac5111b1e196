/**
 * The `rollback` action: plan → job summary → the newer image's downs → deploy the older task definition →
 * summary of what was reverted. Refusals and failures end the step failed, after the summary says where the
 * database stands.
 */
import * as core from '@actions/core';
import { renderPlan } from '../core/plan-table.ts';
import { verdictError } from '../core/step-verdict.ts';
import { idempotencyKey } from '../pipeline/idempotency.ts';
import { type RollbackOutcome, rollbackVerdict, verificationText } from '../pipeline/rollback-outcome.ts';
import { runRollback } from '../wiring/operations/rollback.ts';
import { flushSummary, ms, runAction } from './common.ts';

function writeOutputs(outcome: RollbackOutcome): void {
  core.setOutput('status', outcome.status);
  core.setOutput('from-release', outcome.fromRelease ?? '');
  core.setOutput('to-release', outcome.toRelease);
  core.setOutput('plan', outcome.plan ? JSON.stringify(outcome.plan) : '');
  core.setOutput('reverted', JSON.stringify(outcome.reverted));
  core.setOutput('remaining', outcome.remaining === null ? '' : JSON.stringify(outcome.remaining));
  core.setOutput('task-definition', outcome.deploy?.ok ? (outcome.deploy.taskDefinitionArn ?? '') : '');
  core.setOutput(
    'schema-matches',
    outcome.verification?.matches == null ? '' : String(outcome.verification.matches),
  );
}

function resultSummary(outcome: RollbackOutcome): void {
  const title: Record<RollbackOutcome['status'], string> = {
    planned: 'Dry run: nothing was changed',
    'rolled-back': 'Rolled back',
    'already-live': 'Nothing to do',
    refused: 'Refused: nothing was changed',
    failed: 'FAILED: the older release was not deployed',
  };
  core.summary.addHeading(title[outcome.status], 3);
  // Which image ran the status and the downs, and why: said first, the fallback is the unusual path.
  const from = outcome.downsFrom;
  if (from)
    core.summary.addRaw(
      from.image === 'newer'
        ? `Downs run in: release ${from.release}'s image (the newer release).`
        : `**Downs run in: release ${from.release}'s image (the older release), from ${outcome.fromRelease}'s source bundle in \`${from.bundleFrom}\`**, because ${outcome.fromRelease}'s image could not be pulled: ${from.reason}`,
      true,
    );
  if (outcome.status === 'refused' && outcome.reasons.length > 0) core.summary.addList(outcome.reasons);
  if (outcome.status === 'refused' && !outcome.plan && outcome.checks.length > 0) {
    core.summary.addTable([
      [
        { data: 'Check', header: true },
        { data: 'Result', header: true },
        { data: 'Detail', header: true },
      ],
      ...outcome.checks.map((c) => [c.id, c.ok ? 'ok' : 'FAILED', c.detail]),
    ]);
  }
  if (outcome.reverted.length > 0 || outcome.failed) {
    core.summary.addTable([
      [
        { data: 'Migration', header: true },
        { data: 'Result', header: true },
        { data: 'Duration', header: true },
      ],
      ...outcome.reverted.map((r) => [r.name, 'reverted', ms(r.durationMs)]),
      ...(outcome.failed ? [[outcome.failed.name, 'FAILED (still applied)', '']] : []),
    ]);
  }
  if (outcome.remaining && outcome.remaining.length > 0 && outcome.status !== 'planned')
    core.summary.addRaw(`Still applied: ${outcome.remaining.map((r) => `\`${r}\``).join(', ')}`, true);
  core.summary.addRaw(`\n\n${outcome.message}`, true);
  const verification = verificationText(outcome.verification).trim();
  if (verification && !outcome.message.includes(verification))
    core.summary.addRaw(`\n\n${verification}`, true);
}

export function run(): Promise<void> {
  return runAction('rollback', async (inputs, log, signal) => {
    // The plan goes into the job summary before anything changes.
    const outcome = await runRollback(
      inputs,
      { log, signal, idempotencyKey },
      async (plan, { alreadyReverted }) => {
        core.summary.addHeading(`stepback rollback: ${plan.from.release} → ${plan.to.release}`, 2);
        core.summary.addRaw(renderPlan(plan, { alreadyReverted }), true);
        await flushSummary();
      },
    );
    writeOutputs(outcome);
    if (!outcome.plan) core.summary.addHeading(`stepback rollback → ${outcome.toRelease}`, 2);
    resultSummary(outcome);
    await flushSummary();
    const error = verdictError(rollbackVerdict(outcome));
    if (error) throw error;
    log.info(outcome.message);
  });
}
