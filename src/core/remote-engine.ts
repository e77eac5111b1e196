/**
 * How a pipeline flow asks an engine to do one thing inside a release's code (its image, its build, the
 * checkout), and how it reads what that run printed. The flows build their runs from a RemoteEngine and
 * never ask which engine it is: stepback's engine runs its own CLI (the executor's runner command + args,
 * `pipeline/stepback-remote.ts`); Django's runs a Python program through the project's `manage.py shell -c`
 * (`engines/django/remote.ts`), so nothing of stepback needs to be in a Django image.
 */
import type { ExecRequest, MigrationExecutor } from './ports.ts';
import type { RollbackPlan } from './rollback-plan.ts';
import type { RunnerResult } from './run-result.ts';
import type { DatabaseStatus } from './status.ts';

/**
 * One run, as the executor starts it: `args` for the stepback CLI behind the executor's runner command, or
 * `command`, the whole command line (the executor's runner command then plays no part).
 */
export type EngineCall = { env: Record<string, string> } & (
  | { args: string[]; command?: undefined }
  | { command: string[]; args?: undefined }
);

/** What a down run is for: the plan, the migrations still to revert (newest first), the release to reach. */
export interface DownCall {
  plan: RollbackPlan;
  toRevert: readonly string[];
  toRelease: string;
  /** The downs come from this store's source bundle (the newer image cannot be pulled). */
  sourcesFrom?: string;
}

export interface RemoteEngine {
  /** The engine's name as manifests record it (`engine`), so a rollback can refuse another engine's records. */
  readonly name: string;
  /** Apply everything pending for `release`; `extraArgs` are stepback `up` flags the engine may refuse. */
  up(release: string, extraArgs: readonly string[]): EngineCall;
  /** Report the database's status. */
  status(): EngineCall;
  /** Revert to the plan's targets. Throws a StepbackError when the engine cannot run this down at all. */
  down(call: DownCall): EngineCall;
  /**
   * The run's result from its output (the last result line), in stepback's result document; undefined when
   * the output holds none. May check what the run reports against the plan (a down's state proof).
   */
  readRun(
    stdout: string | undefined,
    run: { command: 'up'; release: string } | { command: 'down'; call: DownCall },
  ): Promise<RunnerResult | undefined>;
  /**
   * Whether a line of a run's output is the engine's result line, the one that means the run is done (an
   * executor tailing a log then polls faster for the end). Absent: the stepback CLI's `--json` line.
   */
  isResultLine?(line: string): boolean;
  /** The database status from a status run's output; undefined when the output holds none. */
  readStatus(stdout: string | undefined): Promise<DatabaseStatus | undefined>;
  /**
   * When a run printed no result: who did not report and what to fix, for an engine whose runs are not the
   * stepback CLI (absent: stepback's own words about the runner command).
   */
  notReported?(kind: MigrationExecutor['kind']): { who: string; hint: string };
}

/**
 * What a request carries from its engine's call: the command line, the environment (the call's, then what
 * the flow adds to every run, such as the pipeline's run id and actor), the result line.
 */
export function callRequest(
  engine: Pick<RemoteEngine, 'isResultLine'>,
  call: EngineCall,
  env: Record<string, string> = {},
): Pick<ExecRequest, 'args' | 'command' | 'env' | 'isResultLine'> {
  return {
    args: call.args ?? [],
    ...(call.command ? { command: call.command } : {}),
    env: { ...call.env, ...env },
    ...(engine.isResultLine ? { isResultLine: (line: string) => engine.isResultLine!(line) } : {}),
  };
}

/** The command a request runs: its own whole command line, or `prefix` (the runner command) + its args. */
export function requestCommand(
  request: Pick<ExecRequest, 'args' | 'command'>,
  prefix: readonly string[],
): string[] {
  return request.command ? [...request.command] : [...prefix, ...request.args];
}
