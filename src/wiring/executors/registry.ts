/** Every executor, by the name the `executor` input takes (plugin.ts says what one is). */
import { codebuildExecutor } from './codebuild.ts';
import { ecsExecutor } from './ecs.ts';
import type { ExecutorKind, ExecutorPlugin } from './plugin.ts';
import { runnerExecutor } from './runner.ts';

export const EXECUTOR_PLUGINS = [ecsExecutor, codebuildExecutor, runnerExecutor] as const;

/** The `executor` input's values, in the order the documentation lists them. */
export const EXECUTORS = [ecsExecutor.kind, codebuildExecutor.kind, runnerExecutor.kind] as const;

export function executorPlugin(kind: ExecutorKind): ExecutorPlugin {
  const plugin = EXECUTOR_PLUGINS.find((p) => p.kind === kind);
  if (!plugin) throw new Error(`no executor ${kind}`);
  return plugin;
}
