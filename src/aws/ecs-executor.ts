/**
 * MigrationExecutor over a one-off ECS task: the stepback arguments, prefixed by the runner command inside
 * the image, run as an override of the named container; the result carries the container's log lines so the
 * pipeline can read the runner's one-line JSON result.
 */
import type { CapacityProviderStrategyItem, LaunchType, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { TimeDeps } from '../core/clock.ts';
import { checkEcsOverride } from '../core/ecs-override.ts';
import { imagePullFailure } from '../core/ecs-verdict.ts';
import type { ExecRequest, ExecResult, Log, MigrationExecutor, RequestCheck } from '../core/ports.ts';
import { requestCommand } from '../core/remote-engine.ts';
import { DEFAULT_RUNNER_COMMAND } from '../core/runner-command.ts';
import { type RunTaskClients, type RunTaskOptions, runTask } from './run-task.ts';

export interface EcsTaskExecutorConfig extends TimeDeps {
  clients: RunTaskClients;
  cluster: string;
  containerName: string;
  /** Copy network configuration, launch type / capacity providers and platform version from this service. */
  service?: string;
  /** Used when the request names no task definition (otherwise the service's). */
  taskDefinitionArn?: string;
  /** What runs `stepback` inside the image (default: the launcher of core/runner-command.ts). */
  runnerCommand?: string[];
  startedBy?: string;
  tags?: Record<string, string>;
  launchType?: LaunchType;
  /** The role the task runs as instead of the task definition's (RunTask overrides.taskRoleArn). */
  taskRoleArn?: string;
  /** The container's task definition entry point runs its arguments (RunTaskOptions.entryPointRunsCommand). */
  entryPointRunsCommand?: boolean;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  platformVersion?: string;
  pollIntervalMs?: number;
  logIntervalMs?: number;
  fastPollIntervalMs?: number;
  capacityAttempts?: number;
}

/** startedBy: up to 128 letters, numbers, hyphens, underscores and slashes. */
export function startedByFor(text: string): string {
  return text.replace(/[^A-Za-z0-9_/-]/g, '-').slice(0, 128);
}

/** ECS tag values: letters, numbers, spaces and `_ . : / = + - @`, up to 256. */
export function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_').slice(0, 256);
}

export class EcsTaskExecutor implements MigrationExecutor {
  readonly kind = 'ecs' as const;
  readonly runs = 'task-definition' as const;

  constructor(private readonly config: EcsTaskExecutorConfig) {}

  check(request: ExecRequest): RequestCheck {
    return checkEcsOverride(
      request,
      this.config.runnerCommand ?? DEFAULT_RUNNER_COMMAND,
      this.config.containerName,
    );
  }

  async run(request: ExecRequest, log: Log): Promise<ExecResult> {
    const c = this.config;
    const options: RunTaskOptions = {
      cluster: c.cluster,
      containerName: c.containerName,
      command: requestCommand(request, c.runnerCommand ?? DEFAULT_RUNNER_COMMAND),
      environment: request.env,
      startedBy: startedByFor(c.startedBy ?? `stepback/${request.release}`),
      tags: {
        ...c.tags,
        'stepback:release': tagValue(request.release),
        'stepback:run': tagValue(request.idempotencyKey),
      },
      idempotencyKey: request.idempotencyKey,
      timeoutMs: request.timeoutMs,
      ...(request.signal ? { signal: request.signal } : {}),
      ...(request.isResultLine ? { finishedLine: request.isResultLine } : {}),
      ...(request.taskDefinitionArn || c.taskDefinitionArn
        ? { taskDefinition: request.taskDefinitionArn ?? c.taskDefinitionArn }
        : {}),
      ...(c.service ? { service: c.service } : {}),
      ...(c.launchType ? { launchType: c.launchType } : {}),
      ...(c.taskRoleArn ? { taskRoleArn: c.taskRoleArn } : {}),
      ...(c.entryPointRunsCommand ? { entryPointRunsCommand: true } : {}),
      ...(c.capacityProviderStrategy ? { capacityProviderStrategy: c.capacityProviderStrategy } : {}),
      ...(c.networkConfiguration ? { networkConfiguration: c.networkConfiguration } : {}),
      ...(c.platformVersion ? { platformVersion: c.platformVersion } : {}),
      ...(c.pollIntervalMs !== undefined ? { pollIntervalMs: c.pollIntervalMs } : {}),
      ...(c.logIntervalMs !== undefined ? { logIntervalMs: c.logIntervalMs } : {}),
      ...(c.fastPollIntervalMs !== undefined ? { fastPollIntervalMs: c.fastPollIntervalMs } : {}),
      ...(c.capacityAttempts !== undefined ? { capacityAttempts: c.capacityAttempts } : {}),
    };
    const result = await runTask(c.clients, options, log, c);
    const pull = result.task && !result.ok ? imagePullFailure(result.task, c.containerName) : undefined;
    return {
      ok: result.ok,
      exitCode: result.exitCode,
      id: result.taskArn || 'ecs:not-started',
      message: result.message,
      ...(result.logsRead ? { stdout: result.lines.join('\n') } : {}),
      ...(pull ? { imageUnavailable: pull } : {}),
    };
  }
}
