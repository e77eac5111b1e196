/**
 * Forward flow, step "migrate": run the engine's `up` once (stepback's own `stepback up`, or another
 * engine's program, src/core/remote-engine.ts), through whichever executor the team uses (one-off ECS task
 * from the new task definition, CodeBuild build, or the runner itself), and report what it applied. The
 * executor decides success (exit code of the named container); the run's result line says what happened
 * inside.
 */
import { ExitCode } from '../core/errors.ts';
import type { ExecResult, Log, MigrationExecutor } from '../core/ports.ts';
import { callRequest, type RemoteEngine } from '../core/remote-engine.ts';
import type { RunAdoption, RunnerResult } from '../core/run-result.ts';
import type { StepVerdict } from '../core/step-verdict.ts';
import { type NotReportedWords, notReported, notReportedText } from './not-reported.ts';
import { resultErrorText } from './result-text.ts';
import { stepbackRemote } from './stepback-remote.ts';

export interface MigrateOptions {
  release: string;
  /** ECS: the new release's task definition (the image whose migrations run). */
  taskDefinitionArn?: string;
  /** Extra `up` flags, e.g. `--single-transaction`. */
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Stable per pipeline attempt, so a retried step never starts a second run. */
  idempotencyKey: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** What runs the migrations in the release's code (default: stepback's own CLI). */
  engine?: RemoteEngine;
}

export interface MigrateOutcome {
  ok: boolean;
  /**
   * The runner's exit code (0 done, 1 failed migration, 2 usage, 3 refused, 4 lock), 5 when the run's output
   * holds no stepback result (it never started), null when nothing is known.
   */
  exitCode: number | null;
  /** Task ARN, build id or `runner:<pid>`. */
  runId: string;
  applied: { name: string; durationMs: number }[];
  failed: { name: string; message: string } | null;
  /** With `--adopt`: what the run took over before applying (or why nothing), as it reported it. */
  adoption: RunAdoption | null;
  /** One paragraph saying what happened, for logs, annotations and the summary. */
  message: string;
  /** False when the run printed no result line (the executor could not capture stdout, or it never started). */
  reported: boolean;
  result?: RunnerResult;
  exec: ExecResult;
}

export async function migrate(
  executor: MigrationExecutor,
  options: MigrateOptions,
  log: Log,
): Promise<MigrateOutcome> {
  const engine = options.engine ?? stepbackRemote;
  const where = options.taskDefinitionArn ? ` from ${options.taskDefinitionArn}` : '';
  log.info(`Running migrations for release ${options.release} (${executor.kind})${where}`);
  const call = engine.up(options.release, options.extraArgs ?? []);
  // The run's own log lines (task logs, build logs, the runner's stderr) fold under one group.
  const exec = await log.group(`${engine.name} up: release ${options.release} (${executor.kind})`, () =>
    executor.run(
      {
        ...callRequest(engine, call, options.env),
        release: options.release,
        ...(options.taskDefinitionArn ? { taskDefinitionArn: options.taskDefinitionArn } : {}),
        idempotencyKey: options.idempotencyKey,
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      log,
    ),
  );
  const result = await engine.readRun(exec.stdout, { command: 'up', release: options.release });
  return migrateOutcome(exec, result, executor.kind, engine.notReported?.(executor.kind));
}

/** Pure: combine the executor's verdict with the runner's own report (`parseRunnerResult(exec.stdout)`). */
export function migrateOutcome(
  exec: ExecResult,
  result: RunnerResult | undefined,
  kind: MigrationExecutor['kind'] = 'runner',
  words?: NotReportedWords,
): MigrateOutcome {
  // The executor's verdict is authoritative for success; the JSON line can only make it worse.
  const unreported = notReported(exec, result !== undefined);
  const exitCode = unreported ? ExitCode.notReported : (exec.exitCode ?? result?.exitCode ?? null);
  const ok = exec.ok && exitCode === ExitCode.ok && (result ? result.ok : true);
  const applied = result?.applied ?? [];
  const failed = result?.failed ?? null;
  const adoption = result?.adoption ?? null;
  let message: string;
  if (ok) {
    message =
      applied.length === 0
        ? `Nothing to apply: the database was already up to date (${exec.id}).`
        : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} (${exec.id}).`;
    if (!result) message += ' The run printed no JSON result, so the applied list is unknown.';
    if (adoption) message = `${adoptionText(adoption)} ${message}`;
  } else if (unreported) {
    message = notReportedText(exec, kind, words);
  } else if (failed) {
    message =
      `Migration ${failed.name} failed: ${failed.message}. It was rolled back; ` +
      `${applied.length} migration${applied.length === 1 ? '' : 's'} before it stay${applied.length === 1 ? 's' : ''} applied (${exec.id}, exit ${exitCode ?? 'unknown'}).`;
  } else {
    const why = resultErrorText(result) ?? exec.message;
    message = `Migrations did not complete (${exec.id}, exit ${exitCode ?? 'unknown'}): ${why}`;
  }
  return {
    ok,
    exitCode,
    runId: exec.id,
    applied,
    failed,
    adoption,
    message,
    reported: result !== undefined,
    ...(result ? { result } : {}),
    exec,
  };
}

/** One sentence on what `--adopt` did: the migrations taken over (the first and last of many), or why none. */
export function adoptionText(adoption: RunAdoption): string {
  if (!adoption.adopted) return `Adoption: ${adoption.reason ?? 'nothing adopted'}.`;
  const n = adoption.migrations.length;
  const names =
    n === 0
      ? ''
      : n <= 3
        ? `: ${adoption.migrations.join(', ')}`
        : `: ${adoption.migrations[0]} … ${adoption.migrations.at(-1)}`;
  return `Adopted ${n} migration${n === 1 ? '' : 's'} from ${adoption.from} (${adoption.table}) as release ${adoption.release}, recorded as applied without running${names}.`;
}

/** How the migrate step ends (src/core/step-verdict.ts). */
export function migrateVerdict(outcome: MigrateOutcome): StepVerdict {
  return {
    ok: outcome.ok,
    exitCode: outcome.exitCode,
    message: outcome.message,
    ...(outcome.failed ? { migration: outcome.failed.name } : {}),
  };
}
