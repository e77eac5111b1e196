/**
 * Pure CodeBuild judgements: only SUCCEEDED is success; a failure names its status and
 * the phase that failed with that phase's context messages; the log location is read from the build each poll
 * because it is `…:null` until the build has logs.
 */

export interface PhaseView {
  phaseType?: string;
  phaseStatus?: string;
  contexts?: { statusCode?: string; message?: string }[];
}

export interface BuildView {
  id?: string;
  buildStatus?: string;
  currentPhase?: string;
  buildComplete?: boolean;
  phases?: PhaseView[];
  logs?: {
    groupName?: string;
    streamName?: string;
    cloudWatchLogsArn?: string;
  };
}

export type BuildVerdict =
  | { state: 'running'; phase: string }
  | { state: 'succeeded'; exitCode: 0; message: string }
  | { state: 'failed'; exitCode: number | null; phase: string | null; message: string };

const FAILED_PHASE = new Set(['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED', 'CLIENT_ERROR']);

export function failedPhase(build: BuildView): PhaseView | undefined {
  return (build.phases ?? []).find((p) => p.phaseStatus !== undefined && FAILED_PHASE.has(p.phaseStatus));
}

/** CodeBuild reports a failing command as "… Reason: exit status 3" in the phase context. */
export function exitStatusFrom(messages: readonly string[]): number | null {
  for (const m of messages) {
    const match = /exit status (\d+)/.exec(m);
    if (match) return Number(match[1]);
  }
  return null;
}

export function buildVerdict(build: BuildView): BuildVerdict {
  const status = build.buildStatus ?? 'IN_PROGRESS';
  const id = build.id ?? '(build)';
  if (status === 'IN_PROGRESS') return { state: 'running', phase: build.currentPhase ?? 'SUBMITTED' };
  if (status === 'SUCCEEDED') return { state: 'succeeded', exitCode: 0, message: `Build ${id} SUCCEEDED` };
  const phase = failedPhase(build);
  const contexts = (phase?.contexts ?? [])
    .map((c) => [c.statusCode, c.message].filter(Boolean).join(': '))
    .filter((m) => m.length > 0);
  const where = phase ? ` in phase ${phase.phaseType} (${phase.phaseStatus})` : '';
  const why = contexts.length > 0 ? `: ${contexts.join('; ')}` : '';
  return {
    state: 'failed',
    exitCode: exitStatusFrom(contexts),
    phase: phase?.phaseType ?? null,
    message: `Build ${id} ${status}${where}${why}`,
  };
}

/** The build's log stream, or undefined while CodeBuild still reports `log-group:null:log-stream:null`. */
export function buildLogLocation(build: BuildView): { group: string; stream: string } | undefined {
  const group = build.logs?.groupName;
  const stream = build.logs?.streamName;
  if (group && stream && group !== 'null' && stream !== 'null') return { group, stream };
  const arn = build.logs?.cloudWatchLogsArn;
  const match = arn ? /:log-group:([^:]+):log-stream:(.+)$/.exec(arn) : null;
  if (match && match[1] !== 'null' && match[2] !== 'null') return { group: match[1]!, stream: match[2]! };
  return undefined;
}

/** How CodeBuild says it could not pull the build image (the context's status code, or its message). */
const PULL_STATUS = 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE';
const PULL_MESSAGE = /Unable to pull customer's container image|CannotPullContainerError/;

/**
 * The reason a build failed because its image could not be pulled (a deleted image, a lifecycle rule, a
 * registry permission), or undefined when that is not how it ended. Only a failure in PROVISIONING counts:
 * the build container never started, so nothing of the command ran and another image may run its work.
 */
export function buildImagePullFailure(build: BuildView): string | undefined {
  if (build.buildStatus === undefined || build.buildStatus === 'IN_PROGRESS') return undefined;
  const phase = failedPhase(build);
  if (phase?.phaseType !== 'PROVISIONING') return undefined;
  for (const c of phase.contexts ?? [])
    if (c.statusCode === PULL_STATUS || PULL_MESSAGE.test(c.message ?? ''))
      return [c.statusCode, c.message].filter(Boolean).join(': ');
  return undefined;
}
