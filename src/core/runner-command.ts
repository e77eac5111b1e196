/**
 * How the flows start the stepback CLI when no runner command is given: inside the image (ECS, CodeBuild) or
 * on the runner. An image holds stepback in one of two ways, the npm package (with Node) or the standalone
 * executable (copied onto PATH), so the default is a small POSIX shell launcher that runs the first it finds:
 *
 * 1. `node_modules/.bin/stepback` in the working directory: the project's own pinned package. First, as npx
 *    itself would, so an image or checkout that ran with the old `npx` default runs the very same stepback;
 * 2. `stepback` on PATH: the standalone executable (or a global install);
 * 3. `npx --no-install --offline stepback`: a package npx finds elsewhere (a parent directory's
 *    node_modules). `--no-install` never installs, and `--offline` keeps npx from asking the registry about a
 *    package it would not install anyway.
 *
 * With none of them it says so on stderr and exits 127 (a shell's "not found"), before anything ran: the flow
 * reports a run stepback never reported on (exit 5), with that line in the run's output above the message.
 * The arguments follow as `"$@"` (sh -c's $0 is the name after the script), so they are never re-quoted or
 * split. It is one short line because it travels in every RunTask override, inside ECS's 8192 characters
 * (core/ecs-override.ts), beside the rollback plan. Images without `sh` (distroless) set `runner-command`.
 */
const BIN = 'node_modules/.bin/stepback';

/** The launcher's exit code when it finds no stepback: a shell's "command not found". */
export const RUNNER_NOT_FOUND_EXIT = 127;

export const RUNNER_LAUNCHER =
  `b=${BIN};[ -x $b ]&&exec $b "$@";` +
  'command -v stepback >/dev/null&&exec stepback "$@";' +
  'command -v npx >/dev/null&&exec npx --no-install --offline stepback "$@";' +
  `echo "stepback not found: no $b in $PWD, no stepback or npx on PATH" >&2;exit ${RUNNER_NOT_FOUND_EXIT}`;

export const DEFAULT_RUNNER_COMMAND: readonly string[] = ['sh', '-c', RUNNER_LAUNCHER, 'stepback'];

/** Where the default looks, in words, for input documentation and messages. */
export const DEFAULT_RUNNER_TEXT =
  '`node_modules/.bin/stepback` in the working directory, else `stepback` on PATH (the standalone executable), else `npx --no-install --offline stepback`';
