/** Faults on demand and what an image does when a task or build runs it. */

/**
 * What a container image does. `dir`: really run the command (task definition command, overridden by
 * containerOverrides; CodeBuild: the buildspec commands through `sh -c`) as a process in that directory.
 * `script`: no process; after `runMs` the container prints `lines` and exits with `exitCode`.
 * An image that is in neither form cannot be pulled (CannotPullContainerError), as on AWS.
 */
export type ImageSpec =
  | {
      dir: string /** Default command when neither the task definition nor an override gives one. */;
      command?: string[];
    }
  | { script: ScriptSpec };

export interface ScriptSpec {
  exitCode?: number;
  lines?: string[];
  runMs?: number;
}

/** Changes to the next task(s) RunTask starts. */
export interface TaskEffect {
  /** Fails to start: stopCode TaskFailedToStart, CannotPullContainerError, no exit code. */
  cannotPull?: boolean;
  /** Killed for memory: exit 137, container reason OutOfMemoryError. */
  oom?: boolean;
  /** Stays RUNNING until StopTask. */
  neverStops?: boolean;
  /** DescribeTasks reports it MISSING this many times first (eventual consistency after RunTask). */
  missingDescribes?: number;
  /** Once STOPPED, DescribeTasks omits the container exit code this many times first. */
  exitCodeLagDescribes?: number;
  /** The log stream appears only this long after the container starts (lines are kept until then). */
  lateLogsMs?: number;
  /** Override the scripted outcome. */
  script?: ScriptSpec;
}

export interface BuildEffect {
  /** PROVISIONING fails pulling the build image (BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE); nothing runs, no logs. */
  cannotPull?: boolean;
  /** The build phase runs this long and exits with this status instead of running the image. */
  script?: ScriptSpec;
  /** Never finishes by itself (until StopBuild or its timeout). */
  neverStops?: boolean;
  /** Logs (the log stream and cloudWatchLogsArn) appear this long after provisioning ends. */
  lateLogsMs?: number;
}

export type SimFault =
  /** An operation (or `*` = every operation) answers with an AWS error. */
  | {
      kind: 'error';
      operation: string;
      error: string;
      message?: string;
      status?: number;
      /** How many calls it affects (default 1; Infinity for "from now on"). */
      times?: number;
    }
  /** RunTask returns this placement failure in failures[] and starts nothing. */
  | { kind: 'runTaskFailure'; reason: string; detail?: string; times?: number }
  | { kind: 'task'; effect: TaskEffect; times?: number }
  /** The next UpdateService deployment fails its tasks and the circuit breaker rolls it back. */
  | { kind: 'deployment'; effect: 'circuitBreakerRollback'; times?: number }
  | { kind: 'build'; effect: BuildEffect; times?: number };

/** Fault queue: each fault applies to `times` matching events, oldest first. */
export class Faults {
  private readonly queue: { fault: SimFault; left: number }[] = [];

  add(fault: SimFault): void {
    this.queue.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Take (consume one use of) the first fault that matches. */
  take<K extends SimFault['kind']>(
    kind: K,
    matches: (fault: Extract<SimFault, { kind: K }>) => boolean = () => true,
  ): Extract<SimFault, { kind: K }> | undefined {
    for (const [i, entry] of this.queue.entries()) {
      if (entry.fault.kind !== kind) continue;
      const fault = entry.fault as Extract<SimFault, { kind: K }>;
      if (!matches(fault)) continue;
      entry.left -= 1;
      if (entry.left <= 0) this.queue.splice(i, 1);
      return fault;
    }
    return undefined;
  }
}
