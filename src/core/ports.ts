/**
 * The small interfaces the pipeline flows (migrate, record-release, rollback) are written against. Adapters:
 * ECS task / CodeBuild build / the runner itself for MigrationExecutor; ECS service / a local file for
 * DeployTarget; file / S3 / GitHub release for ManifestStore (src/core/manifest-store.ts, src/stores).
 */

/** Where human progress goes: stderr for the CLI, the step log (core.info/group) for an action. */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Fold a long block (task logs) under a title; the CLI just prints a header. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface ExecRequest {
  /** Arguments for the `stepback` CLI inside the image, e.g. `['up', '--release', 'v2', '--json']`. */
  args: string[];
  /**
   * The whole command line instead of the runner command + `args`: an engine that runs its own program in
   * the image (Django's `manage.py shell -c`, src/core/remote-engine.ts). `args` is then empty.
   */
  command?: string[];
  /** Extra environment for the run (never secrets in plain text: those come from the task definition). */
  env: Record<string, string>;
  release: string;
  /** ECS: the exact task definition ARN to run (the release's image). */
  taskDefinitionArn?: string;
  /** CodeBuild: the release's image to run as the build image (from its manifest), when known. */
  image?: string;
  /**
   * The line of the run's output that means it is done (its engine's result line, RemoteEngine.isResultLine):
   * an executor following the run's log polls faster once it has seen it. Default: the stepback CLI's.
   */
  isResultLine?: (line: string) => boolean;
  /** Idempotency key: a retried pipeline step must not start a second run. */
  idempotencyKey: string;
  /** Give up (and stop the remote work) after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** True only when the run provably finished with exit code 0. */
  ok: boolean;
  exitCode: number | null;
  /** Task ARN, build id, or `runner:<pid>`. */
  id: string;
  /** Why it ended, with every field that explains it (stopCode, stoppedReason, container reason, phase). */
  message: string;
  /** The run's stdout when the executor can capture it (the `--json` document is parsed from it). */
  stdout?: string;
  /**
   * The run's image could not be pulled (ECS: CannotPullContainerError; CodeBuild: PROVISIONING failed pulling
   * the build image), so nothing ran: the reason. A
   * rollback can then run the newer release's downs from the store in the older release's image.
   */
  imageUnavailable?: string;
}

/** What an executor found about a request before running it. */
export interface RequestCheck {
  /** Why the executor cannot run the request at all (empty: it can). */
  problems: string[];
  /** ECS: the characters of the RunTask container override the request needs. */
  overrideLength?: number;
}

export interface MigrationExecutor {
  readonly kind: 'ecs' | 'codebuild' | 'runner';
  /**
   * What a run's code comes from: the release's task definition (ecs), its image (codebuild) or the files on
   * this machine (runner). The flows ask this, never the kind.
   */
  readonly runs: 'task-definition' | 'image' | 'checkout';
  /** Checked before anything runs; absent when the executor can run any request. */
  check?(request: ExecRequest): RequestCheck;
  run(request: ExecRequest, log: Log): Promise<ExecResult>;
}

export interface LiveRelease {
  /** The live task definition; a target that deploys releases by name may have none. */
  taskDefinitionArn?: string;
  /** The release the live task definition was tagged with at record-release, or the one deployed, when known. */
  release?: string;
}

export interface DeployRequest {
  /** What to switch to; a target that deploys by `release` takes none (DeployTarget.deploysBy). */
  taskDefinitionArn?: string;
  /** Full task definition, to re-register when the ARN has become INACTIVE. */
  taskDefinition?: Record<string, unknown>;
  release: string;
  /** Scale to zero before switching (for rollbacks the running code cannot survive). */
  drain?: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface DeployResult {
  ok: boolean;
  /** The task definition that ended up live (may differ after re-registration); none when none was asked for. */
  taskDefinitionArn?: string;
  message: string;
}

export interface DeployTarget {
  /**
   * What a deploy switches to: a task definition (an ECS service, which cannot run a release without one), or
   * the release by name (a local target, which records the task definition too when it is given). The flows
   * ask this, never the kind: a rollback to a release recorded without a task definition is refused up front
   * only by a target that needs one.
   */
  readonly deploysBy: 'task-definition' | 'release';
  live(): Promise<LiveRelease>;
  deploy(request: DeployRequest, log: Log): Promise<DeployResult>;
}

/** A registered task definition as record-release stores it and a rollback re-registers it. */
export interface TaskDefinitionInfo {
  taskDefinitionArn: string;
  /** `ACTIVE` or `INACTIVE` (an INACTIVE one must be registered again before it can run). */
  status: string;
  /** RegisterTaskDefinition input shape: the describe output without ARN, revision, status and the like. */
  registerInput: Record<string, unknown>;
  /** Its tags (ECS: DescribeTaskDefinition with include TAGS), when the adapter reads them. */
  tags?: Record<string, string>;
}

/** Reading and tagging task definitions (ECS, or a local stand-in for the demo and tests). */
export interface TaskDefinitions {
  describe(taskDefinitionArn: string): Promise<TaskDefinitionInfo>;
  /** Add tags (idempotent: tagging again with the same values changes nothing). */
  tag(taskDefinitionArn: string, tags: Record<string, string>): Promise<void>;
  /** Register a stored definition again (a new revision), with tags; returns the new ARN. */
  register?(registerInput: Record<string, unknown>, tags?: Record<string, string>): Promise<string>;
}

/** The tag record-release puts on a task definition, so a live service can be traced back to its manifest. */
export const RELEASE_TAG = 'stepback:release';
