/** The `migrate` action: run `stepback up` once for a release and report what it applied. */
import * as core from '@actions/core';
import { verdictError } from '../core/step-verdict.ts';
import { idempotencyKey } from '../pipeline/idempotency.ts';
import { migrateVerdict } from '../pipeline/migrate.ts';
import { runMigrate } from '../wiring/operations/migrate.ts';
import { flushSummary, ms, runAction } from './common.ts';

export function run(): Promise<void> {
  return runAction('migrate', async (inputs, log, signal) => {
    const { outcome, executor } = await runMigrate(inputs, { log, signal, idempotencyKey });
    core.setOutput('task-arn', executor === 'ecs' ? outcome.runId : '');
    core.setOutput('run-id', outcome.runId);
    core.setOutput('exit-code', outcome.exitCode === null ? '' : String(outcome.exitCode));
    core.setOutput('applied', JSON.stringify(outcome.applied));
    core.setOutput('adopted', JSON.stringify(outcome.adoption?.migrations ?? []));

    core.summary.addHeading(`stepback migrate: release ${inputs.release}`, 3);
    // The message below says what was adopted; the whole list folds away (a history may be long).
    if (outcome.adoption && outcome.adoption.migrations.length > 0)
      core.summary.addDetails(
        `Adopted from ${outcome.adoption.from}: ${outcome.adoption.migrations.length} migration(s), recorded as applied without running`,
        `\n\n${outcome.adoption.migrations.map((m) => `- \`${m}\``).join('\n')}\n\n`,
      );
    if (outcome.applied.length > 0 || outcome.failed) {
      core.summary.addTable([
        [
          { data: 'Migration', header: true },
          { data: 'Result', header: true },
          { data: 'Duration', header: true },
        ],
        ...outcome.applied.map((a) => [a.name, 'applied', ms(a.durationMs)]),
        ...(outcome.failed ? [[outcome.failed.name, 'FAILED (rolled back)', '']] : []),
      ]);
    }
    core.summary.addRaw(outcome.message, true);
    core.summary.addRaw(
      `\n\nRun: \`${outcome.runId}\` (${executor}), exit code ${outcome.exitCode ?? 'unknown'}`,
      true,
    );
    await flushSummary();
    log.info(outcome.message);
    const error = verdictError(migrateVerdict(outcome));
    if (error) throw error;
  });
}
