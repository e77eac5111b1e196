/**
 * The migration as a CodeBuild build: StartBuild with the release image as
 * imageOverride and an inline buildspec that runs the command; secrets only as SECRETS_MANAGER /
 * PARAMETER_STORE references; poll BatchGetBuilds; follow the build's CloudWatch stream (its location re-read
 * every poll: it is `…:null` until the build has logs); verdict from buildStatus and the failed phase;
 * StopBuild on timeout and cancellation.
 */

import {
  BatchGetBuildsCommand,
  type Build,
  type CodeBuildClient,
  StartBuildCommand,
  StopBuildCommand,
} from '@aws-sdk/client-codebuild';
import type { TimeDeps } from '../core/clock.ts';
import {
  buildEnvironment,
  buildspecFor,
  plaintextSecretProblems,
  type SecretReference,
} from '../core/codebuild-env.ts';
import {
  type BuildVerdict,
  buildImagePullFailure,
  buildLogLocation,
  buildVerdict,
} from '../core/codebuild-verdict.ts';
import { UsageError } from '../core/errors.ts';
import type { ExecRequest, ExecResult, Log, MigrationExecutor } from '../core/ports.ts';
import { requestCommand } from '../core/remote-engine.ts';
import { isStepbackResultLine } from '../core/result-format.ts';
import { DEFAULT_RUNNER_COMMAND } from '../core/runner-command.ts';
import { AwsAccessError, awsCall, callContext, errorText } from './aws-call.ts';
import { type LogsClient, LogTail } from './log-tail.ts';

export interface RunBuildOptions {
  projectName: string;
  /** The release's image (imageOverride); the project's image when absent. */
  image?: string;
  command: string[];
  /** PLAINTEXT variables: refused when they are, or look like, secrets. */
  environment?: Record<string, string>;
  /** Names in `environment` the caller knows are secret (always refused as plaintext). */
  secretNames?: string[];
  /** Secrets as references CodeBuild resolves itself. */
  secretEnvironment?: Record<string, SecretReference>;
  /** StartBuild idempotencyToken (CodeBuild honours it for 5 minutes). */
  idempotencyKey?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** BatchGetBuilds cadence (default 5 s). */
  pollIntervalMs?: number;
  echo?: boolean;
  /** A log line that means "the command is done" (as runTask's; default: the stepback CLI's result line). */
  finishedLine?: (line: string) => boolean;
}

export interface BuildRunResult {
  ok: boolean;
  exitCode: number | null;
  buildId: string;
  message: string;
  lines: string[];
  logsRead: boolean;
  build?: Build;
}

export interface RunBuildClients {
  codebuild: CodeBuildClient;
  logs: LogsClient;
}

/** CodeBuild's timeoutInMinutesOverride: 5–2160 minutes, a little over our own deadline so we stop first. */
export function buildTimeoutMinutes(timeoutMs: number): number {
  return Math.min(2160, Math.max(5, Math.ceil(timeoutMs / 60_000) + 5));
}

export async function runBuild(
  clients: RunBuildClients,
  o: RunBuildOptions,
  log: Log,
  deps: TimeDeps = {},
): Promise<BuildRunResult> {
  const problems = plaintextSecretProblems(o.environment ?? {}, o.secretNames);
  if (problems.length > 0)
    throw new UsageError('Refusing to send secrets to CodeBuild as plaintext environment variables', {
      problems,
      hint: 'pass them as SECRETS_MANAGER or PARAMETER_STORE references, or set them in the CodeBuild project',
    });
  const ctx = callContext(log, deps, { timeoutMs: o.timeoutMs, signal: o.signal });
  const { clock } = ctx;
  const deadline = ctx.deadline!;
  const pollMs = o.pollIntervalMs ?? 5_000;
  const echo = o.echo ?? true;
  const finished = o.finishedLine ?? isStepbackResultLine;
  const empty = { lines: [] as string[], logsRead: false };
  if (o.signal?.aborted)
    return {
      ...empty,
      ok: false,
      exitCode: null,
      buildId: '',
      message: 'Cancelled before the build was started',
    };

  let started: Build | undefined;
  try {
    const out = await awsCall(
      'codebuild:StartBuild',
      () =>
        clients.codebuild.send(
          new StartBuildCommand({
            projectName: o.projectName,
            ...(o.image ? { imageOverride: o.image } : {}),
            buildspecOverride: buildspecFor(o.command),
            environmentVariablesOverride: buildEnvironment(o.environment ?? {}, o.secretEnvironment ?? {}),
            timeoutInMinutesOverride: buildTimeoutMinutes(o.timeoutMs),
            ...(o.idempotencyKey ? { idempotencyToken: o.idempotencyKey.slice(0, 64) } : {}),
          }),
        ),
      ctx,
    );
    started = out.build;
  } catch (error) {
    if (error instanceof AwsAccessError) throw error;
    throw new UsageError(`StartBuild of project ${o.projectName} failed: ${errorText(error)}`, {
      cause: error,
    });
  }
  const buildId = started?.id;
  if (!started || !buildId) throw new UsageError(`StartBuild of project ${o.projectName} returned no build`);
  log.info(`Started build ${buildId}${o.image ? ` with image ${o.image}` : ''}`);

  let build: Build | undefined = started;
  let tail: LogTail | undefined;
  let sawFinish = false;
  let phase = build.currentPhase;
  let verdict: BuildVerdict = buildVerdict(build);
  const lines = () => tail?.lines ?? [];
  const result = (ok: boolean, exitCode: number | null, message: string): BuildRunResult => ({
    ok,
    exitCode,
    buildId,
    message,
    lines: lines(),
    logsRead: tail?.exists ?? false,
    ...(build ? { build } : {}),
  });
  const giveUp = async (why: string): Promise<BuildRunResult> => {
    log.error(why);
    let stop: string;
    try {
      await awsCall(
        'codebuild:StopBuild',
        () => clients.codebuild.send(new StopBuildCommand({ id: buildId })),
        {
          ...ctx,
          signal: undefined,
          deadline: undefined,
        },
      );
      // StopBuild takes no reason; ours is in the log and the result message.
      log.warn(`Stopped build ${buildId}: ${why}`);
      stop = 'StopBuild sent';
    } catch (error) {
      log.error(`StopBuild ${buildId} failed: ${errorText(error)}; stop it by hand`);
      stop = `StopBuild FAILED (${errorText(error)}): the build may still be running`;
    }
    await tail?.poll().catch(() => 0);
    return result(false, null, `${why}; ${stop}`);
  };

  try {
    for (;;) {
      if (o.signal?.aborted)
        return await giveUp(`Cancelled while build ${buildId} was in ${phase ?? 'SUBMITTED'}`);
      if (clock.now() >= deadline)
        return await giveUp(
          `Timed out after ${(o.timeoutMs / 60_000).toFixed(1)} min waiting for build ${buildId} (${phase ?? '?'})`,
        );
      const out = await awsCall(
        'codebuild:BatchGetBuilds',
        () => clients.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] })),
        ctx,
      );
      build = out.builds?.find((b) => b.id === buildId) ?? build;
      if (build?.currentPhase !== phase) {
        log.info(`Build ${buildId}: ${phase ?? '?'} → ${build?.currentPhase}`);
        phase = build?.currentPhase;
      }
      // Re-read the log location every poll: it is …:null until the build has logs.
      const where = build ? buildLogLocation(build) : undefined;
      if (where && !tail) {
        tail = new LogTail(
          clients.logs,
          where.group,
          where.stream,
          (line) => {
            if (echo) log.info(line);
            if (finished(line)) sawFinish = true;
          },
          ctx,
        );
      }
      await tail?.poll();
      verdict = buildVerdict(build ?? {});
      if (verdict.state !== 'running') break;
      const wait = Math.max(0, Math.min(sawFinish ? 1_000 : pollMs, deadline - clock.now()));
      await clock.sleep(wait, o.signal);
    }
  } catch (error) {
    if (error instanceof AwsAccessError) {
      const stopped = await giveUp(`Lost access while waiting for build ${buildId} (${error.operation})`);
      error.problems.push(stopped.message);
    }
    throw error;
  }

  // The build ended before any poll saw a log location (logs can lag): look again a few times, unless its
  // image could not be pulled (the container never started, so it has nothing to log).
  const pullFailed = build !== undefined && buildImagePullFailure(build) !== undefined;
  for (let look = 0; !tail && !pullFailed && look < 3; look++) {
    await clock.sleep(2_000);
    const out = await awsCall(
      'codebuild:BatchGetBuilds',
      () => clients.codebuild.send(new BatchGetBuildsCommand({ ids: [buildId] })),
      { ...ctx, deadline: undefined },
    ).catch(() => undefined);
    const where = out?.builds?.[0] ? buildLogLocation(out.builds[0]) : undefined;
    if (where)
      tail = new LogTail(
        clients.logs,
        where.group,
        where.stream,
        (line) => (echo ? log.info(line) : undefined),
        ctx,
      );
  }
  if (tail) await tail.drain(sawFinish ? 100 : 1_000);
  else log.warn(`Build ${buildId} reported no CloudWatch log stream`);
  if (verdict.state === 'succeeded') {
    log.info(verdict.message);
    return result(true, 0, verdict.message);
  }
  if (verdict.state === 'failed') {
    log.error(verdict.message);
    return result(false, verdict.exitCode, verdict.message);
  }
  return result(false, null, `Build ${buildId} ended without a verdict`);
}

export interface CodeBuildExecutorConfig extends TimeDeps {
  clients: RunBuildClients;
  projectName: string;
  /** The release's image; per request, `imageFor(release)` wins. */
  image?: string;
  imageFor?: (release: string) => string | undefined;
  runnerCommand?: string[];
  secretEnvironment?: Record<string, SecretReference>;
  secretNames?: string[];
  pollIntervalMs?: number;
}

export class CodeBuildExecutor implements MigrationExecutor {
  readonly kind = 'codebuild' as const;
  readonly runs = 'image' as const;

  constructor(private readonly config: CodeBuildExecutorConfig) {}

  async run(request: ExecRequest, log: Log): Promise<ExecResult> {
    const c = this.config;
    const image = c.imageFor?.(request.release) ?? c.image;
    const result = await runBuild(
      c.clients,
      {
        projectName: c.projectName,
        ...(image ? { image } : {}),
        command: requestCommand(request, c.runnerCommand ?? DEFAULT_RUNNER_COMMAND),
        environment: request.env,
        ...(c.secretNames ? { secretNames: c.secretNames } : {}),
        ...(c.secretEnvironment ? { secretEnvironment: c.secretEnvironment } : {}),
        idempotencyKey: request.idempotencyKey,
        timeoutMs: request.timeoutMs,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.isResultLine ? { finishedLine: request.isResultLine } : {}),
        ...(c.pollIntervalMs !== undefined ? { pollIntervalMs: c.pollIntervalMs } : {}),
      },
      log,
      c,
    );
    const pull = result.build && !result.ok ? buildImagePullFailure(result.build) : undefined;
    return {
      ok: result.ok,
      exitCode: result.exitCode,
      id: result.buildId || 'codebuild:not-started',
      message: result.message,
      ...(result.logsRead
        ? { stdout: result.lines.filter((l) => !l.startsWith('[Container] ')).join('\n') }
        : {}),
      ...(pull ? { imageUnavailable: pull } : {}),
    };
  }
}
