import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeError, ExitCode, StepbackError, UsageError } from '../../core/errors.ts';
import { buildManifest, DEFAULT_ENGINE, type ManifestMigration } from '../../core/release-manifest.ts';
import { commandReader } from '../engine-option.ts';
import { checkOutFile, writeOutFile } from '../out-file.ts';
import { checkedRelease, runnerOptions } from '../output.ts';

/** `SOURCE_DATE_EPOCH` (seconds) when set, so the same files give a byte-identical manifest. */
export function manifestTime(
  env: Record<string, string | undefined>,
  now: () => Date = () => new Date(),
): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return now();
  if (!/^\d+$/.test(epoch))
    throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}

export function register(program: Command): void {
  program
    .command('manifest')
    .description("write this directory's release manifest (stepback/manifest@2)")
    .option('--release <release>', 'the release it describes (env STEPBACK_RELEASE)')
    .option('--out <file>', 'write to FILE instead of stdout')
    .option(
      '--sources-out <file>',
      "also write the release's source bundle to FILE (the manifest records its digest as sourceBundle), for a store to keep beside the manifest",
    )
    .option('--image <ref>', 'the image, by digest (<registry>/app@sha256:...)')
    .option('--task-definition-arn <arn>', 'the registered task definition')
    .option('--repository <owner/name>', 'source repository')
    .option('--commit <sha>', 'source commit')
    .action(
      async (
        options: {
          release?: string;
          out?: string;
          sourcesOut?: string;
          image?: string;
          taskDefinitionArn?: string;
          repository?: string;
          commit?: string;
        },
        cmd: Command,
      ) => {
        try {
          const release = checkedRelease(options.release, '--release');
          if (!release) throw new UsageError('manifest needs --release R (or env STEPBACK_RELEASE)');
          if ((options.repository === undefined) !== (options.commit === undefined))
            throw new UsageError('--repository and --commit go together');
          if (options.out !== undefined) checkOutFile(options.out);
          if (options.sourcesOut !== undefined) {
            checkOutFile(options.sourcesOut, '--sources-out');
            if (options.out !== undefined && resolve(options.out) === resolve(options.sourcesOut))
              throw new UsageError('--out and --sources-out name the same file', {
                hint: 'the manifest and the source bundle are two documents: give each its own file',
              });
          }
          const { engine, read, manageCommand } = await commandReader(cmd);
          if (options.sourcesOut !== undefined && engine !== DEFAULT_ENGINE)
            throw new UsageError(
              `--sources-out: the ${engine} engine's migrations are code, which a source bundle cannot carry (their downs run only from the release's image)`,
              { hint: 'leave out --sources-out for this engine' },
            );
          const runner = runnerOptions(cmd);
          let migrations: ManifestMigration[];
          let targets: Record<string, string> | undefined;
          let sources: { bytes: Uint8Array; digest: string } | undefined;
          if (options.sourcesOut !== undefined) {
            // The bundle and the manifest entries from one reading of the directory, as record-release makes them.
            const { loadReleaseSources } = await import('../../pipeline/local/sources.ts');
            ({ migrations, sources } = await loadReleaseSources(runner.dir, release));
          } else ({ migrations, targets } = await read({ ...runner, manageCommand }));
          const manifest = buildManifest({
            release,
            createdAt: manifestTime(process.env),
            engine,
            migrations,
            ...(targets ? { targets } : {}),
            source:
              options.repository && options.commit
                ? { repository: options.repository, commit: options.commit }
                : undefined,
            image: options.image,
            taskDefinitionArn: options.taskDefinitionArn,
            ...(sources ? { sourceBundle: sources.digest } : {}),
          });
          // Held to the schema it will be read back with (names included) before it is written anywhere.
          const { parseManifest } = await import('../../core/manifest-schema.ts');
          parseManifest(manifest, `the manifest of release ${release}`);
          const text = `${JSON.stringify(manifest, null, 2)}\n`;
          // The bundle before the manifest, as a store keeps them: a manifest never names a bundle not written.
          if (options.sourcesOut !== undefined && sources) {
            writeOutFile(options.sourcesOut, sources.bytes, '--sources-out');
            process.stderr.write(
              `wrote ${options.sourcesOut}: the source bundle of ${release} (${sources.digest}, ${sources.bytes.length} bytes)\n`,
            );
          }
          if (options.out) {
            writeOutFile(options.out, text);
            process.stderr.write(
              `wrote ${options.out}: release ${release}, ${manifest.migrations.length} migration(s)\n`,
            );
          } else process.stdout.write(text);
          process.exitCode = ExitCode.ok;
        } catch (error) {
          process.stderr.write(`stepback manifest: ${describeError(error)}\n`);
          process.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
        }
      },
    );
}
