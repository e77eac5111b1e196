/**
 * Switching an ECS service to an exact task definition and waiting for OUR deployment:
 * "services stable" also holds after a circuit-breaker rollback, so the PRIMARY deployment id from the
 * UpdateService response is followed until it is the only deployment and COMPLETED; rolloutState FAILED or
 * the deployment being replaced is a failure. An INACTIVE task definition is registered again from the stored
 * JSON first. Drain mode scales to zero (and waits for zero running) before switching.
 */
import {
  DescribeServicesCommand,
  type ECSClient,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { TimeDeps } from '../core/clock.ts';
import { deploymentVerdict } from '../core/ecs-verdict.ts';
import { RefusedError, UsageError } from '../core/errors.ts';
import {
  type DeployRequest,
  type DeployResult,
  type DeployTarget,
  type LiveRelease,
  type Log,
  RELEASE_TAG,
} from '../core/ports.ts';
import { hasRedactions } from '../core/task-definition-secrets.ts';
import { AwsAccessError, awsCall, type CallContext, callContext, errorText } from './aws-call.ts';
import { EcsTaskDefinitions } from './task-definitions.ts';

export interface DeployServiceOptions extends DeployRequest {
  /** An ECS service runs a task definition: it is required here. */
  taskDefinitionArn: string;
  cluster: string;
  service: string;
  /** DescribeServices cadence (default 10 s). */
  pollIntervalMs?: number;
  /** First look after this long, doubling up to pollIntervalMs (default 1 s). */
  initialPollMs?: number;
}

class EventPrinter {
  private readonly seen = new Set<string>();
  constructor(private readonly log: Log) {}
  /** Mark the history present before we acted, so only new events are printed. */
  prime(service: Service | undefined): void {
    for (const e of service?.events ?? []) if (e.id) this.seen.add(e.id);
  }
  print(service: Service | undefined): void {
    const fresh = (service?.events ?? []).filter((e) => e.id && !this.seen.has(e.id));
    // DescribeServices lists events newest first.
    for (const e of fresh.reverse()) {
      this.seen.add(e.id!);
      this.log.info(`${e.createdAt ? e.createdAt.toISOString() : ''} ${e.message ?? ''}`.trim());
    }
  }
}

async function describeService(
  ecs: ECSClient,
  cluster: string,
  name: string,
  ctx: CallContext,
): Promise<Service> {
  const out = await awsCall(
    'ecs:DescribeServices',
    () => ecs.send(new DescribeServicesCommand({ cluster, services: [name] })),
    ctx,
  );
  const service = out.services?.[0];
  if (!service)
    throw new UsageError(`Service ${name} was not found in cluster ${cluster}`, {
      problems: (out.failures ?? []).map((f) => `${f.arn}: ${f.reason}`),
    });
  return service;
}

async function update(
  ecs: ECSClient,
  input: { cluster: string; service: string; taskDefinition?: string; desiredCount?: number },
  ctx: CallContext,
): Promise<Service> {
  try {
    const out = await awsCall('ecs:UpdateService', () => ecs.send(new UpdateServiceCommand(input)), ctx);
    if (!out.service) throw new UsageError(`UpdateService of ${input.service} returned no service`);
    return out.service;
  } catch (error) {
    if (error instanceof AwsAccessError || error instanceof UsageError) throw error;
    throw new UsageError(`UpdateService of ${input.service} failed: ${errorText(error)}`, { cause: error });
  }
}

export async function deployService(
  ecs: ECSClient,
  o: DeployServiceOptions,
  log: Log,
  deps: TimeDeps = {},
): Promise<DeployResult & { taskDefinitionArn: string }> {
  const ctx = callContext(log, deps, { timeoutMs: o.timeoutMs, signal: o.signal });
  const { clock } = ctx;
  const deadline = ctx.deadline!;
  const pollMs = o.pollIntervalMs ?? 10_000;
  const firstPollMs = o.initialPollMs ?? 1_000;
  const taskDefinitions = new EcsTaskDefinitions(ecs, log, deps);

  // Never deploy an INACTIVE task definition (ECS refuses it): register it again from the release record.
  let arn = o.taskDefinitionArn;
  const info = await taskDefinitions.describe(arn).catch((error: unknown) => {
    if (error instanceof AwsAccessError) throw error;
    return undefined;
  });
  // Deploy (and compare against) the full ARN even when given `family:revision`.
  if (info?.status === 'ACTIVE') arn = info.taskDefinitionArn;
  else {
    const state = info ? info.status : 'not found';
    if (!o.taskDefinition)
      throw new RefusedError(`Task definition ${arn} is ${state} and cannot be deployed`, {
        hint: 'the release record has no stored task definition to register again; register it by hand',
      });
    if (hasRedactions(o.taskDefinition))
      throw new RefusedError(
        `Task definition ${arn} is ${state} and its release record had secrets removed`,
        {
          hint: 'its plain-text secrets were redacted when the release was recorded; register it by hand (or move secrets to `secrets` so records stay complete)',
        },
      );
    arn = await taskDefinitions.register(o.taskDefinition, {
      ...(info?.tags ?? {}),
      [RELEASE_TAG]: o.release,
    });
    log.warn(
      `Task definition ${o.taskDefinitionArn} is ${state}: registered it again from the release record as ${arn}`,
    );
  }

  const events = new EventPrinter(log);
  let service = await describeService(ecs, o.cluster, o.service, ctx);
  events.prime(service);
  const desired = service.desiredCount ?? 0;
  const fail = (message: string): DeployResult & { taskDefinitionArn: string } => {
    log.error(message);
    return { ok: false, taskDefinitionArn: arn, message };
  };
  const waitUntil = async (
    what: string,
    done: (s: Service) => { state: 'waiting' | 'succeeded' | 'failed'; message: string },
  ): Promise<{ ok: boolean; message: string }> => {
    // Look early, then settle to the normal cadence: short deployments (and drains) end in seconds, long
    // ones cost only a few extra DescribeServices calls.
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted)
        return {
          ok: false,
          message: `Cancelled while waiting for ${what}; ECS carries on with the deployment (its circuit breaker decides)`,
        };
      if (clock.now() >= deadline)
        return {
          ok: false,
          message: `Timed out after ${(o.timeoutMs / 60_000).toFixed(1)} min waiting for ${what}`,
        };
      await clock.sleep(
        Math.max(0, Math.min(pollMs, firstPollMs * 2 ** attempt, deadline - clock.now())),
        o.signal,
      );
      if (o.signal?.aborted) continue;
      service = await describeService(ecs, o.cluster, o.service, ctx);
      events.print(service);
      const verdict = done(service);
      if (verdict.state === 'succeeded') return { ok: true, message: verdict.message };
      if (verdict.state === 'failed') return { ok: false, message: verdict.message };
    }
  };

  if (o.drain && (service.runningCount ?? 0) + (service.pendingCount ?? 0) + desired > 0) {
    log.info(`Draining ${o.service}: scaling ${desired} → 0 before switching to ${arn}`);
    await update(ecs, { cluster: o.cluster, service: o.service, desiredCount: 0 }, ctx);
    const drained = await waitUntil('the service to drain to 0 running tasks', (s) =>
      (s.runningCount ?? 0) === 0 && (s.pendingCount ?? 0) === 0
        ? { state: 'succeeded', message: 'drained' }
        : { state: 'waiting', message: `${s.runningCount} running` },
    );
    if (!drained.ok)
      return fail(
        `${drained.message}; the service was scaled to 0 and NOT switched (restore desiredCount ${desired} by hand)`,
      );
    log.info(`${o.service} has 0 running tasks`);
  }

  const updated = await update(
    ecs,
    {
      cluster: o.cluster,
      service: o.service,
      taskDefinition: arn,
      ...(o.drain ? { desiredCount: desired } : {}),
    },
    ctx,
  );
  events.print(updated);
  const primary = updated.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary?.id) return fail(`UpdateService of ${o.service} returned no PRIMARY deployment`);
  if (primary.taskDefinition !== arn)
    return fail(
      `UpdateService of ${o.service}: PRIMARY deployment ${primary.id} runs ${primary.taskDefinition}, not ${arn}`,
    );
  const deploymentId = primary.id;
  log.info(
    `Deployment ${deploymentId} of ${arn} started${o.drain ? ` (restoring desiredCount ${desired})` : ''}`,
  );
  const done = await waitUntil(`deployment ${deploymentId}`, (s) => deploymentVerdict(s, deploymentId));
  if (!done.ok) return fail(done.message);
  log.info(done.message);
  return { ok: true, taskDefinitionArn: arn, message: done.message };
}

export interface EcsDeployTargetConfig extends TimeDeps {
  ecs: ECSClient;
  cluster: string;
  service: string;
  pollIntervalMs?: number;
}

export class EcsDeployTarget implements DeployTarget {
  readonly deploysBy = 'task-definition' as const;
  constructor(private readonly config: EcsDeployTargetConfig) {}

  /** The service's task definition and the release it was tagged with at record-release. */
  async live(): Promise<LiveRelease> {
    const c = this.config;
    const silent: Log = { info() {}, warn() {}, error() {}, group: (_t, fn) => fn() };
    const ctx = callContext(silent, c);
    const service = await describeService(c.ecs, c.cluster, c.service, ctx);
    const arn = service.taskDefinition;
    if (!arn) throw new UsageError(`Service ${c.service} has no task definition`);
    const info = await new EcsTaskDefinitions(c.ecs, silent, c).describe(arn);
    const release = info.tags[RELEASE_TAG];
    return { taskDefinitionArn: arn, ...(release ? { release } : {}) };
  }

  async deploy(request: DeployRequest, log: Log): Promise<DeployResult> {
    const c = this.config;
    const taskDefinitionArn = request.taskDefinitionArn;
    if (!taskDefinitionArn)
      throw new UsageError(
        `Release ${request.release} names no task definition, and the ECS service ${c.service} can only be switched to one`,
        { hint: 'record the release with its task-definition, or pass task-definition to the deploy' },
      );
    return deployService(
      c.ecs,
      {
        ...request,
        taskDefinitionArn,
        cluster: c.cluster,
        service: c.service,
        ...(c.pollIntervalMs !== undefined ? { pollIntervalMs: c.pollIntervalMs } : {}),
      },
      log,
      c,
    );
  }
}
