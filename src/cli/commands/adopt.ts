import type { Command } from 'commander';
import { redactSecrets } from '../../core/redact.ts';
import { ADOPT_FORMAT, type AdoptResult, adopt, adoptErrorResult } from '../../migrate/adopt/adopt.ts';
import { TOOL_NAMES } from '../../migrate/adopt/registry.ts';
import { runnerOptions, secretsOf } from '../output.ts';

export function register(program: Command): void {
  program
    .command('adopt')
    .description(
      'take over a database another tool migrated: record what its state table says was applied, without running anything',
    )
    .option(
      '--from <tool>',
      `the tool whose state table to read (${TOOL_NAMES.join(', ')}); default: the one found`,
    )
    .option(
      '--to <name>',
      'no state table to read: record the migrations up to and including NAME as applied',
    )
    .option(
      '--release <release>',
      'the release to record them under (env STEPBACK_RELEASE; default adopted-<tool>)',
    )
    .option('--dry-run', 'show what would be recorded and change nothing')
    .option('--json', `print one ${ADOPT_FORMAT} JSON line on stdout`)
    .action(
      async (options: { from?: string; to?: string; dryRun?: boolean; json?: boolean }, cmd: Command) => {
        let secrets = secretsOf(cmd.optsWithGlobals());
        let result: AdoptResult;
        try {
          const opts = runnerOptions(cmd);
          secrets = opts.secrets;
          result = await adopt({
            ...opts,
            from: options.from,
            to: options.to,
            dryRun: Boolean(options.dryRun),
          });
        } catch (error) {
          result = adoptErrorResult(Boolean(options.dryRun), error);
        }
        if (!result.ok && result.error)
          process.stderr.write(`stepback adopt: ${redactSecrets(result.error, secrets)}\n`);
        if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(result), secrets)}\n`);
        process.exitCode = result.exitCode;
      },
    );
}
