/**
 * A run that stepback never reported on. Every stepback command run by the flows prints its `--json` result
 * line, also on failure; when the executor captured the run's output and it holds no such line, the exit code
 * belongs to something else (npx refusing to install, a shell's 127, an image entry point) and must not be
 * read as stepback's ("1 = a migration failed").
 */
import type { ExecResult, MigrationExecutor } from '../core/ports.ts';
import { DEFAULT_RUNNER_TEXT, RUNNER_NOT_FOUND_EXIT } from '../core/runner-command.ts';

/** Pure: the run failed, its output was read, and it carries no stepback result. */
export function notReported(exec: ExecResult, reported: boolean): boolean {
  return !reported && exec.stdout !== undefined && !(exec.ok && exec.exitCode === 0);
}

const DEFAULT_LOOKS = `the default runner-command runs ${DEFAULT_RUNNER_TEXT}`;

const HINTS: Record<MigrationExecutor['kind'], string> = {
  runner: `runner-command must start the stepback CLI: ${DEFAULT_LOOKS}, so install stepback in this checkout (in package.json, then \`npm ci\`) or put the executable on PATH; otherwise set runner-command, e.g. \`node path/to/dist/cli.js\`. Its own output is above.`,
  ecs: `the container must run the stepback CLI with the command it is given: check that the image holds it (${DEFAULT_LOOKS}; an image without \`sh\` sets runner-command) and that the container's entry point does not swallow the command (see the README on images with an ENTRYPOINT). The container's output is above.`,
  codebuild: `the build image must hold the stepback CLI that the buildspec runs (${DEFAULT_LOOKS}; otherwise set runner-command); the build's output is above.`,
};

/** What an engine that runs its own program says instead (src/core/remote-engine.ts `notReported`). */
export interface NotReportedWords {
  /** Who never reported, e.g. `the Django program`. */
  who: string;
  /** What to fix, per executor. */
  hint: string;
}

/** The sentence for a run stepback (or the engine's program) never reported on. */
export function notReportedText(
  exec: ExecResult,
  kind: MigrationExecutor['kind'],
  words?: NotReportedWords,
): string {
  // The default launcher's own "not found" (a missing program in a custom runner-command gives the same).
  const notFound =
    exec.exitCode === RUNNER_NOT_FOUND_EXIT
      ? words
        ? ` Exit ${RUNNER_NOT_FOUND_EXIT} is a shell's "command not found".`
        : ` Exit ${RUNNER_NOT_FOUND_EXIT} is a shell's "command not found": no stepback was found to run (the default runner-command prints \`stepback not found: …\` saying where it looked).`
      : '';
  return (
    `${words?.who ?? 'stepback'} never reported a result (${exec.id}: ${exec.message}): it did not start, or was stopped before it could report, ` +
    `so this exit code is not stepback's.${notFound} Fix: ${words?.hint ?? HINTS[kind]} Run \`stepback status\` to see where the database stands.`
  );
}
