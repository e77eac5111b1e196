/**
 * ECS: task definitions (ACTIVE/INACTIVE, tags), one-off tasks with their lifecycle, and services with
 * deployments. State moves on the simulation clock; `tick()` applies every transition that is due.
 */
import {
  canonical,
  epochSeconds,
  hexId,
  type JsonObject,
  required,
  type ServiceSimOptions,
  SimError,
  str,
} from './common.ts';
import type { ImageSpec, ScriptSpec, TaskEffect } from './faults.ts';
import { baseEnv, type RunningProcess, runProcess } from './process.ts';

interface Tag {
  key: string;
  value: string;
}
interface KeyValue {
  name: string;
  value: string;
}
interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  environment?: KeyValue[];
  secrets?: { name: string; valueFrom: string }[];
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  [key: string]: unknown;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  deregisteredAt?: number;
  /** The RegisterTaskDefinition input, minus tags. */
  input: JsonObject & { containerDefinitions: ContainerDefinition[] };
  tags: Tag[];
}

interface ContainerState {
  name: string;
  image: string;
  containerArn: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  essential: boolean;
}

export interface TaskRecord {
  arn: string;
  id: string;
  clusterArn: string;
  taskDefinitionArn: string;
  definition: TaskDefinitionRecord;
  request: JsonObject;
  createdAt: number;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  pullStartedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  containers: ContainerState[];
  tags: Tag[];
  /** The container whose command runs (overridden one, else the first essential). */
  main: string;
  effect: TaskEffect;
  pendingAt: number;
  runningAt: number;
  stopAt?: number;
  stopRequestedAt?: number;
  /** When a DEPROVISIONING task reaches STOPPED. */
  stoppedFinalAt?: number;
  missingLeft: number;
  exitCodeLagLeft: number;
  process?: RunningProcess;
  /** Log lines waiting for a late stream. */
  heldLines?: { at: number; lines: string[]; stream: { group: string; name: string } };
}

interface DeploymentRecord {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  completeAt?: number;
  failAt?: number;
  /** A scale change in flight: runningCount becomes desiredCount at this time. */
  scaleAt?: number;
}

export interface ServiceRecord {
  arn: string;
  name: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  deployments: DeploymentRecord[];
  events: { id: string; createdAt: number; message: string }[];
  request: JsonObject;
  createdAt: number;
}

function tagsFrom(value: unknown): Tag[] {
  return Array.isArray(value) ? (value as Tag[]).map((t) => ({ key: t.key, value: t.value })) : [];
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const map = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of added) map.set(t.key, t.value);
  return [...map].map(([key, value]) => ({ key, value }));
}

function deploymentId(): string {
  let digits = '';
  while (digits.length < 19) digits += String(Math.floor(Math.random() * 10));
  return `ecs-svc/${digits}`;
}

export class EcsSim {
  readonly taskDefinitions = new Map<string, TaskDefinitionRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly services = new Map<string, ServiceRecord>();
  readonly clusters = new Set<string>(['default']);
  private readonly tokens = new Map<string, { params: string; response: JsonObject }>();

  constructor(private readonly o: ServiceSimOptions) {}

  private arn(resource: string): string {
    return `arn:aws:ecs:${this.o.region}:${this.o.accountId}:${resource}`;
  }

  private clusterName(input: JsonObject): string {
    const raw = str(input, 'cluster') ?? 'default';
    const name = raw.startsWith('arn:') ? raw.slice(raw.lastIndexOf('/') + 1) : raw;
    if (!this.clusters.has(name)) throw new SimError('ClusterNotFoundException', 'Cluster not found.');
    return name;
  }

  createCluster(name: string): void {
    this.clusters.add(name);
  }

  // ---- task definitions -------------------------------------------------------------------------------

  register(input: JsonObject): TaskDefinitionRecord {
    const family = required(input, 'family', 'ClientException');
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family))
      throw new SimError('ClientException', `Family contains invalid characters: ${family}`);
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0)
      throw new SimError('ClientException', 'Container.name should not be null or empty.');
    for (const c of containers as ContainerDefinition[]) {
      if (!c.name) throw new SimError('ClientException', 'Container.name should not be null or empty.');
      if (!c.image) throw new SimError('ClientException', 'Container.image should not be null or empty.');
    }
    const revision = [...this.taskDefinitions.values()].filter((t) => t.family === family).length + 1;
    const { tags, ...rest } = input;
    const record: TaskDefinitionRecord = {
      arn: this.arn(`task-definition/${family}:${revision}`),
      family,
      revision,
      status: 'ACTIVE',
      registeredAt: this.o.now(),
      input: structuredClone(rest) as TaskDefinitionRecord['input'],
      tags: tagsFrom(tags),
    };
    this.taskDefinitions.set(record.arn, record);
    return record;
  }

  /** Full ARN, `family:revision`, or `family` (latest ACTIVE revision). */
  resolveTaskDefinition(ref: string): TaskDefinitionRecord | undefined {
    if (ref.startsWith('arn:')) return this.taskDefinitions.get(ref);
    const [family, revision] = ref.split(':');
    const all = [...this.taskDefinitions.values()].filter((t) => t.family === family);
    if (revision !== undefined) return all.find((t) => t.revision === Number(revision));
    return all.filter((t) => t.status === 'ACTIVE').sort((a, b) => b.revision - a.revision)[0];
  }

  private activeTaskDefinition(ref: string): TaskDefinitionRecord {
    const td = this.resolveTaskDefinition(ref);
    if (!td) throw new SimError('ClientException', 'Unable to describe task definition.');
    if (td.status !== 'ACTIVE') throw new SimError('ClientException', 'TaskDefinition is inactive');
    return td;
  }

  private taskDefinitionJson(td: TaskDefinitionRecord): JsonObject {
    return {
      ...structuredClone(td.input),
      taskDefinitionArn: td.arn,
      family: td.family,
      revision: td.revision,
      status: td.status,
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [],
      registeredAt: epochSeconds(td.registeredAt),
      registeredBy: `arn:aws:iam::${this.o.accountId}:role/sim`,
      ...(td.deregisteredAt ? { deregisteredAt: epochSeconds(td.deregisteredAt) } : {}),
    };
  }

  registerTaskDefinition(input: JsonObject): JsonObject {
    const td = this.register(input);
    return { taskDefinition: this.taskDefinitionJson(td), tags: td.tags };
  }

  describeTaskDefinition(input: JsonObject): JsonObject {
    const ref = required(input, 'taskDefinition', 'ClientException');
    const td = this.resolveTaskDefinition(ref);
    if (!td) throw new SimError('ClientException', 'Unable to describe task definition.');
    const include = Array.isArray(input.include) ? (input.include as string[]) : [];
    return {
      taskDefinition: this.taskDefinitionJson(td),
      ...(include.includes('TAGS') ? { tags: td.tags } : {}),
    };
  }

  deregisterTaskDefinition(input: JsonObject): JsonObject {
    const ref = required(input, 'taskDefinition', 'ClientException');
    if (!ref.startsWith('arn:') && !ref.includes(':'))
      throw new SimError(
        'ClientException',
        'A revision must be specified when deregistering a task definition.',
      );
    const td = this.resolveTaskDefinition(ref);
    if (!td) throw new SimError('ClientException', 'The specified task definition does not exist.');
    td.status = 'INACTIVE';
    td.deregisteredAt = this.o.now();
    return { taskDefinition: this.taskDefinitionJson(td) };
  }

  private taggable(arn: string): { tags: Tag[] } {
    const td = this.taskDefinitions.get(arn);
    if (td) return td;
    const task = [...this.tasks.values()].find((t) => t.arn === arn);
    if (task) return task;
    throw new SimError('InvalidParameterException', 'The specified resource could not be found.');
  }

  tagResource(input: JsonObject): JsonObject {
    const target = this.taggable(required(input, 'resourceArn'));
    target.tags = mergeTags(target.tags, tagsFrom(input.tags));
    return {};
  }

  untagResource(input: JsonObject): JsonObject {
    const target = this.taggable(required(input, 'resourceArn'));
    const keys = new Set(Array.isArray(input.tagKeys) ? (input.tagKeys as string[]) : []);
    target.tags = target.tags.filter((t) => !keys.has(t.key));
    return {};
  }

  listTagsForResource(input: JsonObject): JsonObject {
    return { tags: this.taggable(required(input, 'resourceArn')).tags };
  }

  // ---- tasks ------------------------------------------------------------------------------------------

  runTask(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const tdRef = required(input, 'taskDefinition');
    if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined)
      throw new SimError(
        'InvalidParameterException',
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    const clientToken = str(input, 'clientToken');
    if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x21-\x7e]+$/.test(clientToken)))
      throw new SimError('InvalidParameterException', 'clientToken must be 1-64 printable ASCII characters.');
    const { clientToken: _token, ...params } = input;
    const tokenKey = clientToken ? `${cluster}/${clientToken}` : undefined;
    if (tokenKey) {
      const seen = this.tokens.get(tokenKey);
      if (seen) {
        if (seen.params !== canonical(params))
          throw new SimError(
            'ConflictException',
            'The specified client token has already been used in a request with different parameters.',
          );
        return this.refreshTaskResponse(seen.response);
      }
    }
    const td = this.activeTaskDefinition(tdRef);
    const overrides = (input.overrides ?? {}) as {
      containerOverrides?: { name: string; command?: string[] }[];
    };
    for (const o of overrides.containerOverrides ?? []) {
      if (!td.input.containerDefinitions.some((c) => c.name === o.name))
        throw new SimError(
          'InvalidParameterException',
          `Override for container named ${o.name} is not a container in the TaskDefinition.`,
        );
    }
    if (td.input.networkMode === 'awsvpc' && input.networkConfiguration === undefined)
      throw new SimError(
        'InvalidParameterException',
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    const count = typeof input.count === 'number' ? input.count : 1;
    if (count < 1 || count > 10)
      throw new SimError('InvalidParameterException', 'count must be between 1 and 10.');
    const failure = this.o.faults.take('runTaskFailure');
    let response: JsonObject;
    if (failure) {
      response = {
        tasks: [],
        failures: Array.from({ length: count }, () => ({
          arn: this.arn(`container-instance/${cluster}/${hexId()}`),
          reason: failure.reason,
          ...(failure.detail ? { detail: failure.detail } : {}),
        })),
      };
    } else {
      const tasks = Array.from({ length: count }, () => this.startTask(cluster, td, input));
      response = { tasks: tasks.map((t) => this.taskJson(t)), failures: [] };
    }
    if (tokenKey) this.tokens.set(tokenKey, { params: canonical(params), response });
    return response;
  }

  private refreshTaskResponse(response: JsonObject): JsonObject {
    const tasks = (response.tasks as { taskArn: string }[]).map((t) => {
      const record = this.tasks.get(t.taskArn);
      return record ? this.taskJson(record) : t;
    });
    return { ...response, tasks };
  }

  private startTask(cluster: string, td: TaskDefinitionRecord, input: JsonObject): TaskRecord {
    const id = hexId();
    const arn = this.arn(`task/${cluster}/${id}`);
    const now = this.o.now();
    const overrides = (input.overrides ?? {}) as {
      containerOverrides?: { name: string; command?: string[] }[];
    };
    const overridden = overrides.containerOverrides?.find((o) => o.command)?.name;
    const containers = td.input.containerDefinitions;
    const main = overridden ?? containers.find((c) => c.essential !== false)?.name ?? containers[0]!.name;
    const effect: TaskEffect = { ...(this.o.faults.take('task')?.effect ?? {}) };
    const t = this.o.timings;
    const record: TaskRecord = {
      arn,
      id,
      clusterArn: this.arn(`cluster/${cluster}`),
      taskDefinitionArn: td.arn,
      definition: td,
      request: structuredClone(input),
      createdAt: now,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      containers: containers.map((c) => ({
        name: c.name,
        image: c.image,
        containerArn: this.arn(`container/${cluster}/${id}/${hexId()}`),
        lastStatus: 'PENDING',
        essential: c.essential !== false,
      })),
      tags: tagsFrom(input.tags),
      main,
      effect,
      pendingAt: now + t.provisioningMs,
      runningAt: now + t.provisioningMs + t.pendingMs,
      missingLeft: effect.missingDescribes ?? 0,
      exitCodeLagLeft: effect.exitCodeLagDescribes ?? 0,
    };
    this.tasks.set(arn, record);
    return record;
  }

  private findTask(cluster: string, ref: string): TaskRecord | undefined {
    if (ref.startsWith('arn:')) return this.tasks.get(ref);
    return this.tasks.get(this.arn(`task/${cluster}/${ref}`));
  }

  describeTasks(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const refs = Array.isArray(input.tasks) ? (input.tasks as string[]) : [];
    if (refs.length === 0) throw new SimError('InvalidParameterException', 'Tasks cannot be empty.');
    if (refs.length > 100)
      throw new SimError('InvalidParameterException', 'Tasks cannot have more than 100 elements.');
    const tasks: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const ref of refs) {
      const task = this.findTask(cluster, ref);
      if (!task || task.missingLeft > 0) {
        if (task) task.missingLeft -= 1;
        failures.push({
          arn: ref.startsWith('arn:') ? ref : this.arn(`task/${cluster}/${ref}`),
          reason: 'MISSING',
        });
        continue;
      }
      let hideExitCode = false;
      if (
        (task.lastStatus === 'STOPPED' || task.lastStatus === 'DEPROVISIONING') &&
        task.exitCodeLagLeft > 0
      ) {
        task.exitCodeLagLeft -= 1;
        hideExitCode = true;
      }
      tasks.push(this.taskJson(task, hideExitCode));
    }
    return { tasks, failures };
  }

  stopTask(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const task = this.findTask(cluster, required(input, 'task'));
    if (!task) throw new SimError('InvalidParameterException', 'The referenced task was not found.');
    if (task.desiredStatus !== 'STOPPED') {
      const now = this.o.now();
      task.desiredStatus = 'STOPPED';
      task.stopRequestedAt = now;
      task.stoppingAt = now;
      task.stopCode = 'UserInitiated';
      task.stoppedReason = str(input, 'reason') ?? 'Task stopped by user';
      if (task.lastStatus === 'PROVISIONING' || task.lastStatus === 'PENDING') {
        this.finish(task, undefined, now);
      } else if (task.process) {
        // docker stop: SIGTERM, then SIGKILL after the stop timeout (shortened here).
        task.process.kill('SIGTERM');
        const p = task.process;
        setTimeout(() => p.kill('SIGKILL'), 2_000).unref();
      }
      // StopTask deletes the task's tags (API_StopTask.html).
      task.tags = [];
    }
    return { task: this.taskJson(task) };
  }

  private taskJson(task: TaskRecord, hideExitCode = false): JsonObject {
    const request = task.request;
    const overrides = (request.overrides ?? {}) as JsonObject;
    return {
      taskArn: task.arn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: task.taskDefinitionArn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      launchType: request.launchType ?? (request.capacityProviderStrategy ? undefined : 'EC2'),
      ...(request.capacityProviderStrategy
        ? {
            capacityProviderName: (request.capacityProviderStrategy as { capacityProvider: string }[])[0]
              ?.capacityProvider,
          }
        : {}),
      platformVersion: request.platformVersion,
      startedBy: request.startedBy,
      group: request.group ?? `family:${task.definition.family}`,
      overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...overrides },
      createdAt: epochSeconds(task.createdAt),
      ...(task.pullStartedAt ? { pullStartedAt: epochSeconds(task.pullStartedAt) } : {}),
      ...(task.startedAt ? { startedAt: epochSeconds(task.startedAt) } : {}),
      ...(task.stoppingAt ? { stoppingAt: epochSeconds(task.stoppingAt) } : {}),
      ...(task.stoppedAt ? { stoppedAt: epochSeconds(task.stoppedAt) } : {}),
      ...(task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED'
        ? { stopCode: task.stopCode, stoppedReason: task.stoppedReason }
        : {}),
      containers: task.containers.map((c) => ({
        containerArn: c.containerArn,
        taskArn: task.arn,
        name: c.name,
        image: c.image,
        lastStatus: c.lastStatus,
        ...(c.exitCode !== undefined && !hideExitCode ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
      })),
      tags: task.tags,
      version: 1,
    };
  }

  /** The awslogs stream of a task's container, when the task definition configures one. */
  logStreamOf(task: TaskRecord, containerName: string): { group: string; name: string } | undefined {
    const def = task.definition.input.containerDefinitions.find((c) => c.name === containerName);
    const log = def?.logConfiguration;
    if (log?.logDriver !== 'awslogs') return undefined;
    const group = log.options?.['awslogs-group'];
    const prefix = log.options?.['awslogs-stream-prefix'];
    if (!group || !prefix) return undefined;
    return { group, name: `${prefix}/${containerName}/${task.id}` };
  }

  private emit(task: TaskRecord, lines: readonly string[], at: number): void {
    const stream = this.logStreamOf(task, task.main);
    if (!stream || lines.length === 0) return;
    if (task.heldLines) {
      task.heldLines.lines.push(...lines);
      return;
    }
    this.o.logs.put(stream.group, stream.name, lines, at);
  }

  /** argv and environment of the main container: task definition, then overrides, then resolved secrets. */
  private commandOf(
    task: TaskRecord,
    image: ImageSpec,
  ): { argv: string[]; env: Record<string, string> } | string {
    const def = task.definition.input.containerDefinitions.find((c) => c.name === task.main)!;
    const overrides = (task.request.overrides ?? {}) as {
      containerOverrides?: { name: string; command?: string[]; environment?: KeyValue[] }[];
    };
    const override = overrides.containerOverrides?.find((o) => o.name === task.main);
    const command = override?.command ?? def.command ?? ('dir' in image ? image.command : undefined) ?? [];
    const argv = [...(def.entryPoint ?? []), ...command];
    const env: Record<string, string> = { ...baseEnv() };
    for (const kv of def.environment ?? []) env[kv.name] = kv.value;
    for (const kv of override?.environment ?? []) env[kv.name] = kv.value;
    for (const s of def.secrets ?? []) {
      const value = this.o.secrets.get(s.valueFrom);
      if (value === undefined)
        return `ResourceInitializationError: unable to pull secrets or registry auth: retrieve secret from ${s.valueFrom}: ResourceNotFoundException`;
      env[s.name] = value;
    }
    env.ECS_CONTAINER_METADATA_URI_V4 = `http://169.254.170.2/v4/${task.id}`;
    return { argv, env };
  }

  private startContainer(task: TaskRecord, at: number): void {
    const mainDef = task.containers.find((c) => c.name === task.main)!;
    const image = this.o.images.get(mainDef.image);
    if (task.effect.cannotPull || !image) {
      const reason = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${mainDef.image}: not found`;
      task.stopCode = 'TaskFailedToStart';
      task.stoppedReason = reason;
      mainDef.reason = reason;
      this.finish(task, undefined, at);
      return;
    }
    const command = this.commandOf(task, image);
    if (typeof command === 'string') {
      task.stopCode = 'TaskFailedToStart';
      task.stoppedReason = command;
      this.finish(task, undefined, at);
      return;
    }
    task.lastStatus = 'RUNNING';
    task.startedAt = at;
    for (const c of task.containers) c.lastStatus = 'RUNNING';
    const stream = this.logStreamOf(task, task.main);
    if (stream) {
      if (task.effect.lateLogsMs) task.heldLines = { at: at + task.effect.lateLogsMs, lines: [], stream };
      else this.o.logs.createStream(stream.group, stream.name);
    }
    const script: ScriptSpec | undefined =
      task.effect.script ?? ('script' in image ? image.script : undefined);
    if (task.effect.oom) {
      task.stopAt = at + (script?.runMs ?? this.o.timings.runMs);
      return;
    }
    if (script || !('dir' in image)) {
      this.emit(task, script?.lines ?? [], at);
      if (!task.effect.neverStops) task.stopAt = at + (script?.runMs ?? this.o.timings.runMs);
      return;
    }
    if (command.argv.length === 0) {
      task.stopAt = at;
      return;
    }
    const proc = runProcess(command.argv, {
      cwd: image.dir,
      env: command.env,
      onLine: (line) => this.emit(task, [line], this.o.now()),
    });
    task.process = proc;
    void proc.done.then((code) => {
      task.process = undefined;
      this.finish(task, code, Math.max(this.o.now(), at));
    });
  }

  /** The task reaches STOPPED; `exitCode` undefined = the main container never ran or has no code. */
  private finish(task: TaskRecord, exitCode: number | undefined, at: number): void {
    if (task.lastStatus === 'STOPPED' || task.lastStatus === 'DEPROVISIONING') return;
    const ran = task.lastStatus === 'RUNNING';
    const deprovision = ran ? this.o.timings.deprovisionMs : 0;
    task.lastStatus = deprovision > 0 ? 'DEPROVISIONING' : 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.stoppingAt ??= at;
    if (deprovision > 0) task.stoppedFinalAt = at + deprovision;
    else task.stoppedAt = at;
    if (!task.stopCode) {
      task.stopCode = 'EssentialContainerExited';
      task.stoppedReason = 'Essential container in task exited';
    }
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      if (!ran) continue;
      if (c.name === task.main) c.exitCode = exitCode;
      else c.exitCode = 143;
    }
    if (task.heldLines) this.releaseHeld(task);
  }

  private releaseHeld(task: TaskRecord): void {
    const held = task.heldLines;
    if (!held) return;
    task.heldLines = undefined;
    this.o.logs.createStream(held.stream.group, held.stream.name);
    this.o.logs.put(held.stream.group, held.stream.name, held.lines, held.at);
  }

  private tickTask(task: TaskRecord, now: number): void {
    if (task.heldLines && now >= task.heldLines.at) this.releaseHeld(task);
    if (
      task.lastStatus === 'DEPROVISIONING' &&
      task.stoppedFinalAt !== undefined &&
      now >= task.stoppedFinalAt
    ) {
      task.lastStatus = 'STOPPED';
      task.stoppedAt = task.stoppedFinalAt;
    }
    if (task.lastStatus === 'STOPPED') return;
    if (task.lastStatus === 'PROVISIONING' && now >= task.pendingAt) {
      task.lastStatus = 'PENDING';
      task.pullStartedAt = task.pendingAt;
    }
    if (task.lastStatus === 'PENDING' && now >= task.runningAt) this.startContainer(task, task.runningAt);
    if (task.lastStatus !== 'RUNNING' || task.process) return;
    if (task.stopRequestedAt !== undefined && now >= task.stopRequestedAt + this.o.timings.stopMs) {
      this.finish(task, 143, task.stopRequestedAt + this.o.timings.stopMs);
      return;
    }
    if (task.stopAt !== undefined && now >= task.stopAt) {
      if (task.effect.oom) {
        const main = task.containers.find((c) => c.name === task.main)!;
        main.reason = 'OutOfMemoryError: Container killed due to memory usage';
        this.finish(task, 137, task.stopAt);
        return;
      }
      const script = task.effect.script ?? this.scriptOf(task);
      this.finish(task, script?.exitCode ?? 0, task.stopAt);
    }
    if (task.heldLines && now >= task.heldLines.at) this.releaseHeld(task);
  }

  private scriptOf(task: TaskRecord): ScriptSpec | undefined {
    const image = this.o.images.get(task.containers.find((c) => c.name === task.main)!.image);
    return image && 'script' in image ? image.script : undefined;
  }

  // ---- services ---------------------------------------------------------------------------------------

  private findService(cluster: string, ref: string): ServiceRecord | undefined {
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    return this.services.get(`${cluster}/${name}`);
  }

  private event(service: ServiceRecord, message: string, at = this.o.now()): void {
    service.events.unshift({ id: hexId(8), createdAt: at, message: `(service ${service.name}) ${message}` });
    service.events.length = Math.min(service.events.length, 100);
  }

  createService(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const name = required(input, 'serviceName');
    if (this.services.has(`${cluster}/${name}`))
      throw new SimError('InvalidParameterException', 'Creation of service was not idempotent.');
    if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined)
      throw new SimError(
        'InvalidParameterException',
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    const td = this.activeTaskDefinition(required(input, 'taskDefinition'));
    const now = this.o.now();
    const desired = typeof input.desiredCount === 'number' ? input.desiredCount : 1;
    const service: ServiceRecord = {
      arn: this.arn(`service/${cluster}/${name}`),
      name,
      clusterArn: this.arn(`cluster/${cluster}`),
      status: 'ACTIVE',
      desiredCount: desired,
      taskDefinition: td.arn,
      deployments: [
        {
          id: deploymentId(),
          status: 'PRIMARY',
          taskDefinition: td.arn,
          desiredCount: desired,
          runningCount: desired,
          failedTasks: 0,
          rolloutState: 'COMPLETED',
          rolloutStateReason: 'ECS deployment completed.',
          createdAt: now,
          updatedAt: now,
        },
      ],
      events: [],
      request: structuredClone(input),
      createdAt: now,
    };
    this.event(service, 'has reached a steady state.');
    this.services.set(`${cluster}/${name}`, service);
    return { service: this.serviceJson(service) };
  }

  describeServices(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const refs = Array.isArray(input.services) ? (input.services as string[]) : [];
    const services: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const ref of refs) {
      const s = this.findService(cluster, ref);
      if (s) services.push(this.serviceJson(s));
      else failures.push({ arn: this.arn(`service/${cluster}/${ref}`), reason: 'MISSING' });
    }
    return { services, failures };
  }

  updateService(input: JsonObject): JsonObject {
    const cluster = this.clusterName(input);
    const service = this.findService(cluster, required(input, 'service'));
    if (!service) throw new SimError('ServiceNotFoundException', 'Service not found.');
    if (service.status !== 'ACTIVE')
      throw new SimError('ServiceNotActiveException', 'Service was not ACTIVE.');
    const now = this.o.now();
    const t = this.o.timings;
    const primary = service.deployments.find((d) => d.status === 'PRIMARY')!;
    const desired = typeof input.desiredCount === 'number' ? input.desiredCount : service.desiredCount;
    const tdRef = str(input, 'taskDefinition');
    const td = tdRef ? this.activeTaskDefinition(tdRef) : undefined;
    if (td && (td.arn !== primary.taskDefinition || input.forceNewDeployment === true)) {
      for (const d of service.deployments) d.status = 'ACTIVE';
      const rollback = this.o.faults.take('deployment');
      const deployment: DeploymentRecord = {
        id: deploymentId(),
        status: 'PRIMARY',
        taskDefinition: td.arn,
        desiredCount: desired,
        runningCount: 0,
        failedTasks: 0,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment in progress.',
        createdAt: now,
        updatedAt: now,
        ...(rollback ? { failAt: now + t.deployMs / 2 } : { completeAt: now + t.deployMs }),
      };
      service.deployments.unshift(deployment);
      service.taskDefinition = td.arn;
      if (desired > 0) this.event(service, `has started ${desired} tasks: (task ${hexId()}).`);
    } else if (desired !== service.desiredCount) {
      primary.desiredCount = desired;
      primary.scaleAt = now + t.scaleMs;
      primary.updatedAt = now;
    }
    service.desiredCount = desired;
    return { service: this.serviceJson(service) };
  }

  private tickService(service: ServiceRecord, now: number): void {
    const t = this.o.timings;
    for (const d of service.deployments) {
      if (d.scaleAt !== undefined && now >= d.scaleAt) {
        const stopped = d.runningCount - d.desiredCount;
        d.runningCount = d.desiredCount;
        d.updatedAt = d.scaleAt;
        d.scaleAt = undefined;
        if (stopped > 0) this.event(service, `has stopped ${stopped} running tasks: (task ${hexId()}).`, now);
        if (stopped < 0) this.event(service, `has started ${-stopped} tasks: (task ${hexId()}).`, now);
        this.event(service, 'has reached a steady state.', now);
      }
    }
    const primary = service.deployments.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState !== 'IN_PROGRESS') return;
    if (primary.failAt !== undefined && now >= primary.failAt) {
      const at = primary.failAt;
      primary.failAt = undefined;
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      primary.failedTasks = 3;
      primary.status = 'ACTIVE';
      primary.updatedAt = at;
      this.event(service, `(deployment ${primary.id}) deployment failed: tasks failed to start.`, at);
      const last = service.deployments.find((d) => d !== primary && d.rolloutState === 'COMPLETED');
      if (last) {
        const back: DeploymentRecord = {
          ...last,
          id: deploymentId(),
          status: 'PRIMARY',
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment in progress.',
          createdAt: at,
          updatedAt: at,
          completeAt: at + t.deployMs / 2,
        };
        for (const d of service.deployments) if (d !== primary) d.status = 'ACTIVE';
        service.deployments.unshift(back);
        service.taskDefinition = back.taskDefinition;
        this.event(service, `rolling back to deployment ${last.id}.`, at);
      }
      this.tickService(service, now);
      return;
    }
    if (primary.completeAt !== undefined && now >= primary.completeAt) {
      const at = primary.completeAt;
      primary.completeAt = undefined;
      primary.runningCount = primary.desiredCount;
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = 'ECS deployment completed.';
      primary.updatedAt = at;
      const others = service.deployments.filter((d) => d !== primary);
      const stopped = others.reduce((n, d) => n + d.runningCount, 0);
      service.deployments = [primary];
      if (stopped > 0) this.event(service, `has stopped ${stopped} running tasks: (task ${hexId()}).`, at);
      this.event(service, `(deployment ${primary.id}) deployment completed.`, at);
      this.event(service, 'has reached a steady state.', at);
    }
  }

  private serviceJson(s: ServiceRecord): JsonObject {
    const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
    const request = s.request;
    return {
      serviceArn: s.arn,
      serviceName: s.name,
      clusterArn: s.clusterArn,
      status: s.status,
      desiredCount: s.desiredCount,
      runningCount: running,
      pendingCount: 0,
      taskDefinition: s.taskDefinition,
      ...(request.launchType ? { launchType: request.launchType } : {}),
      ...(request.capacityProviderStrategy
        ? { capacityProviderStrategy: request.capacityProviderStrategy }
        : {}),
      ...(request.platformVersion ? { platformVersion: request.platformVersion } : {}),
      ...(request.networkConfiguration ? { networkConfiguration: request.networkConfiguration } : {}),
      deploymentConfiguration: request.deploymentConfiguration ?? {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: s.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.desiredCount,
        pendingCount: 0,
        runningCount: d.runningCount,
        failedTasks: d.failedTasks,
        createdAt: epochSeconds(d.createdAt),
        updatedAt: epochSeconds(d.updatedAt),
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
        ...(request.launchType ? { launchType: request.launchType } : {}),
      })),
      events: s.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
      createdAt: epochSeconds(s.createdAt),
    };
  }

  tick(now: number): void {
    for (const task of this.tasks.values()) this.tickTask(task, now);
    for (const service of this.services.values()) this.tickService(service, now);
  }

  /** Kill every process still running (sim shutdown). */
  killAll(): void {
    for (const task of this.tasks.values()) task.process?.kill('SIGKILL');
  }
}
