/** The `record-release` action: store the release's manifest and tag its task definition. */
import * as core from '@actions/core';
import { RELEASE_TAG } from '../core/ports.ts';
import { idempotencyKey } from '../pipeline/idempotency.ts';
import { runRecordRelease } from '../wiring/operations/record-release.ts';
import { flushSummary, runAction } from './common.ts';

export function run(): Promise<void> {
  return runAction('record-release', async (inputs, log) => {
    const outcome = await runRecordRelease(inputs, { log, idempotencyKey });
    core.setOutput('result', outcome.result);
    core.setOutput('location', outcome.location);
    core.setOutput('migrations', String(outcome.manifest.migrations.length));
    core.setOutput('tagged', String(outcome.tagged));

    core.summary.addHeading(`stepback record-release: ${inputs.release}`, 3);
    core.summary.addRaw(
      `${outcome.result === 'created' ? 'Recorded' : 'Already recorded (unchanged)'} in \`${outcome.location}\`` +
        (outcome.tagged ? `; task definition tagged \`${RELEASE_TAG}=${inputs.release}\`.` : '.'),
      true,
    );
    core.summary.addTable([
      [
        { data: 'Migration', header: true },
        { data: 'Reversible', header: true },
        { data: 'Transactional', header: true },
        { data: 'Checksum', header: true },
      ],
      ...outcome.manifest.migrations.map((m) => [
        m.name,
        m.reversible ? 'yes' : 'no',
        m.transactional ? 'yes' : 'no',
        `${m.checksum.slice(0, 19)}…`,
      ]),
    ]);
    await flushSummary();
  });
}
