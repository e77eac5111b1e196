/**
 * An executor as a plug-in: one module per executor (ecs.ts, codebuild.ts, runner.ts) that checks the
 * inputs it needs, says what its runs are made from, and builds itself; registry.ts lists them. Adding an
 * executor is one module and one registry line; no flow or input rule names an executor.
 */
import type { MigrationExecutor } from '../../core/ports.ts';
import type { ExecutorConfig } from '../config.ts';

export type ExecutorKind = MigrationExecutor['kind'];

export interface ExecutorPlugin<K extends ExecutorKind = ExecutorKind> {
  readonly kind: K;
  /** What its runs are made from (MigrationExecutor.runs): a migrate step with `task-definition` needs one. */
  readonly runs: MigrationExecutor['runs'];
  /** Every input this executor needs and did not get, as `input: why`, from the parsed inputs by name. */
  problems(inputs: Readonly<Record<string, unknown>>): string[];
  /** The executor, built from the settings; its SDK and adapter load on its first run. */
  create(config: ExecutorConfig): Promise<MigrationExecutor>;
}

/** `input: is required why` when the parsed input is absent or an empty list. */
export function required(inputs: Readonly<Record<string, unknown>>, input: string, why: string): string[] {
  const value = inputs[input];
  return value === undefined || (Array.isArray(value) && value.length === 0)
    ? [`${input}: is required ${why}`]
    : [];
}

/**
 * `input: applies only to executor ecs` when an ECS-only input was given to another executor: ignoring it
 * would run the migration differently from what was asked (as another role, say).
 */
export function ecsOnly(
  inputs: Readonly<Record<string, unknown>>,
  input: string,
  kind: ExecutorKind,
): string[] {
  // A boolean left false asks for nothing.
  return inputs[input] === undefined || inputs[input] === false
    ? []
    : [`${input}: applies only to executor ecs (got executor ${kind})`];
}

/** The runner command's words, or undefined when none was configured. */
export function commandWords(config: ExecutorConfig): string[] | undefined {
  const words = config.runnerCommand?.split(/\s+/).filter(Boolean);
  return words && words.length > 0 ? words : undefined;
}
