/**
 * `stepback rehearse`: prove every down of this release works, in a scratch database (see
 * src/rehearse/rehearse.ts). The scratch server is STEPBACK_REHEARSE_URL, else --database-url / DATABASE_URL
 * (a fresh database is created there and dropped; the URL's own database is never touched), else an
 * embedded PostgreSQL. Exit 0 ok · 1 an up failed · 2 usage · 3 a down is broken (or an irreversible
 * migration under --require-reversible).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { describeError, ExitCode, StepbackError } from '../../core/errors.ts';
import { passwordOf, redactSecrets } from '../../core/redact.ts';
import { renderMarkdown, renderText } from '../../rehearse/render.ts';
import { commandRehearser } from '../engine-option.ts';
import { checkedRelease, runnerOptions, secretsOf, stderrLogger } from '../output.ts';

interface RehearseCliOptions {
  since?: string;
  release?: string;
  requireReversible?: boolean;
  all?: boolean;
  cache?: string | false;
  columnOrder?: boolean;
  markdown?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('rehearse')
    .description("rehearse this release's down migrations in a scratch database: up, down, compare, up again")
    .option(
      '--since <release-or-manifest>',
      'the previous release: its manifest file, or a release rehearsed before',
    )
    .option('--release <release>', "this release's name (report and cache)")
    .option('--require-reversible', 'fail when a new migration has no down')
    .option('--all', 'rehearse every new migration, even those rehearsed before with the same checksums')
    .option('--cache <file>', 'rehearsal cache file (default .stepback/rehearsed.json)')
    .option('--no-cache', 'neither read nor write the rehearsal cache')
    .option('--column-order', 'also compare column positions')
    .option('--markdown <file>', 'also write the report as markdown (e.g. $GITHUB_STEP_SUMMARY)')
    .option('--json', 'print the stepback/rehearsal@1 report on stdout')
    .action(async (options: RehearseCliOptions, cmd: Command) => {
      const rehearseUrl = process.env.STEPBACK_REHEARSE_URL || undefined;
      let secrets = [...secretsOf(cmd.optsWithGlobals()), passwordOf(rehearseUrl)].filter(
        (s): s is string => typeof s === 'string' && s.length > 0,
      );
      try {
        const opts = runnerOptions(cmd);
        secrets = [...opts.secrets, ...secrets];
        const log = stderrLogger(secrets);
        const { rehearse, manageCommand } = await commandRehearser(cmd);
        const report = await rehearse({
          dir: opts.dir,
          cwd: process.cwd(),
          env: process.env,
          ...(manageCommand ? { manageCommand } : {}),
          secrets,
          since: options.since,
          databaseUrl: rehearseUrl ?? opts.databaseUrl,
          release: checkedRelease(options.release, '--release'),
          requireReversible: options.requireReversible ?? false,
          all: options.all ?? false,
          cacheFile: options.cache === false ? false : options.cache,
          columnOrder: options.columnOrder ?? false,
          log,
        });
        process.stderr.write(redactSecrets(renderText(report), secrets));
        if (options.markdown) {
          mkdirSync(dirname(options.markdown), { recursive: true });
          writeFileSync(options.markdown, redactSecrets(renderMarkdown(report), secrets), { flag: 'a' });
        }
        if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(report), secrets)}\n`);
        process.exitCode = report.exitCode;
      } catch (error) {
        const exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
        const message = redactSecrets(describeError(error), secrets);
        process.stderr.write(`stepback rehearse: ${message}\n`);
        if (options.json)
          process.stdout.write(
            `${JSON.stringify({ format: 'stepback/rehearsal@1', exitCode, error: message })}\n`,
          );
        process.exitCode = exitCode;
      }
    });
}
