/**
 * CodeBuild: projects (seeded through the control API), builds with phases, an inline buildspec whose
 * commands really run (`sh -c`, in the image's directory) when the image maps to one, environment overrides
 * with PARAMETER_STORE / SECRETS_MANAGER references resolved from the configured secrets, timeouts, StopBuild.
 * The build's logs (`/aws/codebuild/<project>` / `<build uuid>`) exist only after provisioning; until then
 * `cloudWatchLogsArn` is `…:log-group:null:log-stream:null`, as on AWS. An `imageOverride` the images do not
 * hold cannot be pulled: PROVISIONING fails (BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE) and the build has no logs.
 */
import { parse as parseYaml } from 'yaml';
import {
  canonical,
  epochSeconds,
  type JsonObject,
  required,
  type ServiceSimOptions,
  SimError,
  str,
  uuid,
} from './common.ts';
import type { BuildEffect, ScriptSpec } from './faults.ts';
import { baseEnv, type RunningProcess, runProcess } from './process.ts';

export interface ProjectRecord {
  name: string;
  image: string;
  logGroup: string;
  timeoutInMinutes: number;
  /** The project's own environment variables (PLAINTEXT), which a build's overrides may replace. */
  environment: Record<string, string>;
}

interface Phase {
  phaseType: string;
  phaseStatus?: string;
  startTime: number;
  endTime?: number;
  contexts?: { statusCode: string; message: string }[];
}

const STEPS = ['INSTALL', 'PRE_BUILD', 'BUILD', 'POST_BUILD'] as const;
const SPEC_KEYS: Record<(typeof STEPS)[number], string> = {
  INSTALL: 'install',
  PRE_BUILD: 'pre_build',
  BUILD: 'build',
  POST_BUILD: 'post_build',
};

export interface BuildRecord {
  id: string;
  uuid: string;
  arn: string;
  project: ProjectRecord;
  buildNumber: number;
  request: JsonObject;
  image: string;
  startTime: number;
  endTime?: number;
  buildStatus: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'FAULT' | 'TIMED_OUT' | 'STOPPED';
  phases: Phase[];
  timeoutInMinutes: number;
  effect: BuildEffect;
  env: Record<string, string>;
  envError?: string;
  commands: Record<string, string[]>;
  specError?: string;
  logsAt?: number;
  logsReady: boolean;
  held: string[];
  /** Scripted BUILD phase end. */
  buildEndsAt?: number;
  /** A real command in flight. */
  running?: RunningProcess;
  stepIndex: number;
  commandIndex: number;
}

const ENV_TYPES = new Set(['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER']);

function stamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

export class CodeBuildSim {
  readonly projects = new Map<string, ProjectRecord>();
  readonly builds = new Map<string, BuildRecord>();
  private readonly tokens = new Map<string, { params: string; buildId: string; at: number }>();

  constructor(private readonly o: ServiceSimOptions) {}

  createProject(project: {
    name: string;
    image?: string;
    logGroup?: string;
    timeoutInMinutes?: number;
    environment?: Record<string, string>;
  }): ProjectRecord {
    const record: ProjectRecord = {
      name: project.name,
      image: project.image ?? 'aws/codebuild/standard:7.0',
      logGroup: project.logGroup ?? `/aws/codebuild/${project.name}`,
      timeoutInMinutes: project.timeoutInMinutes ?? 60,
      environment: { ...project.environment },
    };
    this.projects.set(project.name, record);
    return record;
  }

  startBuild(input: JsonObject): JsonObject {
    const name = required(input, 'projectName', 'InvalidInputException');
    const project = this.projects.get(name);
    if (!project)
      throw new SimError(
        'ResourceNotFoundException',
        `Project cannot be found: arn:aws:codebuild:${this.o.region}:${this.o.accountId}:project/${name}`,
      );
    const token = str(input, 'idempotencyToken');
    if (token) {
      const seen = this.tokens.get(token);
      const { idempotencyToken: _t, ...params } = input;
      if (seen && this.o.now() - seen.at < 5 * 60_000) {
        if (seen.params !== canonical(params))
          throw new SimError(
            'InvalidInputException',
            `Idempotency token ${token} was already used with different parameters (parameter mismatch)`,
          );
        return { build: this.buildJson(this.builds.get(seen.buildId)!) };
      }
    }
    const overrides = Array.isArray(input.environmentVariablesOverride)
      ? (input.environmentVariablesOverride as { name: string; value: string; type?: string }[])
      : [];
    const env: Record<string, string> = { ...baseEnv(), ...project.environment };
    let envError: string | undefined;
    for (const v of overrides) {
      const type = v.type ?? 'PLAINTEXT';
      if (!ENV_TYPES.has(type))
        throw new SimError('InvalidInputException', `Invalid environment variable type: ${type}`);
      if (type === 'PLAINTEXT') env[v.name] = v.value;
      else {
        const secret = this.o.secrets.get(v.value);
        if (secret === undefined)
          envError ??= `${type} reference ${v.value} for ${v.name} could not be resolved`;
        else env[v.name] = secret;
      }
    }
    const timeout =
      typeof input.timeoutInMinutesOverride === 'number'
        ? input.timeoutInMinutesOverride
        : project.timeoutInMinutes;
    if (timeout < 5 || timeout > 2160)
      throw new SimError('InvalidInputException', 'timeoutInMinutesOverride must be between 5 and 2160');
    const commands: Record<string, string[]> = {};
    let specError: string | undefined;
    const spec = str(input, 'buildspecOverride');
    if (spec !== undefined) {
      try {
        const parsed = parseYaml(spec) as {
          version?: unknown;
          phases?: Record<string, { commands?: unknown }>;
        };
        if (String(parsed?.version) !== '0.2')
          specError = 'YAML_FILE_ERROR: missing or unsupported buildspec version';
        for (const step of STEPS) {
          const list = parsed?.phases?.[SPEC_KEYS[step]]?.commands;
          if (Array.isArray(list)) commands[step] = list.map(String);
        }
      } catch (error) {
        specError = `YAML_FILE_ERROR: ${(error as Error).message}`;
      }
    }
    const id = uuid();
    const now = this.o.now();
    const t = this.o.timings;
    const build: BuildRecord = {
      id: `${name}:${id}`,
      uuid: id,
      arn: `arn:aws:codebuild:${this.o.region}:${this.o.accountId}:build/${name}:${id}`,
      project,
      buildNumber: [...this.builds.values()].filter((b) => b.project === project).length + 1,
      request: structuredClone(input),
      image: str(input, 'imageOverride') ?? project.image,
      startTime: now,
      buildStatus: 'IN_PROGRESS',
      phases: [
        { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED', startTime: now, endTime: now },
        { phaseType: 'QUEUED', startTime: now },
      ],
      timeoutInMinutes: timeout,
      effect: { ...(this.o.faults.take('build')?.effect ?? {}) },
      env,
      ...(envError ? { envError } : {}),
      commands,
      ...(specError ? { specError } : {}),
      logsReady: false,
      held: [],
      stepIndex: -1,
      commandIndex: 0,
    };
    build.logsAt = now + t.buildQueueMs + t.buildProvisionMs + (build.effect.lateLogsMs ?? 0);
    this.builds.set(build.id, build);
    if (token) {
      const { idempotencyToken: _t, ...params } = input;
      this.tokens.set(token, { params: canonical(params), buildId: build.id, at: now });
    }
    return { build: this.buildJson(build) };
  }

  batchGetBuilds(input: JsonObject): JsonObject {
    const ids = Array.isArray(input.ids) ? (input.ids as string[]) : [];
    if (ids.length === 0 || ids.length > 100)
      throw new SimError('InvalidInputException', 'ids must contain between 1 and 100 items');
    const builds: JsonObject[] = [];
    const buildsNotFound: string[] = [];
    for (const id of ids) {
      const b = this.builds.get(id);
      if (b) builds.push(this.buildJson(b));
      else buildsNotFound.push(id);
    }
    return { builds, buildsNotFound };
  }

  stopBuild(input: JsonObject): JsonObject {
    const id = required(input, 'id', 'InvalidInputException');
    const build = this.builds.get(id);
    if (!build) throw new SimError('ResourceNotFoundException', `Build ${id} does not exist`);
    if (build.buildStatus === 'IN_PROGRESS') this.end(build, 'STOPPED', this.o.now());
    return { build: this.buildJson(build) };
  }

  private log(build: BuildRecord, lines: readonly string[]): void {
    if (!build.logsReady) {
      build.held.push(...lines);
      return;
    }
    this.o.logs.put(build.project.logGroup, build.uuid, lines);
  }

  private current(build: BuildRecord): Phase {
    return build.phases[build.phases.length - 1]!;
  }

  private enter(build: BuildRecord, phaseType: string, at: number): void {
    const last = this.current(build);
    if (!last.phaseStatus) {
      last.phaseStatus = 'SUCCEEDED';
      last.endTime = at;
    }
    build.phases.push({ phaseType, startTime: at });
    if (STEPS.includes(phaseType as (typeof STEPS)[number]))
      this.log(build, [`[Container] ${stamp(at)} Entering phase ${phaseType}`]);
  }

  /** End the build: the phase in flight gets `status`, then FINALIZING and COMPLETED. */
  private end(
    build: BuildRecord,
    status: BuildRecord['buildStatus'],
    at: number,
    context?: { statusCode: string; message: string },
  ): void {
    if (build.buildStatus !== 'IN_PROGRESS') return;
    build.running?.kill('SIGKILL');
    build.running = undefined;
    const phase = this.current(build);
    if (!phase.phaseStatus) {
      phase.phaseStatus = status === 'SUCCEEDED' ? 'SUCCEEDED' : status;
      phase.endTime = at;
      if (context) phase.contexts = [context];
    }
    if (STEPS.includes(phase.phaseType as (typeof STEPS)[number]))
      this.log(build, [
        `[Container] ${stamp(at)} Phase complete: ${phase.phaseType} State: ${phase.phaseStatus}`,
      ]);
    build.phases.push(
      { phaseType: 'FINALIZING', phaseStatus: 'SUCCEEDED', startTime: at, endTime: at },
      { phaseType: 'COMPLETED', startTime: at },
    );
    build.buildStatus = status;
    build.endTime = at;
  }

  /**
   * A build runs in the project's own image, or in an override the registry holds: an `imageOverride` that is
   * not among the images (deleted, never pushed), or any image under the `cannotPull` fault, cannot be pulled.
   */
  private pullable(build: BuildRecord): boolean {
    if (build.effect.cannotPull) return false;
    return build.image === build.project.image || this.o.images.has(build.image);
  }

  private script(build: BuildRecord): ScriptSpec | undefined {
    if (build.effect.script) return build.effect.script;
    const image = this.o.images.get(build.image);
    return image && 'script' in image ? image.script : undefined;
  }

  /** Run the next command of the current step, or move to the next step. */
  private advance(build: BuildRecord, at: number): void {
    const image = this.o.images.get(build.image);
    while (build.buildStatus === 'IN_PROGRESS' && !build.running && build.buildEndsAt === undefined) {
      const step = STEPS[build.stepIndex];
      const list = step ? (build.commands[step] ?? []) : [];
      if (!step || build.commandIndex >= list.length) {
        build.stepIndex += 1;
        build.commandIndex = 0;
        const next = STEPS[build.stepIndex];
        if (!next) {
          this.enter(build, 'UPLOAD_ARTIFACTS', at);
          this.end(build, 'SUCCEEDED', at);
          return;
        }
        this.enter(build, next, at);
        if (
          next === 'BUILD' &&
          (this.script(build) || build.effect.neverStops || !image || !('dir' in image))
        ) {
          const script = this.script(build);
          this.log(build, script?.lines ?? []);
          build.buildEndsAt = build.effect.neverStops
            ? Number.POSITIVE_INFINITY
            : at + (script?.runMs ?? this.o.timings.runMs);
          return;
        }
        continue;
      }
      const command = list[build.commandIndex]!;
      build.commandIndex += 1;
      this.log(build, [`[Container] ${stamp(at)} Running command ${command}`]);
      if (!image || !('dir' in image)) continue;
      const proc = runProcess(['sh', '-c', command], {
        cwd: image.dir,
        env: build.env,
        onLine: (line) => this.log(build, [line]),
      });
      build.running = proc;
      void proc.done.then((code) => {
        if (build.running !== proc) return;
        build.running = undefined;
        const now = this.o.now();
        if (code !== 0) {
          this.log(build, [
            `[Container] ${stamp(now)} Command did not exit successfully ${command} exit status ${code}`,
          ]);
          this.end(build, 'FAILED', now, {
            statusCode: 'COMMAND_EXECUTION_ERROR',
            message: `Error while executing command: ${command}. Reason: exit status ${code}`,
          });
          return;
        }
        this.advance(build, now);
      });
    }
  }

  private tickBuild(build: BuildRecord, now: number): void {
    const t = this.o.timings;
    if (!build.logsReady && build.logsAt !== undefined && now >= build.logsAt && this.pullable(build)) {
      build.logsReady = true;
      this.o.logs.createStream(build.project.logGroup, build.uuid);
      this.o.logs.put(build.project.logGroup, build.uuid, build.held.splice(0), build.logsAt);
    }
    if (build.buildStatus !== 'IN_PROGRESS') return;
    const deadline = build.startTime + build.timeoutInMinutes * 60_000;
    const phase = this.current(build).phaseType;
    const queuedEnd = build.startTime + t.buildQueueMs;
    const provisionedEnd = queuedEnd + t.buildProvisionMs;
    if (phase === 'QUEUED' && now >= queuedEnd) this.enter(build, 'PROVISIONING', queuedEnd);
    if (this.current(build).phaseType === 'PROVISIONING' && now >= provisionedEnd) {
      if (!this.pullable(build)) {
        // As on AWS: the build container never starts, so the build has no log stream.
        this.end(build, 'FAILED', provisionedEnd, {
          statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE',
          message: `Unable to pull customer's container image. CannotPullContainerError: Error response from daemon: manifest for ${build.image} not found: manifest unknown: manifest unknown`,
        });
        return;
      }
      if (build.envError) {
        this.end(build, 'FAILED', provisionedEnd, { statusCode: 'CLIENT_ERROR', message: build.envError });
        return;
      }
      this.enter(build, 'DOWNLOAD_SOURCE', provisionedEnd);
      if (build.specError) {
        this.end(build, 'FAILED', provisionedEnd, {
          statusCode: 'YAML_FILE_ERROR',
          message: build.specError,
        });
        return;
      }
      this.advance(build, provisionedEnd);
    }
    if (build.buildEndsAt !== undefined && now >= build.buildEndsAt && now < deadline) {
      const at = build.buildEndsAt;
      build.buildEndsAt = undefined;
      const code = this.script(build)?.exitCode ?? 0;
      const command = build.commands.BUILD?.[0] ?? '(build)';
      if (code !== 0) {
        this.log(build, [
          `[Container] ${stamp(at)} Command did not exit successfully ${command} exit status ${code}`,
        ]);
        this.end(build, 'FAILED', at, {
          statusCode: 'COMMAND_EXECUTION_ERROR',
          message: `Error while executing command: ${command}. Reason: exit status ${code}`,
        });
        return;
      }
      build.commandIndex = Number.POSITIVE_INFINITY;
      this.advance(build, at);
    }
    if (build.buildStatus === 'IN_PROGRESS' && now >= deadline) {
      this.log(build, [
        `[Container] ${stamp(deadline)} Build timed out after ${build.timeoutInMinutes} minutes`,
      ]);
      this.end(build, 'TIMED_OUT', deadline, {
        statusCode: 'BUILD_TIMED_OUT',
        message: `Build has timed out. ${build.timeoutInMinutes} mins`,
      });
    }
  }

  private buildJson(b: BuildRecord): JsonObject {
    const logs = b.logsReady
      ? {
          groupName: b.project.logGroup,
          streamName: b.uuid,
          deepLink: `https://console.aws.amazon.com/cloudwatch/home?region=${this.o.region}#logEvent:group=${b.project.logGroup};stream=${b.uuid}`,
          cloudWatchLogsArn: `arn:aws:logs:${this.o.region}:${this.o.accountId}:log-group:${b.project.logGroup}:log-stream:${b.uuid}`,
          cloudWatchLogs: { status: 'ENABLED', groupName: b.project.logGroup },
        }
      : {
          deepLink:
            'https://console.aws.amazon.com/cloudwatch/home?region=' +
            this.o.region +
            '#logEvent:group=null;stream=null',
          cloudWatchLogsArn: `arn:aws:logs:${this.o.region}:${this.o.accountId}:log-group:null:log-stream:null`,
          cloudWatchLogs: { status: 'ENABLED' },
        };
    const request = b.request;
    return {
      id: b.id,
      arn: b.arn,
      buildNumber: b.buildNumber,
      projectName: b.project.name,
      startTime: epochSeconds(b.startTime),
      ...(b.endTime !== undefined ? { endTime: epochSeconds(b.endTime) } : {}),
      currentPhase: this.current(b).phaseType,
      buildStatus: b.buildStatus,
      buildComplete: b.buildStatus !== 'IN_PROGRESS',
      phases: b.phases.map((p) => ({
        phaseType: p.phaseType,
        ...(p.phaseStatus ? { phaseStatus: p.phaseStatus } : {}),
        startTime: epochSeconds(p.startTime),
        ...(p.endTime !== undefined
          ? {
              endTime: epochSeconds(p.endTime),
              durationInSeconds: Math.round((p.endTime - p.startTime) / 1000),
            }
          : {}),
        ...(p.contexts ? { contexts: p.contexts } : {}),
      })),
      logs,
      timeoutInMinutes: b.timeoutInMinutes,
      environment: {
        type: 'LINUX_CONTAINER',
        image: b.image,
        computeType: 'BUILD_GENERAL1_SMALL',
        environmentVariables: request.environmentVariablesOverride ?? [],
      },
      initiator: 'stepback-sim',
    };
  }

  tick(now: number): void {
    for (const build of this.builds.values()) this.tickBuild(build, now);
  }

  killAll(): void {
    for (const build of this.builds.values()) build.running?.kill('SIGKILL');
  }
}
