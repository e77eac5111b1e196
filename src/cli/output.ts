/**
 * CLI plumbing shared by the commands: global options → runner options, the stderr logger (redacted), and
 * the one-line JSON result on stdout. Human progress goes to stderr; with --json, stdout carries exactly one
 * line, printed last, also on failure (the pipeline finds it in ECS/CloudWatch logs).
 */
import type { Command } from 'commander';
import { describeError, ExitCode, StepbackError, UsageError } from '../core/errors.ts';
import { quoteName, RELEASE_NAME_RULE, releaseNameProblem } from '../core/names.ts';
import { connectionSecrets, redactSecrets } from '../core/redact.ts';
import { passfileSecrets } from '../migrate/connect.ts';
import { RESULT_FORMAT, type RunResult } from '../migrate/result.ts';
import type { RunnerOptions } from '../migrate/runner.ts';

export interface GlobalOptions {
  engine?: string;
  manageCommand?: string;
  dir?: string;
  databaseUrl?: string;
  schema?: string;
  wait?: string;
  lockTimeout?: string;
}

type Env = Record<string, string | undefined>;

/** Every secret the output must never contain. */
export function secretsOf(globals: GlobalOptions, env: Env = process.env): string[] {
  return [...connectionSecrets(globals.databaseUrl, env), ...passfileSecrets(env)];
}

export function stderrLogger(secrets: string[]): (line: string) => void {
  return (line) => process.stderr.write(`${redactSecrets(line, secrets)}\n`);
}

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback * 1000;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${name} must be a number of seconds, got "${value}"`);
  return Math.round(n * 1000);
}

/**
 * The migrations directory from the environment. STEPBACK_DIR is its one name; STEPBACK_MIGRATIONS_DIR (what
 * `stepback pipeline` once derived from its `migrations-dir` input) still works with a notice, and both set to
 * different folders is refused rather than one silently winning.
 */
export function dirFromEnv(env: Env, warn: (line: string) => void): string | undefined {
  const dir = env.STEPBACK_DIR || undefined;
  const old = env.STEPBACK_MIGRATIONS_DIR || undefined;
  if (old === undefined) return dir;
  if (dir !== undefined && dir !== old)
    throw new UsageError(
      `STEPBACK_DIR (${dir}) and STEPBACK_MIGRATIONS_DIR (${old}) both name the migrations directory and differ`,
      { hint: 'unset STEPBACK_MIGRATIONS_DIR; STEPBACK_DIR is the one name for this setting' },
    );
  warn('warning: STEPBACK_MIGRATIONS_DIR is deprecated; set STEPBACK_DIR instead (same setting)');
  return old;
}

/**
 * A release name from a flag or the environment, held to the one rule (core/names.ts) before it is recorded
 * with any change: the actions, the manifests and the stores refuse what this would otherwise write.
 */
export function checkedRelease(
  value: string | undefined,
  flag: string,
  envName = 'STEPBACK_RELEASE',
  env: Env = process.env,
): string | undefined {
  const fromEnv = value === undefined;
  const release = value ?? (env[envName] || undefined);
  if (release === undefined) return undefined;
  const problem = releaseNameProblem(release);
  if (problem === undefined) return release;
  throw new UsageError(
    `${fromEnv ? envName : flag} ${quoteName(release)} is not a release name: it ${problem}`,
    {
      hint: `release names use ${RELEASE_NAME_RULE}; they become store keys, file names and git tags`,
    },
  );
}

/** Global options with their environment fallbacks. */
export function runnerOptions(cmd: Command, env: Env = process.env): RunnerOptions & { secrets: string[] } {
  const g = cmd.optsWithGlobals<GlobalOptions & { release?: string }>();
  const secrets = secretsOf(g, env);
  const log = stderrLogger(secrets);
  return {
    dir: g.dir ?? dirFromEnv(env, log) ?? './migrations',
    databaseUrl: g.databaseUrl ?? env.DATABASE_URL,
    schema: g.schema ?? env.STEPBACK_SCHEMA ?? 'public',
    waitMs: seconds('--wait', g.wait ?? env.STEPBACK_WAIT, 0),
    lockTimeoutMs: seconds('--lock-timeout', g.lockTimeout ?? env.STEPBACK_LOCK_TIMEOUT, 300),
    release: checkedRelease(g.release, '--release', 'STEPBACK_RELEASE', env) ?? null,
    log,
    env,
    secrets,
  };
}

/** The failure document for an error thrown before the runner produced a result. */
export function errorResult(command: RunResult['command'], error: unknown, secrets: string[]): RunResult {
  return {
    format: RESULT_FORMAT,
    command,
    ok: false,
    exitCode: error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed,
    release: null,
    runId: null,
    applied: [],
    reverted: [],
    failed: null,
    error: redactSecrets(describeError(error), secrets),
  };
}

/** Prints the outcome (JSON line or human error) and sets the exit code. */
export function finish(result: RunResult, json: boolean, secrets: string[]): void {
  if (!result.ok && result.error)
    process.stderr.write(`stepback ${result.command}: ${redactSecrets(result.error, secrets)}\n`);
  if (json) process.stdout.write(`${redactSecrets(JSON.stringify(result), secrets)}\n`);
  process.exitCode = result.exitCode;
}

/**
 * Runs a result-producing command: any error thrown before the runner returned (bad options, unreadable
 * plan) still yields the one JSON line and the right exit code.
 */
export async function runResultCommand(
  command: RunResult['command'],
  cmd: Command,
  json: boolean,
  body: (opts: RunnerOptions) => Promise<RunResult>,
): Promise<void> {
  let secrets = secretsOf(cmd.optsWithGlobals<GlobalOptions>());
  let result: RunResult;
  try {
    const opts = runnerOptions(cmd);
    secrets = opts.secrets;
    result = await body(opts);
  } catch (error) {
    result = errorResult(command, error, secrets);
  }
  finish(result, json, secrets);
}
