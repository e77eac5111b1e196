/**
 * The `rehearse` action: prove this release's downs work in a scratch database before it ships, and list
 * each migration's result in the job summary. The rehearsal code (and pg) loads only when the step runs.
 */
import { existsSync } from 'node:fs';
import * as core from '@actions/core';
import { ExitCode, StepbackError } from '../core/errors.ts';
import { passwordOf } from '../core/redact.ts';
import type { Manifest } from '../core/release-manifest.ts';
import { openReleaseStore } from '../wiring/adapters.ts';
import { flushSummary, runAction } from './common.ts';

export function run(): Promise<void> {
  return runAction('rehearse', async (inputs, log) => {
    const [{ renderMarkdown, BROKEN_DOWN }, { loadRehearser }] = await Promise.all([
      import('../rehearse/index.ts'),
      import('../rehearse/engines.ts'),
    ]);
    // The engine's rehearsal (stepback's files, or a Django project through this checkout's manage.py).
    const rehearse = await loadRehearser(inputs.engine, 'engine');
    let since: string | Manifest | undefined = inputs.since;
    if (inputs.since && inputs.store && !existsSync(inputs.since)) {
      // A release name: its manifest comes from the release store.
      const store = await openReleaseStore(inputs.store, inputs['github-token']);
      since = (await store.get(inputs.since)) ?? inputs.since;
      log.info(`Starting from release ${inputs.since} (${store.location})`);
    }
    const databaseUrl = inputs['database-url'] ?? process.env.DATABASE_URL;
    const report = await rehearse({
      dir: inputs['migrations-dir'],
      cwd: process.cwd(),
      env: process.env,
      manageCommand: inputs['manage-command'],
      secrets: [databaseUrl, passwordOf(databaseUrl), inputs['github-token']].filter(
        (s): s is string => typeof s === 'string' && s !== '',
      ),
      ...(since ? { since } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(inputs.release ? { release: inputs.release } : {}),
      requireReversible: inputs['require-reversible'],
      all: inputs.all,
      cacheFile: inputs['cache-file'] ?? false,
      log: (line) => log.info(line),
    });
    const broken = report.migrations.filter((m) => BROKEN_DOWN.has(m.outcome)).map((m) => m.name);
    core.setOutput('verdict', report.verdict);
    core.setOutput('exit-code', String(report.exitCode));
    core.setOutput('broken', JSON.stringify(broken));
    core.setOutput('report', JSON.stringify(report));
    core.summary.addRaw(renderMarkdown(report), true);
    await flushSummary();
    log.info(report.verdict);
    if (report.exitCode !== 0) {
      const exitCode = report.exitCode === 3 ? ExitCode.refused : ExitCode.migrationFailed;
      throw new StepbackError(report.verdict, exitCode, {
        problems: report.migrations
          .filter(
            (m) =>
              m.error ||
              BROKEN_DOWN.has(m.outcome) ||
              m.outcome === 'up-failed' ||
              // Under require-reversible an irreversible migration is what failed the step: name it.
              (inputs['require-reversible'] && m.outcome === 'irreversible'),
          )
          .map(
            (m) =>
              `${m.name}: ${m.outcome}${m.error ? ` (${m.error.step}: ${m.error.message})` : m.note ? ` (${m.note})` : ''}`,
          ),
      });
    }
  });
}
