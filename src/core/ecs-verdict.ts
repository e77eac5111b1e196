/**
 * Pure ECS judgements: did the one-off migration task succeed, is a
 * service deployment done, which RunTask failures are worth retrying. Types are structural subsets of the SDK
 * shapes so this module does not depend on the SDK and tests can write plain objects.
 */

export interface ContainerView {
  name?: string;
  lastStatus?: string;
  exitCode?: number;
  reason?: string;
}

export interface TaskView {
  taskArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers?: ContainerView[];
}

export type TaskVerdict =
  | { state: 'running'; lastStatus: string }
  /** Stopped, the container exited, but its exit code is not reported yet: describe again shortly. */
  | { state: 'recheck'; message: string }
  | { state: 'succeeded'; exitCode: 0; message: string }
  | {
      state: 'failed';
      /** null: the container never ran (image pull, secrets, network) or its exit code never appeared. */
      exitCode: number | null;
      /** `exit`: the command failed; `never-ran`; `stopped`: someone or something stopped the task. */
      cause: 'exit' | 'never-ran' | 'stopped' | 'missing-container';
      message: string;
    };

/** Stop codes that mean something other than "the essential container exited by itself". */
const STOPPED_BY: Record<string, string> = {
  UserInitiated: 'stopped by a user or tool (StopTask)',
  ServiceSchedulerInitiated: 'stopped by the ECS service scheduler',
  SpotInterruption:
    'interrupted by Spot capacity reclaim (an infrastructure failure, not a migration failure)',
  TerminationNotice:
    'stopped after a termination notice (an infrastructure failure, not a migration failure)',
  InfrastructureHealth: 'stopped because of an infrastructure health problem (not a migration failure)',
};

export function taskId(taskArn: string | undefined): string {
  if (!taskArn) return '(unknown task)';
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

function quote(text: string | undefined): string {
  return text === undefined || text === '' ? '(none)' : JSON.stringify(text);
}

/** Every field that explains how the task ended, in one line (the opposite of a bare "task failed"). */
export function describeStoppedTask(task: TaskView, containerName: string): string {
  const container = task.containers?.find((c) => c.name === containerName);
  const parts = [`stopCode=${task.stopCode ?? '(none)'}`, `stoppedReason=${quote(task.stoppedReason)}`];
  if (container) {
    parts.push(
      `container ${containerName}: exitCode=${container.exitCode ?? '(none)'}, reason=${quote(container.reason)}`,
    );
  }
  for (const other of task.containers ?? []) {
    if (other.name === containerName) continue;
    if (other.exitCode === undefined && !other.reason) continue;
    parts.push(
      `container ${other.name}: exitCode=${other.exitCode ?? '(none)'}, reason=${quote(other.reason)}`,
    );
  }
  return parts.join('; ');
}

/**
 * Why the task's image could not be pulled (ECS stops it with TaskFailedToStart and a
 * CannotPullContainerError reason: a deleted image, a lifecycle rule, a registry permission), or undefined
 * when that is not how it ended. Nothing of the task ran, so another image may run its work instead.
 */
export function imagePullFailure(task: TaskView, containerName: string): string | undefined {
  if (task.stopCode !== 'TaskFailedToStart') return undefined;
  const container = task.containers?.find((c) => c.name === containerName);
  for (const reason of [container?.reason, task.stoppedReason])
    if (reason?.includes('CannotPullContainerError')) return reason;
  return undefined;
}

function exitHint(exitCode: number): string {
  if (exitCode === 137) return ' (137 = killed by SIGKILL, usually out of memory)';
  if (exitCode === 143) return ' (143 = terminated by SIGTERM)';
  return '';
}

/**
 * Fargate takes a while (DEACTIVATING, STOPPING, DEPROVISIONING: ENI detachment) between the container's exit
 * and the task's STOPPED. Once the task is stopping (desiredStatus STOPPED, stopCode set) and the named
 * container has STOPPED with an exit code, everything the verdict reads is final.
 */
function containerDone(task: TaskView, containerName: string): boolean {
  const container = task.containers?.find((c) => c.name === containerName);
  return (
    task.desiredStatus === 'STOPPED' &&
    task.stopCode !== undefined &&
    container?.lastStatus === 'STOPPED' &&
    typeof container.exitCode === 'number'
  );
}

/**
 * The migration task's verdict. stopCode and stoppedReason first, then the NAMED container's exitCode, which
 * must be exactly 0. `finalCheck`: the caller has already re-described a stopped task whose exit code was
 * missing, so a missing exit code now means the container never ran.
 */
export function taskVerdict(task: TaskView, containerName: string, finalCheck = false): TaskVerdict {
  const id = taskId(task.taskArn);
  if (task.lastStatus !== 'STOPPED' && !containerDone(task, containerName))
    return { state: 'running', lastStatus: task.lastStatus ?? 'UNKNOWN' };
  const details = describeStoppedTask(task, containerName);
  const container = task.containers?.find((c) => c.name === containerName);
  if (!container) {
    const names = (task.containers ?? []).map((c) => c.name).join(', ') || '(none)';
    return {
      state: 'failed',
      exitCode: null,
      cause: 'missing-container',
      message: `Task ${id} has no container named ${containerName} (containers: ${names}); ${details}`,
    };
  }
  const code = task.stopCode;
  if (code === 'TaskFailedToStart') {
    return {
      state: 'failed',
      exitCode: container.exitCode ?? null,
      cause: 'never-ran',
      message: `Task ${id} failed to start; the container ${containerName} never ran: ${details}`,
    };
  }
  if (code !== undefined && code !== 'EssentialContainerExited') {
    const why = STOPPED_BY[code] ?? `stopped with an unrecognised stop code`;
    return {
      state: 'failed',
      exitCode: container.exitCode ?? null,
      cause: 'stopped',
      message: `Task ${id} was ${why}: ${details}`,
    };
  }
  if (container.exitCode === undefined || container.exitCode === null) {
    if (!finalCheck)
      return { state: 'recheck', message: `Task ${id} stopped; waiting for the exit code: ${details}` };
    return {
      state: 'failed',
      exitCode: null,
      cause: 'never-ran',
      message: `Task ${id} stopped without an exit code for ${containerName}, so it never ran: ${details}`,
    };
  }
  if (container.exitCode === 0) {
    return { state: 'succeeded', exitCode: 0, message: `Task ${id} finished: ${details}` };
  }
  return {
    state: 'failed',
    exitCode: container.exitCode,
    cause: 'exit',
    message: `Task ${id}: container ${containerName} exited with ${container.exitCode}${exitHint(container.exitCode)}: ${details}`,
  };
}

export interface RunTaskFailure {
  arn?: string;
  reason?: string;
  detail?: string;
}

/**
 * Placement failures that a later attempt can get past: Fargate "Capacity is unavailable at this time" and the
 * EC2 `RESOURCE:*` shortages (an auto-scaling group or capacity provider may add room). Everything else
 * (MISSING, ATTRIBUTE, AGENT, LOCATION, ...) is a configuration problem.
 */
export function isCapacityFailure(failure: RunTaskFailure): boolean {
  const reason = failure.reason ?? '';
  return /capacity is unavailable/i.test(reason) || /^RESOURCE:/i.test(reason);
}

export function describeFailures(failures: readonly RunTaskFailure[]): string {
  return failures
    .map((f) => {
      const parts = [f.reason ?? '(no reason)'];
      if (f.detail) parts.push(`detail: ${f.detail}`);
      if (f.arn) parts.push(`arn: ${f.arn}`);
      return parts.join(', ');
    })
    .join('; ');
}

export interface DeploymentView {
  id?: string;
  status?: string;
  taskDefinition?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  failedTasks?: number;
  rolloutState?: string;
  rolloutStateReason?: string;
}

export interface ServiceView {
  serviceName?: string;
  status?: string;
  taskDefinition?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  deployments?: DeploymentView[];
}

export type DeploymentVerdict =
  | { state: 'waiting'; message: string }
  | { state: 'succeeded'; message: string }
  | { state: 'failed'; message: string };

function deploymentLine(d: DeploymentView): string {
  const rollout = d.rolloutState ? `, rollout ${d.rolloutState}` : '';
  return `${d.id} ${d.status} ${d.taskDefinition} (${d.runningCount ?? 0}/${d.desiredCount ?? 0} running${rollout})`;
}

/**
 * Has OUR deployment finished? "Services stable" (one deployment, running == desired) also holds after a
 * circuit-breaker rollback, so the deployment we started is checked by id: it must still be there, still
 * PRIMARY, the only one, and COMPLETED (or, where ECS does not report rolloutState — CODE_DEPLOY, classic load
 * balancers — running == desired).
 */
export function deploymentVerdict(service: ServiceView, deploymentId: string): DeploymentVerdict {
  const name = service.serviceName ?? '(service)';
  if (service.status && service.status !== 'ACTIVE') {
    return { state: 'failed', message: `Service ${name} is ${service.status}` };
  }
  const deployments = service.deployments ?? [];
  const ours = deployments.find((d) => d.id === deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (!ours) {
    return {
      state: 'failed',
      message:
        `Deployment ${deploymentId} was replaced (a circuit-breaker rollback or another deploy); ` +
        `the service now runs ${primary?.taskDefinition ?? service.taskDefinition ?? '(unknown)'}`,
    };
  }
  if (ours.rolloutState === 'FAILED') {
    return {
      state: 'failed',
      message: `Deployment ${deploymentId} failed: ${ours.rolloutStateReason ?? 'rolloutState FAILED'}${
        primary && primary.id !== deploymentId ? `; ECS is rolling back to ${primary.taskDefinition}` : ''
      }`,
    };
  }
  if (ours.status !== 'PRIMARY') {
    return {
      state: 'failed',
      message: `Deployment ${deploymentId} is no longer PRIMARY (${ours.status}); ${
        primary ? `PRIMARY is ${deploymentLine(primary)}` : 'no PRIMARY deployment'
      }`,
    };
  }
  const complete =
    ours.rolloutState !== undefined
      ? ours.rolloutState === 'COMPLETED'
      : (ours.runningCount ?? 0) === (ours.desiredCount ?? 0) && (ours.pendingCount ?? 0) === 0;
  if (complete && deployments.length === 1) {
    return { state: 'succeeded', message: `Deployment ${deploymentId} completed: ${deploymentLine(ours)}` };
  }
  return { state: 'waiting', message: deployments.map(deploymentLine).join('; ') };
}
