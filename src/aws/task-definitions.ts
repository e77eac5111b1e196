/**
 * Task definitions on ECS: describe (with tags and status), register again from the stored JSON (a rollback
 * target that has become INACTIVE, which ECS will neither run nor deploy), tag with the release.
 */
import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  TagResourceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { TimeDeps } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import type { Log, TaskDefinitionInfo, TaskDefinitions } from '../core/ports.ts';
import { AwsAccessError, awsCall, type CallContext, callContext, errorText } from './aws-call.ts';

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

/** The RegisterTaskDefinition input that reproduces a described (or stored) task definition. */
export function registerInputOf(
  definition: Record<string, unknown> | TaskDefinition,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(definition as Record<string, unknown>) };
  for (const key of READ_ONLY) delete copy[key];
  for (const [key, value] of Object.entries(copy))
    if (value === undefined || value === null) delete copy[key];
  return copy;
}

function tagMap(tags: { key?: string; value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.key) out[t.key] = t.value ?? '';
  return out;
}

export class EcsTaskDefinitions implements TaskDefinitions {
  private readonly ctx: CallContext;

  constructor(
    private readonly ecs: ECSClient,
    log: Log,
    deps: TimeDeps = {},
  ) {
    this.ctx = callContext(log, deps);
  }

  async describe(taskDefinitionArn: string): Promise<TaskDefinitionInfo & { tags: Record<string, string> }> {
    let out: Awaited<ReturnType<typeof this.send>>;
    try {
      out = await this.send(taskDefinitionArn);
    } catch (error) {
      if (error instanceof AwsAccessError) throw error;
      throw new UsageError(`Task definition ${taskDefinitionArn} cannot be described: ${errorText(error)}`, {
        cause: error,
      });
    }
    const td = out.taskDefinition;
    if (!td?.taskDefinitionArn) throw new UsageError(`Task definition ${taskDefinitionArn} was not found`);
    return {
      taskDefinitionArn: td.taskDefinitionArn,
      status: td.status ?? 'ACTIVE',
      registerInput: registerInputOf(td),
      tags: tagMap(out.tags),
    };
  }

  private send(taskDefinition: string) {
    return awsCall(
      'ecs:DescribeTaskDefinition',
      () => this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] })),
      this.ctx,
    );
  }

  async tag(taskDefinitionArn: string, tags: Record<string, string>): Promise<void> {
    await awsCall(
      'ecs:TagResource',
      () =>
        this.ecs.send(
          new TagResourceCommand({
            resourceArn: taskDefinitionArn,
            tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
          }),
        ),
      this.ctx,
    );
  }

  /** Register the stored definition again (a new revision of its family); returns the new ARN. */
  async register(definition: Record<string, unknown>, tags: Record<string, string> = {}): Promise<string> {
    const input = registerInputOf(definition) as unknown as RegisterTaskDefinitionCommandInput;
    const tagList = Object.entries(tags).map(([key, value]) => ({ key, value }));
    const out = await awsCall(
      'ecs:RegisterTaskDefinition',
      () =>
        this.ecs.send(
          new RegisterTaskDefinitionCommand({ ...input, ...(tagList.length ? { tags: tagList } : {}) }),
        ),
      this.ctx,
    );
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new UsageError(`RegisterTaskDefinition of ${String(definition.family)} returned no ARN`);
    return arn;
  }
}
