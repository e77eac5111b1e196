/**
 * The migration as a one-off ECS task: RunTask from a full task
 * definition ARN with a clientToken, failures[] reported in full and capacity shortages retried, our own
 * polling loop (never the SDK waiters), the named container's verdict, its awslogs stream printed while it
 * runs and drained after, and StopTask with a reason on timeout or cancellation.
 */

import {
  type CapacityProviderStrategyItem,
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type DescribeTaskDefinitionCommandOutput,
  DescribeTasksCommand,
  type ECSClient,
  type LaunchType,
  type NetworkConfiguration,
  RunTaskCommand,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { classifyAwsError, fullJitterDelay } from '../core/aws-errors.ts';
import { clientTokenFor } from '../core/client-token.ts';
import type { TimeDeps } from '../core/clock.ts';
import {
  describeFailures,
  isCapacityFailure,
  type TaskVerdict,
  taskId,
  taskVerdict,
} from '../core/ecs-verdict.ts';
import { RefusedError, UsageError } from '../core/errors.ts';
import type { Log } from '../core/ports.ts';
import { isStepbackResultLine } from '../core/result-format.ts';
import { AwsAccessError, awsCall, type CallContext, callContext, errorText } from './aws-call.ts';
import { type LogsClient, LogTail } from './log-tail.ts';

export interface RunTaskOptions {
  cluster: string;
  /** The task definition to run; resolved to its full ARN before RunTask. Defaults to the service's. */
  taskDefinition?: string;
  /** Copy task definition (unless given), network configuration, launch type or capacity provider strategy and platform version from this service. */
  service?: string;
  /** The container whose command is overridden and whose exit code decides. */
  containerName: string;
  command: string[];
  environment?: Record<string, string>;
  startedBy?: string;
  tags?: Record<string, string>;
  /** Stable per pipeline attempt; becomes the clientToken. */
  idempotencyKey: string;
  launchType?: LaunchType;
  /** The role the task runs as instead of the task definition's (overrides.taskRoleArn; needs iam:PassRole). */
  taskRoleArn?: string;
  /**
   * The container's task definition entry point runs its arguments (ends in `exec "$@"`): run through it.
   * Otherwise an entry point other than `env` is refused before the task starts (entryPointRefusal).
   */
  entryPointRunsCommand?: boolean;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** DescribeTasks cadence (default 6 s: DescribeTasks shares a ~20 TPS bucket). */
  pollIntervalMs?: number;
  /** Log stream cadence while the task runs (default 1 s; GetLogEvents allows 25 TPS per account and region). */
  logIntervalMs?: number;
  /** Cadence once the finish line was seen in the logs (default 1 s, for at most `fastPolls` polls). */
  fastPollIntervalMs?: number;
  fastPolls?: number;
  /** RunTask attempts after capacity shortages (default 6 in all). */
  capacityAttempts?: number;
  /**
   * A log line that means "the command is done" (the engine's result line, RemoteEngine.isResultLine;
   * default: the stepback CLI's `stepback/result@1` JSON line).
   */
  finishedLine?: (line: string) => boolean;
  /** Print the container's lines to the log (default true). */
  echo?: boolean;
}

export interface TaskRunResult {
  ok: boolean;
  exitCode: number | null;
  /** Empty when no task was started. */
  taskArn: string;
  taskDefinitionArn: string;
  message: string;
  /** The container's log lines (stdout and stderr, as awslogs has them). */
  lines: string[];
  /** False when the container has no awslogs configuration or its stream never appeared. */
  logsRead: boolean;
  /** The last DescribeTasks view of the task. */
  task?: Task;
}

export interface RunTaskClients {
  ecs: ECSClient;
  logs: LogsClient;
  logsIn?(region: string | undefined): LogsClient;
}

const MISSING_LIMIT = 5;
const RECHECKS = 3;

interface ResolvedRun {
  taskDefinitionArn: string;
  container: ContainerDefinition;
  input: RunTaskCommandInput;
}

function kv(record: Record<string, string> | undefined): { name: string; value: string }[] | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  return Object.entries(record).map(([name, value]) => ({ name, value }));
}

async function resolveRun(
  clients: RunTaskClients,
  o: RunTaskOptions,
  ctx: CallContext,
): Promise<ResolvedRun> {
  let fromService: Partial<RunTaskCommandInput> = {};
  let taskDefinition = o.taskDefinition;
  if (o.service) {
    const out = await awsCall(
      'ecs:DescribeServices',
      () => clients.ecs.send(new DescribeServicesCommand({ cluster: o.cluster, services: [o.service!] })),
      ctx,
    );
    const service = out.services?.[0];
    if (!service)
      throw new UsageError(`Service ${o.service} was not found in cluster ${o.cluster}`, {
        problems: (out.failures ?? []).map((f) => `${f.arn}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`),
      });
    taskDefinition ??= service.taskDefinition;
    fromService = {
      ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
      ...(service.capacityProviderStrategy?.length
        ? { capacityProviderStrategy: service.capacityProviderStrategy }
        : service.launchType
          ? { launchType: service.launchType }
          : {}),
      ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
    };
  }
  if (!taskDefinition)
    throw new UsageError('No task definition to run: pass a task definition ARN or a service');
  let described: DescribeTaskDefinitionCommandOutput;
  try {
    described = await awsCall(
      'ecs:DescribeTaskDefinition',
      () => clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
      ctx,
    );
  } catch (error) {
    if (error instanceof AwsAccessError) throw error;
    throw new UsageError(`Task definition ${taskDefinition} cannot be described: ${errorText(error)}`, {
      cause: error,
    });
  }
  const td = described.taskDefinition;
  if (!td?.taskDefinitionArn) throw new UsageError(`Task definition ${taskDefinition} was not found`);
  if (td.status !== 'ACTIVE')
    throw new RefusedError(`Task definition ${td.taskDefinitionArn} is ${td.status}: ECS cannot run it`, {
      hint: 'register it again from the release record (its manifest keeps the full task definition)',
    });
  const container = td.containerDefinitions?.find((c) => c.name === o.containerName);
  if (!container)
    throw new UsageError(
      `Task definition ${td.taskDefinitionArn} has no container named ${o.containerName}`,
      {
        problems: [
          `containers: ${(td.containerDefinitions ?? []).map((c) => c.name).join(', ') || '(none)'}`,
        ],
        hint: 'set the container name to the one that holds the stepback CLI',
      },
    );
  // Explicit options win; launch type and capacity provider strategy are mutually exclusive on RunTask.
  const placement: Partial<RunTaskCommandInput> = o.launchType
    ? { launchType: o.launchType }
    : o.capacityProviderStrategy
      ? { capacityProviderStrategy: o.capacityProviderStrategy }
      : fromService.launchType
        ? { launchType: fromService.launchType }
        : fromService.capacityProviderStrategy
          ? { capacityProviderStrategy: fromService.capacityProviderStrategy }
          : {};
  const networkConfiguration = o.networkConfiguration ?? fromService.networkConfiguration;
  const platformVersion = o.platformVersion ?? fromService.platformVersion;
  const environment = kv(o.environment);
  const tags = o.tags ? Object.entries(o.tags).map(([key, value]) => ({ key, value })) : undefined;
  return {
    taskDefinitionArn: td.taskDefinitionArn,
    container,
    input: {
      cluster: o.cluster,
      // Always the full ARN, never a family name: the task must run exactly the release's revision.
      taskDefinition: td.taskDefinitionArn,
      count: 1,
      ...placement,
      ...(networkConfiguration ? { networkConfiguration } : {}),
      ...(platformVersion ? { platformVersion } : {}),
      ...(o.startedBy ? { startedBy: o.startedBy } : {}),
      ...(tags?.length ? { tags } : {}),
      overrides: {
        ...(o.taskRoleArn ? { taskRoleArn: o.taskRoleArn } : {}),
        containerOverrides: [
          { name: o.containerName, command: o.command, ...(environment ? { environment } : {}) },
        ],
      },
    },
  };
}

function awslogsOf(container: ContainerDefinition, id: string) {
  const log = container.logConfiguration;
  if (log?.logDriver !== 'awslogs') return undefined;
  const group = log.options?.['awslogs-group'];
  const prefix = log.options?.['awslogs-stream-prefix'];
  if (!group || !prefix) return undefined;
  return { group, stream: `${prefix}/${container.name}/${id}`, region: log.options?.['awslogs-region'] };
}

/** Start the task, retrying capacity shortages; one distinct, deterministic clientToken per attempt. */
async function startTask(
  ecs: ECSClient,
  resolved: ResolvedRun,
  o: RunTaskOptions,
  ctx: CallContext,
  log: Log,
): Promise<{ task?: Task; message?: string }> {
  const attempts = o.capacityAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    const clientToken = clientTokenFor(o.idempotencyKey, attempt);
    let out: RunTaskCommandOutput;
    try {
      out = await awsCall(
        'ecs:RunTask',
        () => ecs.send(new RunTaskCommand({ ...resolved.input, clientToken })),
        ctx,
      );
    } catch (error) {
      if (error instanceof AwsAccessError) {
        // The permissions RunTask needs beyond ecs:RunTask are the usual cause.
        error.problems.push(
          'RunTask also needs iam:PassRole on the task and execution roles' +
            (resolved.input.tags?.length ? ', and ecs:TagResource because the task is tagged' : ''),
        );
        throw error;
      }
      if (classifyAwsError(error) === 'conflict')
        throw new RefusedError(
          `RunTask refused clientToken ${clientToken}: it was already used for a different request (${errorText(error)})`,
          {
            hint: 'a retried step must send the same parameters; for a new run use a new idempotency key',
            cause: error,
          },
        );
      throw new UsageError(`RunTask failed: ${errorText(error)}`, { cause: error });
    }
    const task = out.tasks?.[0];
    const failures = out.failures ?? [];
    if (task) {
      if (failures.length > 0) log.warn(`RunTask also reported: ${describeFailures(failures)}`);
      return { task };
    }
    const all = describeFailures(failures) || 'no task and no failure reported';
    const retryable = failures.length > 0 && failures.every(isCapacityFailure);
    if (!retryable || attempt >= attempts) {
      const why = retryable ? ` (still no capacity after ${attempt} attempts)` : '';
      return { message: `RunTask started no task${why}: ${all}` };
    }
    const delay = Math.max(1_000, fullJitterDelay(attempt, 5_000, 60_000, ctx.random));
    if (ctx.deadline !== undefined && ctx.clock.now() + delay > ctx.deadline)
      return { message: `RunTask started no task before the timeout: ${all}` };
    log.warn(
      `RunTask: no capacity (${all}); attempt ${attempt + 1} of ${attempts} in ${(delay / 1000).toFixed(0)} s`,
    );
    await ctx.clock.sleep(delay, o.signal);
    if (o.signal?.aborted) return { message: `Cancelled before a task started (last RunTask: ${all})` };
  }
}

async function stopTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  reason: string,
  ctx: CallContext,
  log: Log,
): Promise<string> {
  try {
    await awsCall(
      'ecs:StopTask',
      () => ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason })),
      {
        ...ctx,
        signal: undefined,
        deadline: undefined,
      },
      { maxRetries: 3 },
    );
    log.warn(`Stopped task ${taskId(taskArn)}: ${reason}`);
    return `StopTask sent (reason: ${reason})`;
  } catch (error) {
    log.error(`StopTask ${taskArn} failed: ${errorText(error)}; stop it by hand`);
    return `StopTask FAILED (${errorText(error)}): the task may still be running`;
  }
}

/**
 * RunTask overrides only a container's command: with an entry point in the task definition, ECS runs that
 * entry point with stepback's command as its arguments. That is right for an entry point that ends in
 * `exec "$@"` (one that fetches secrets first, say) and wrong for one that starts the app (gunicorn, a JVM
 * launcher: a one-off "migration" task that serves traffic until it times out), and the two cannot be told
 * apart from here. So any entry point but `env` (which runs its arguments) is refused before a task starts,
 * unless the team says theirs runs its arguments (entryPointRunsCommand). An image's own ENTRYPOINT is not in
 * the task definition and cannot be seen here (the README says what to do about it).
 */
export function entryPointRefusal(
  container: string,
  taskDefinitionArn: string,
  entryPoint: readonly string[],
): RefusedError | undefined {
  if (entryPoint.length === 0 || (entryPoint.length === 1 && /^(\/usr)?(\/bin\/)?env$/.test(entryPoint[0]!)))
    return undefined;
  return new RefusedError(
    `refusing to start a one-off task: container ${container} of ${taskDefinitionArn} has the entry point ${JSON.stringify(entryPoint)}, and RunTask can override only the command, so stepback's command would be that entry point's arguments; nothing was started`,
    {
      hint: 'if the entry point runs its arguments (it ends in exec "$@"), set entry-point-runs-command: true; otherwise give this container "entryPoint": ["env"] in the task definition the migration runs from (env runs its arguments). See the README on images with an ENTRYPOINT.',
    },
  );
}

/** Run one task to completion and judge it. Throws only for configuration and access errors. */
export async function runTask(
  clients: RunTaskClients,
  o: RunTaskOptions,
  log: Log,
  deps: TimeDeps = {},
): Promise<TaskRunResult> {
  const ctx = callContext(log, deps, { timeoutMs: o.timeoutMs, signal: o.signal });
  const resolved = await resolveRun(clients, o, ctx);
  const entryPoint = resolved.container.entryPoint ?? [];
  if (o.entryPointRunsCommand && entryPoint.length > 0)
    log.info(
      `Running stepback through the entry point ${JSON.stringify(entryPoint)} (entry-point-runs-command)`,
    );
  else {
    const refusal = entryPointRefusal(o.containerName, resolved.taskDefinitionArn, entryPoint);
    if (refusal) throw refusal;
  }
  const notStarted = (message: string): TaskRunResult => ({
    ok: false,
    exitCode: null,
    taskArn: '',
    taskDefinitionArn: resolved.taskDefinitionArn,
    message,
    lines: [],
    logsRead: false,
  });
  if (o.signal?.aborted) return notStarted('Cancelled before the task was started');

  const start = await startTask(clients.ecs, resolved, o, ctx, log);
  if (!start.task?.taskArn) return notStarted(start.message ?? 'RunTask started no task');
  return new StartedTask(clients, o, resolved, start.task, log, ctx).watch();
}

/**
 * A started task, from RunTask to its verdict: its log stream followed while it runs, DescribeTasks polled
 * on a cadence that speeds up once the runner printed its result, and StopTask sent when the step is
 * cancelled, times out or loses access.
 */
class StartedTask {
  readonly taskArn: string;
  readonly id: string;
  private task: Task;
  private lastStatus: string | undefined;
  private readonly tail: LogTail | undefined;
  private readonly where: { group: string; stream: string } | undefined;
  private sawFinish = false;
  private readonly clock: CallContext['clock'];
  private readonly deadline: number;
  private readonly pollMs: number;
  private readonly logMs: number;

  constructor(
    private readonly clients: RunTaskClients,
    private readonly o: RunTaskOptions,
    private readonly resolved: ResolvedRun,
    task: Task,
    private readonly log: Log,
    private readonly ctx: CallContext,
  ) {
    this.task = task;
    this.taskArn = task.taskArn!;
    this.id = taskId(this.taskArn);
    this.lastStatus = task.lastStatus;
    this.clock = ctx.clock;
    this.deadline = ctx.deadline!;
    this.pollMs = o.pollIntervalMs ?? 6_000;
    this.logMs = Math.min(o.logIntervalMs ?? 1_000, this.pollMs);
    log.info(
      `Started task ${this.id} (${this.taskArn}) from ${resolved.taskDefinitionArn}, container ${o.containerName}`,
    );
    const where = awslogsOf(resolved.container, this.id);
    this.where = where;
    this.tail = where ? this.followLogs(where) : undefined;
  }

  /** The container's awslogs stream, echoed line by line; the runner's result line marks the end near. */
  private followLogs(where: NonNullable<ReturnType<typeof awslogsOf>>): LogTail {
    const finished = this.o.finishedLine ?? isStepbackResultLine;
    const echo = this.o.echo ?? true;
    const tail = new LogTail(
      this.clients.logsIn?.(where.region) ?? this.clients.logs,
      where.group,
      where.stream,
      (line) => {
        if (echo) this.log.info(line);
        if (finished(line)) this.sawFinish = true;
      },
      this.ctx,
    );
    this.log.info(`Following logs ${where.group} ${where.stream}`);
    return tail;
  }

  async watch(): Promise<TaskRunResult> {
    if (!this.tail)
      this.log.warn(
        `Container ${this.o.containerName} has no awslogs log configuration (awslogs-group and awslogs-stream-prefix): its output cannot be shown, and the migration result can only be judged by its exit code`,
      );
    let verdict: TaskVerdict | TaskRunResult;
    try {
      verdict = await this.untilVerdict();
    } catch (error) {
      if (error instanceof AwsAccessError) {
        const stop = await this.stop(`stepback: lost access while waiting (${error.operation})`);
        error.problems.push(`task ${this.taskArn} was running; ${stop}`);
      }
      throw error;
    }
    if ('taskArn' in verdict) return verdict;
    return this.judge(verdict);
  }

  /**
   * Polls until the task's verdict is final; or, when the step is cancelled, times out or the task stays
   * invisible, stops it (where it still runs) and returns that failure.
   */
  private async untilVerdict(): Promise<TaskVerdict | TaskRunResult> {
    const { clock, o } = this;
    const fastMs = o.fastPollIntervalMs ?? 1_000;
    let missing = 0;
    let rechecks = 0;
    let fastLeft = 0;
    let nextDescribe = clock.now() + Math.min(this.pollMs, this.logMs);
    for (;;) {
      if (o.signal?.aborted)
        return this.giveUp(
          `Cancelled while task ${this.id} was ${this.lastStatus ?? 'starting'}`,
          'stepback: the pipeline step was cancelled',
        );
      if (clock.now() >= this.deadline) {
        const minutes = (o.timeoutMs / 60_000).toFixed(1);
        return this.giveUp(
          `Timed out after ${minutes} min waiting for task ${this.id} (${this.lastStatus ?? 'unknown'})`,
          `stepback: timed out after ${minutes} min waiting for the migration`,
        );
      }
      if (this.tail) {
        const before = this.sawFinish;
        await this.tail.poll();
        if (this.sawFinish && !before) {
          // The command printed its result: the task is about to stop. Look now and then often, briefly.
          fastLeft = o.fastPolls ?? 10;
          nextDescribe = clock.now();
        }
      }
      if (clock.now() >= nextDescribe) {
        const described = await this.describe();
        if (!described.task) {
          missing += 1;
          if (missing > MISSING_LIMIT)
            return this.result(
              false,
              null,
              `Task ${this.id} is not visible to DescribeTasks (${described.reason}) after ${missing} polls`,
            );
          this.log.info(`Task ${this.id} not visible yet (${described.reason}); polling again`);
          nextDescribe = clock.now() + Math.min(this.pollMs, 2_000 * missing);
        } else {
          missing = 0;
          this.seen(described.task);
          const verdict = taskVerdict(this.task, o.containerName, rechecks >= RECHECKS);
          if (verdict.state === 'succeeded' || verdict.state === 'failed') return verdict;
          if (verdict.state === 'recheck') {
            rechecks += 1;
            nextDescribe = clock.now() + 2_000;
          } else if (fastLeft > 0) {
            fastLeft -= 1;
            nextDescribe = clock.now() + fastMs;
          } else {
            nextDescribe = clock.now() + this.pollMs;
          }
        }
      }
      const wait = Math.max(
        0,
        Math.min(
          this.tail ? this.logMs : this.pollMs,
          nextDescribe - clock.now(),
          this.deadline - clock.now(),
        ),
      );
      await clock.sleep(wait, o.signal);
    }
  }

  private async describe(): Promise<
    { task: Task; reason?: undefined } | { task?: undefined; reason: string }
  > {
    const out = await awsCall(
      'ecs:DescribeTasks',
      () =>
        this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.o.cluster, tasks: [this.taskArn] })),
      this.ctx,
    );
    const task = out.tasks?.find((t) => t.taskArn === this.taskArn);
    return task ? { task } : { reason: describeFailures(out.failures ?? []) || 'not returned' };
  }

  private seen(task: Task): void {
    this.task = task;
    if (task.lastStatus !== this.lastStatus) {
      this.log.info(`Task ${this.id}: ${this.lastStatus ?? '?'} → ${task.lastStatus}`);
      this.lastStatus = task.lastStatus;
    }
  }

  /** The task stopped: the rest of its log, then the container's verdict. */
  private async judge(verdict: TaskVerdict): Promise<TaskRunResult> {
    // The result line is the last thing the runner prints: once it was seen, the drain only confirms the end.
    if (this.tail) await this.tail.drain(this.sawFinish ? 100 : 1_000);
    if (this.tail && !this.tail.exists)
      this.log.warn(
        `No log stream ${this.where!.group}/${this.where!.stream} appeared (the container may never have started)`,
      );
    if (verdict.state === 'succeeded') {
      this.log.info(verdict.message);
      return this.result(true, 0, verdict.message);
    }
    if (verdict.state !== 'failed')
      return this.result(false, null, `Task ${this.id} ended without a verdict`);
    this.log.error(verdict.message);
    return this.result(false, verdict.exitCode, verdict.message);
  }

  private async giveUp(why: string, reason: string): Promise<TaskRunResult> {
    this.log.error(why);
    const stop = await this.stop(reason);
    await this.tail?.poll().catch(() => 0);
    return this.result(false, null, `${why}; ${stop}`);
  }

  private stop(reason: string): Promise<string> {
    return stopTask(this.clients.ecs, this.o.cluster, this.taskArn, reason, this.ctx, this.log);
  }

  private result(ok: boolean, exitCode: number | null, message: string): TaskRunResult {
    return {
      ok,
      exitCode,
      taskArn: this.taskArn,
      taskDefinitionArn: this.resolved.taskDefinitionArn,
      message,
      lines: this.tail?.lines ?? [],
      logsRead: this.tail?.exists ?? false,
      task: this.task,
    };
  }
}
