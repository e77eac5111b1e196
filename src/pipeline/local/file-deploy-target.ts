/**
 * Local stand-ins for the ECS service and task definitions: JSON files recording which release is live (and its
 * task definition when it has one, with a history of deploys) and which "task definitions" exist with their
 * tags. For the demo and tests, and for teams that want the flows without ECS: the file target deploys a
 * release by name, so a release recorded without a task definition can be deployed and rolled back to.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { UsageError } from '../../core/errors.ts';
import type {
  DeployRequest,
  DeployResult,
  DeployTarget,
  LiveRelease,
  Log,
  TaskDefinitionInfo,
  TaskDefinitions,
} from '../../core/ports.ts';

const deployStateSchema = z.object({
  taskDefinitionArn: z.string().optional(),
  release: z.string(),
  deployedAt: z.string(),
  history: z.array(
    z.object({
      taskDefinitionArn: z.string().optional(),
      release: z.string(),
      deployedAt: z.string(),
      drained: z.boolean(),
    }),
  ),
});
export type DeployState = z.infer<typeof deployStateSchema>;

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new UsageError(`${what} ${file} is not valid`, {
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    });
  }
  return parsed.data;
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

export class FileDeployTarget implements DeployTarget {
  readonly deploysBy = 'release' as const;
  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  state(): DeployState | undefined {
    return readJson(this.file, deployStateSchema, 'deploy state file');
  }

  async live(): Promise<LiveRelease> {
    const state = this.state();
    if (!state) throw new UsageError(`Nothing is deployed yet: ${this.file} does not exist`);
    return {
      ...(state.taskDefinitionArn ? { taskDefinitionArn: state.taskDefinitionArn } : {}),
      release: state.release,
    };
  }

  async deploy(request: DeployRequest, log: Log): Promise<DeployResult> {
    const previous = this.state();
    const deployedAt = this.now().toISOString();
    if (request.drain && previous)
      log.info(
        `Draining ${previous.taskDefinitionArn ?? `release ${previous.release}`} (local target: recorded only)`,
      );
    const arn = request.taskDefinitionArn ? { taskDefinitionArn: request.taskDefinitionArn } : {};
    writeJson(this.file, {
      ...arn,
      release: request.release,
      deployedAt,
      history: [
        ...(previous?.history ?? []),
        { ...arn, release: request.release, deployedAt, drained: request.drain ?? false },
      ],
    } satisfies DeployState);
    return { ok: true, ...arn, message: `recorded release ${request.release} as live in ${this.file}` };
  }
}

const taskDefsSchema = z.record(
  z.string(),
  z.object({ registerInput: z.record(z.string(), z.unknown()), tags: z.record(z.string(), z.string()) }),
);

/** Task definitions kept in one JSON file: `register` them, then describe/tag like ECS. */
export class FileTaskDefinitions implements TaskDefinitions {
  constructor(readonly file: string) {}

  private all(): z.infer<typeof taskDefsSchema> {
    return readJson(this.file, taskDefsSchema, 'task definitions file') ?? {};
  }

  /** Record a task definition under an ARN of the caller's choosing (the demo's "registration"). */
  define(taskDefinitionArn: string, registerInput: Record<string, unknown>): void {
    const all = this.all();
    all[taskDefinitionArn] = { registerInput, tags: all[taskDefinitionArn]?.tags ?? {} };
    writeJson(this.file, all);
  }

  tags(taskDefinitionArn: string): Record<string, string> {
    return this.all()[taskDefinitionArn]?.tags ?? {};
  }

  async describe(taskDefinitionArn: string): Promise<TaskDefinitionInfo> {
    const entry = this.all()[taskDefinitionArn];
    if (!entry)
      throw new UsageError(`Task definition ${taskDefinitionArn} is not registered in ${this.file}`);
    return { taskDefinitionArn, status: 'ACTIVE', registerInput: entry.registerInput };
  }

  async tag(taskDefinitionArn: string, tags: Record<string, string>): Promise<void> {
    const all = this.all();
    const entry = all[taskDefinitionArn];
    if (!entry)
      throw new UsageError(`Task definition ${taskDefinitionArn} is not registered in ${this.file}`);
    entry.tags = { ...entry.tags, ...tags };
    writeJson(this.file, all);
  }
}
