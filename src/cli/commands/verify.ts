/**
 * `stepback verify --release R [--json]`: compare the live schema with the fingerprint recorded when
 * release R's migrations completed. Exit 0 when it matches, 3 when it differs, 2 when nothing was recorded
 * for R (there is nothing to verify against).
 */
import type { Command } from 'commander';
import { describeError, ExitCode, StepbackError, UsageError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { connect } from '../../migrate/connect.ts';
import { describeVerifyResult, verifyReleaseFingerprint } from '../../schema/record.ts';
import { systemClock } from '../../system/clock.ts';
import { checkedRelease, runnerOptions, secretsOf } from '../output.ts';

export const VERIFY_FORMAT = 'stepback/verify@1';

interface VerifyCliOptions {
  release?: string;
  json?: boolean;
  schemas?: string;
}

export function register(program: Command): void {
  program
    .command('verify')
    .description("compare the live schema with the one recorded when a release's migrations completed")
    .requiredOption('--release <release>', 'the release whose recorded schema to compare with')
    .option('--schemas <list>', 'comma-separated schemas to compare (default: as recorded)')
    .option('--json', 'print the stepback/verify@1 document on stdout')
    .action(async (options: VerifyCliOptions, cmd: Command) => {
      let secrets = secretsOf(cmd.optsWithGlobals());
      try {
        const opts = runnerOptions(cmd);
        secrets = opts.secrets;
        const release = options.release?.trim();
        if (!release) throw new UsageError('--release must name a release');
        checkedRelease(release, '--release');
        const client = await connect({
          databaseUrl: opts.databaseUrl,
          applicationName: 'stepback verify',
          waitMs: opts.waitMs ?? 0,
          clock: systemClock,
          log: opts.log ?? (() => {}),
        });
        let result: Awaited<ReturnType<typeof verifyReleaseFingerprint>>;
        try {
          const schemas = options.schemas
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          result = await verifyReleaseFingerprint(client, { schema: opts.schema, release, schemas });
        } finally {
          await client.end().catch(() => {});
        }
        const exitCode =
          result.matches === true
            ? ExitCode.ok
            : result.matches === false
              ? ExitCode.refused
              : ExitCode.usage;
        process.stderr.write(`${redactSecrets(describeVerifyResult(result), secrets)}\n`);
        if (options.json) {
          const doc = { format: VERIFY_FORMAT, ...result, exitCode };
          process.stdout.write(`${redactSecrets(JSON.stringify(doc), secrets)}\n`);
        }
        process.exitCode = exitCode;
      } catch (error) {
        const exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
        process.stderr.write(`stepback verify: ${redactSecrets(describeError(error), secrets)}\n`);
        if (options.json) {
          const doc = {
            format: VERIFY_FORMAT,
            release: options.release ?? null,
            matches: null,
            exitCode,
            error: redactSecrets(describeError(error), secrets),
          };
          process.stdout.write(`${JSON.stringify(doc)}\n`);
        }
        process.exitCode = exitCode;
      }
    });
}
