/**
 * The `stepback` CLI. Each command lives in commands/<name>.ts and registers itself; this file owns the
 * global options and maps anything thrown to an exit code once (README "Exit codes": 0 ok · 1 migration
 * failed · 2 usage · 3 refused · 4 lock timeout). It never prints a stack or a password.
 */
import { Command, CommanderError } from 'commander';
import { describeError, ExitCode, StepbackError } from '../core/errors.ts';
import { passwordOf, redactSecrets } from '../core/redact.ts';
import { RUNNER_VERSION } from '../migrate/version.ts';
import { EXECUTABLE_BUILD } from './build-info.ts';
import { COMMAND_NAMES, type CommandName, commandName } from './command-name.ts';

interface CommandModule {
  register: (program: Command) => void;
}

/**
 * Every command's module, loaded lazily: a run of `stepback up` in an app container evaluates only the `up`
 * module, not the AWS SDK, zod schemas or the rehearsal code other commands need (start-up time is part of
 * the benchmark against psql). The built CLI goes further: dist/cli.js loads a bundle holding just the named
 * command (dispatch.ts). Other engineers add their command here and in COMMAND_NAMES, one line each.
 */
const COMMANDS: Record<CommandName, () => Promise<CommandModule>> = {
  up: () => import('./commands/up.ts'),
  down: () => import('./commands/down.ts'),
  status: () => import('./commands/status.ts'),
  manifest: () => import('./commands/manifest.ts'),
  plan: () => import('./commands/plan.ts'),
  resolve: () => import('./commands/resolve.ts'),
  verify: () => import('./commands/verify.ts'),
  rehearse: () => import('./commands/rehearse.ts'),
  sync: () => import('./commands/sync.ts'),
  pipeline: () => import('./commands/pipeline.ts'),
  adopt: () => import('./commands/adopt.ts'),
};

/** The package version; the standalone executable adds its commit and the Node and platform inside it. */
function versionText(): string {
  if (!EXECUTABLE_BUILD) return RUNNER_VERSION;
  const { commit } = EXECUTABLE_BUILD;
  return `${RUNNER_VERSION} (executable, commit ${commit}, Node ${process.version}, ${process.platform}-${process.arch})`;
}

/** The program with `only` registered, or every command (for help and unknown commands). */
export async function buildProgram(only?: CommandName): Promise<Command> {
  const program = new Command('stepback')
    .description('safe database migrations for container deploys: run once under a lock, roll back verified')
    .version(versionText())
    .option('--dir <dir>', 'migrations directory (env STEPBACK_DIR; default ./migrations)')
    .option('--database-url <url>', 'PostgreSQL connection URL (env DATABASE_URL)')
    .option('--schema <schema>', 'schema for the stepback tables (env STEPBACK_SCHEMA; default public)')
    .option('--wait <seconds>', 'keep retrying the connection this long while the database starts')
    .option(
      '--lock-timeout <seconds>',
      'give up waiting for the migration lock after this long (default 300)',
    )
    .option(
      '--engine <name>',
      'what runs the migrations: stepback (its own files, the default) or django (env STEPBACK_ENGINE, or stepback.json)',
    )
    .option(
      '--manage-command <command>',
      'django: how to run the project\'s manage.py (env STEPBACK_MANAGE_COMMAND; default "python3 manage.py")',
    )
    .showHelpAfterError()
    .exitOverride();
  const names = only ? [only] : COMMAND_NAMES;
  const modules = await Promise.all(names.map((name) => COMMANDS[name]()));
  for (const mod of modules) mod.register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(commandName(argv.slice(2)));
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other parse error is a usage error (commander already printed it).
      const benign = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      process.exitCode = benign.includes(error.code) ? ExitCode.ok : ExitCode.usage;
      return;
    }
    const secrets = [passwordOf(process.env.DATABASE_URL), process.env.PGPASSWORD];
    const urlIndex = argv.indexOf('--database-url');
    if (urlIndex !== -1) secrets.push(passwordOf(argv[urlIndex + 1]));
    for (const arg of argv) if (arg.startsWith('--database-url=')) secrets.push(passwordOf(arg.slice(15)));
    process.stderr.write(`stepback: ${redactSecrets(describeError(error), secrets)}\n`);
    process.exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
  }
}

// Not awaited at the top level: the built CLI is CommonJS (dispatch.ts). main() settles every error itself.
void main(process.argv);
