/**
 * `stepback sync --to-release R --store URL`: move the database to release R (forward, nothing, or back
 * with the newer release's downs from the store), for GitOps hooks that run in R's image. Human progress on
 * stderr; with --json one stepback/sync@1 line on stdout, printed last, also on failure.
 */
import type { Command } from 'commander';
import { describeError, UsageError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { checkedRelease, runnerOptions, secretsOf } from '../output.ts';

interface SyncCliOptions {
  toRelease?: string;
  store?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('sync')
    .description(
      "move the database to a release: apply what it adds, do nothing, or revert the newer release's migrations from the store",
    )
    .option('--to-release <release>', 'the release to move the database to (env STEPBACK_TO_RELEASE)')
    .option('--store <url>', 'the release store: file://, s3:// or github-release:// (env STEPBACK_STORE)')
    .option('--dry-run', 'decide and print the plan; change nothing')
    .option('--json', 'print one stepback/sync@1 JSON line on stdout')
    .action(async (options: SyncCliOptions, cmd: Command) => {
      const env = process.env;
      let secrets = secretsOf(cmd.optsWithGlobals(), env);
      const toRelease = (options.toRelease ?? env.STEPBACK_TO_RELEASE ?? '').trim();
      const dryRun = Boolean(options.dryRun);
      const { sync, syncErrorOutcome } = await import('../../pipeline/sync.ts');
      let outcome: Awaited<ReturnType<typeof sync>>;
      try {
        const opts = runnerOptions(cmd, env);
        secrets = opts.secrets;
        const storeUrl = (options.store ?? env.STEPBACK_STORE ?? '').trim();
        const problems = [
          ...(toRelease ? [] : ['--to-release (or STEPBACK_TO_RELEASE) is required']),
          ...(storeUrl ? [] : ['--store (or STEPBACK_STORE) is required']),
        ];
        if (problems.length > 0)
          throw new UsageError(problems.length === 1 ? problems[0]! : 'invalid options', { problems });
        checkedRelease(toRelease, options.toRelease === undefined ? 'STEPBACK_TO_RELEASE' : '--to-release');
        const { openReleaseStore } = await import('../../wiring/adapters.ts');
        const store = await openReleaseStore(storeUrl);
        outcome = await sync({ toRelease, dryRun, runner: { ...opts, release: toRelease } }, store);
      } catch (error) {
        outcome = syncErrorOutcome(toRelease, dryRun, error, redactSecrets(describeError(error), secrets));
      }
      process.stderr.write(`${redactSecrets(`stepback sync: ${outcome.message}`, secrets)}\n`);
      if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(outcome), secrets)}\n`);
      process.exitCode = outcome.exitCode;
    });
}
