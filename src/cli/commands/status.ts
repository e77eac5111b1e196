import type { Command } from 'commander';
import { describeError, ExitCode, StepbackError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { DatabaseStatus } from '../../core/status.ts';
import { commandEngine } from '../engine-option.ts';
import { errorResult, runnerOptions, secretsOf } from '../output.ts';

export function formatStatus(s: DatabaseStatus): string {
  const lines: string[] = [`schema ${s.schema}: ${s.applied.length} applied, ${s.pending.length} pending`];
  for (const a of s.applied) {
    lines.push(`  applied  ${a.name}  release ${a.release ?? '-'}  at ${a.appliedAt}  (${a.durationMs} ms)`);
  }
  for (const p of s.pending)
    lines.push(`  pending  ${p}${s.outOfOrder.includes(p) ? '  (out of order)' : ''}`);
  for (const u of s.unknownApplied)
    lines.push(`  UNKNOWN  ${u.name}  applied by release ${u.release ?? '-'}, not in this directory`);
  for (const d of s.drifted) lines.push(`  DRIFTED  ${d.name}  recorded ${d.recorded}, file ${d.current}`);
  for (const i of s.invalidIndexes ?? [])
    lines.push(
      `  INVALID  index ${i.schema}.${i.name} on ${i.table}: an unfinished CREATE INDEX CONCURRENTLY; DROP INDEX CONCURRENTLY it and create it again`,
    );
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description(
      'applied (with release and time), pending, unknown-applied, drifted and out-of-order migrations',
    )
    .option('--json', 'print the stepback/status@1 document on stdout')
    .action(async (options: { json?: boolean }, cmd: Command) => {
      const secrets = secretsOf(cmd.optsWithGlobals());
      try {
        const opts = runnerOptions(cmd);
        const { engine, manageCommand } = await commandEngine(cmd);
        const result = await engine.status({ ...opts, manageCommand });
        // The report is the command's output (stdout, so it can be piped); progress and errors go to stderr.
        const report = options.json ? JSON.stringify(result) : formatStatus(result);
        process.stdout.write(`${redactSecrets(report, secrets)}\n`);
        process.exitCode = ExitCode.ok;
      } catch (error) {
        process.stderr.write(`stepback status: ${redactSecrets(describeError(error), secrets)}\n`);
        if (options.json) {
          const doc = { ...errorResult('up', error, secrets), command: 'status' };
          process.stdout.write(`${JSON.stringify(doc)}\n`);
        }
        process.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
      }
    });
}
