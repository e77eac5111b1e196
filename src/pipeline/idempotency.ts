/**
 * The key a pipeline step derives its RunTask clientToken / StartBuild idempotencyToken from. Stable within
 * one attempt of one job, so a retried step finds the run the first try started instead of starting a second
 * migration; distinct across jobs (a rollback's plan job and its apply job, in the same workflow run, must
 * not share a status task) and across attempts (a re-run really runs again).
 */
export function idempotencyKey(step: string, release: string, env: NodeJS.ProcessEnv = process.env): string {
  const run =
    env.CODEBUILD_BUILD_ID ??
    (env.GITHUB_RUN_ID
      ? [env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT ?? '1', env.GITHUB_JOB].filter(Boolean).join('-')
      : `local-${process.pid}-${Date.now()}`);
  return `${run}-${step}-${release}`;
}
