/**
 * How the flows start the stepback CLI when no runner command is given: inside the image (ECS, CodeBuild) or
 * on the runner. `--no-install` never installs, and `--offline` keeps npx from asking the registry about a
 * package it would not install anyway; a missing stepback then fails at once, reported as a run stepback
 * never reported on (exit 5).
 */
export const DEFAULT_RUNNER_COMMAND: readonly string[] = ['npx', '--no-install', '--offline', 'stepback'];
