/** Validated `record-release` inputs → the release record: the release's migrations read and stored. */
import { type RecordReleaseOutcome, recordRelease } from '../../pipeline/record-release.ts';
import { makeTaskDefinitions, openReleaseStore } from '../adapters.ts';
import { pipelineEngine } from '../engines.ts';
import type { ActionInputs } from '../inputs.ts';
import type { Context } from './context.ts';

/** The repository and commit being built (GitHub Actions or CodeBuild), when they look like a manifest's. */
export function sourceFromEnv(
  env: Record<string, string | undefined> = process.env,
): { repository: string; commit: string } | undefined {
  const commit = env.GITHUB_SHA ?? env.CODEBUILD_RESOLVED_SOURCE_VERSION;
  let repository = env.GITHUB_REPOSITORY;
  if (!repository && env.CODEBUILD_SOURCE_REPO_URL) {
    repository = env.CODEBUILD_SOURCE_REPO_URL.replace(/^.*github\.com[/:]/, '').replace(/\.git$/, '');
  }
  if (!repository || !commit || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
  return { repository, commit };
}

export async function runRecordRelease(
  inputs: ActionInputs<'record-release'>,
  ctx: Context,
): Promise<RecordReleaseOutcome> {
  const { migrations, targets, sources } = await pipelineEngine(inputs.engine).readRelease(
    { manageCommand: inputs['manage-command'], log: ctx.log },
    inputs['migrations-dir'],
    inputs.release,
  );
  const store = await openReleaseStore(inputs.store, inputs['github-token']);
  const taskDefinitionArn = inputs['task-definition'];
  const source = sourceFromEnv(ctx.env);
  return recordRelease(
    {
      release: inputs.release,
      engine: inputs.engine,
      migrations,
      ...(targets ? { targets } : {}),
      ...(sources ? { sources } : {}),
      ...(inputs.image ? { image: inputs.image } : {}),
      ...(taskDefinitionArn ? { taskDefinitionArn } : {}),
      ...(source ? { source } : {}),
      tag: inputs['tag-task-definition'],
      now: new Date(),
    },
    {
      store,
      ...(taskDefinitionArn ? { taskDefinitions: await makeTaskDefinitions(inputs.region, ctx.log) } : {}),
    },
    ctx.log,
  );
}
