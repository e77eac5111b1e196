/** Who and which run a change is recorded with, from explicit options or the CI environment. */
import { userInfo } from 'node:os';

type Env = Record<string, string | undefined>;

const clean = (value: string | undefined): string | null =>
  value && value.trim() !== '' ? value.trim() : null;

/** `STEPBACK_RUN_ID`, else GitHub's run id (+ attempt), else the CodeBuild build id. */
export function runIdFromEnv(env: Env): string | null {
  const explicit = clean(env.STEPBACK_RUN_ID);
  if (explicit) return explicit;
  const github = clean(env.GITHUB_RUN_ID);
  if (github) {
    const attempt = clean(env.GITHUB_RUN_ATTEMPT);
    return attempt ? `${github}-${attempt}` : github;
  }
  return clean(env.CODEBUILD_BUILD_ID);
}

/** `STEPBACK_ACTOR`, else the GitHub actor, else the OS user. */
export function actorFromEnv(env: Env): string | null {
  const named = clean(env.STEPBACK_ACTOR) ?? clean(env.GITHUB_ACTOR);
  if (named) return named;
  try {
    return clean(userInfo().username);
  } catch {
    return clean(env.USER);
  }
}

export function releaseFromEnv(env: Env): string | null {
  return clean(env.STEPBACK_RELEASE);
}

/**
 * The pipeline's run id and actor as the environment of a run in the release's code (a one-off ECS task or
 * a CodeBuild build sees none of the pipeline's GITHUB_* variables), so what that run records in stepback's
 * tables names the pipeline run and who started it rather than the container's user.
 */
export function provenanceEnv(env: Env): Record<string, string> {
  const runId = runIdFromEnv(env);
  const actor = clean(env.STEPBACK_ACTOR) ?? clean(env.GITHUB_ACTOR);
  return { ...(runId ? { STEPBACK_RUN_ID: runId } : {}), ...(actor ? { STEPBACK_ACTOR: actor } : {}) };
}
