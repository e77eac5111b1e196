/**
 * `stepback pipeline migrate|record-release|rollback|deploy`: the pipeline steps for CodeBuild buildspecs and
 * scripts. The same flows and the same input validation as the GitHub Actions (src/wiring/operations/,
 * inputs.ts), with flags instead of inputs (`--to-release v1` ≙ input `to-release`), an environment fallback
 * (`STEPBACK_TO_RELEASE`), progress on stderr and, with --json, one JSON line on stdout.
 */

import type { Command } from 'commander';
import { ExitCode, StepbackError } from '../../core/errors.ts';
import type { Log } from '../../core/ports.ts';
import { type StepVerdict, verdictError } from '../../core/step-verdict.ts';
import { deployVerdict } from '../../pipeline/deploy.ts';
import { idempotencyKey } from '../../pipeline/idempotency.ts';
import { streamLog } from '../../pipeline/log.ts';
import { migrateVerdict } from '../../pipeline/migrate.ts';
import { rollbackVerdict } from '../../pipeline/rollback-outcome.ts';
import { INPUT_DOCS } from '../../wiring/input-docs.ts';
import { dirFromEnv } from '../output.ts';

type Step = 'migrate' | 'record-release' | 'rollback' | 'deploy';
const STEPS: Step[] = ['migrate', 'record-release', 'rollback', 'deploy'];
/** Inputs that the program's global options already carry (`--database-url`, `--engine`, …). */
const FROM_GLOBALS: Record<string, { global: string; env: string }> = {
  'database-url': { global: 'databaseUrl', env: 'DATABASE_URL' },
  engine: { global: 'engine', env: 'STEPBACK_ENGINE' },
  'manage-command': { global: 'manageCommand', env: 'STEPBACK_MANAGE_COMMAND' },
};

/** Inputs whose environment variable is a setting every command shares, under that setting's one name. */
const SHARED_ENV: Record<string, string> = { 'migrations-dir': 'STEPBACK_DIR' };

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const envName = (name: string) => SHARED_ENV[name] ?? `STEPBACK_${name.toUpperCase().replace(/-/g, '_')}`;

let printed = false;

function print(json: boolean, step: Step, ok: boolean, exitCode: number, outcome: unknown): void {
  if (!json) return;
  printed = true;
  const doc = { format: 'stepback/pipeline@1', command: step, ok, exitCode, outcome };
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

/** The JSON line, then the step's end as the actions end it: the same error, exit code and problems. */
function end(json: boolean, step: Step, verdict: StepVerdict, outcome: unknown, log: Log, say = true): void {
  const error = verdictError(verdict);
  print(json, step, !error, error?.exitCode ?? ExitCode.ok, outcome);
  if (say) log.info(verdict.message);
  if (error) throw error;
}

async function runStep(step: Step, cmd: Command): Promise<void> {
  const [{ parseInputs }, { abortOnSignals }] = await Promise.all([
    import('../../wiring/inputs.ts'),
    import('../../aws/cancel.ts'),
  ]);
  const opts = cmd.optsWithGlobals<Record<string, string | boolean | undefined>>();
  const json = Boolean(opts.json);
  const getInput = (name: string): string => {
    const global = FROM_GLOBALS[name];
    const value = global ? (opts[global.global] ?? process.env[global.env]) : opts[camel(name)];
    if (value === true) return 'true';
    if (typeof value === 'string') return value;
    if (name === 'migrations-dir')
      return (typeof opts.dir === 'string' ? opts.dir : dirFromEnv(process.env, log.info)) ?? '';
    return process.env[envName(name)] ?? '';
  };
  const cancel = abortOnSignals();
  const log = streamLog();
  const ctx = { log, signal: cancel.signal, idempotencyKey };
  try {
    switch (step) {
      case 'migrate': {
        const { runMigrate } = await import('../../wiring/operations/migrate.ts');
        const { outcome } = await runMigrate(parseInputs('migrate', getInput), ctx);
        const { exec: _exec, result: _result, ...report } = outcome;
        return end(json, step, migrateVerdict(outcome), report, log);
      }
      case 'record-release': {
        const { runRecordRelease } = await import('../../wiring/operations/record-release.ts');
        const outcome = await runRecordRelease(parseInputs('record-release', getInput), ctx);
        print(json, step, true, 0, outcome);
        return;
      }
      case 'rollback': {
        const { renderPlan } = await import('../../core/plan-table.ts');
        const { runRollback } = await import('../../wiring/operations/rollback.ts');
        const outcome = await runRollback(parseInputs('rollback', getInput), ctx, (plan, progress) =>
          log.info(renderPlan(plan, progress)),
        );
        return end(json, step, rollbackVerdict(outcome), outcome, log);
      }
      case 'deploy': {
        const { runDeploy } = await import('../../wiring/operations/deploy.ts');
        const outcome = await runDeploy(parseInputs('deploy', getInput), ctx);
        return end(json, step, deployVerdict(outcome), outcome, log, false);
      }
    }
  } catch (error) {
    // Errors before an outcome (bad flags, AWS access) still give the one JSON line a buildspec can read.
    if (!printed) {
      const exitCode = error instanceof StepbackError ? error.exitCode : ExitCode.migrationFailed;
      const problems = error instanceof StepbackError ? error.problems : [];
      print(json, step, false, exitCode, {
        error: error instanceof Error ? error.message : String(error),
        problems,
      });
    }
    throw error;
  } finally {
    cancel.dispose();
  }
}

export function register(program: Command): void {
  const pipeline = program
    .command('pipeline')
    .description('pipeline steps for CodeBuild buildspecs and scripts (the GitHub Actions, as commands)');
  // The help text comes from the same documentation as the action.yml files.
  for (const step of STEPS) {
    const doc = INPUT_DOCS[step];
    const sub = pipeline.command(step).description(doc.description);
    for (const [input, d] of Object.entries(doc.inputs)) {
      if (FROM_GLOBALS[input]) continue;
      const boolean = d.default === 'true' || d.default === 'false';
      const fallback = d.default && !d.default.startsWith('${{') ? ` (default ${d.default})` : '';
      sub.option(
        boolean ? `--${input} [true|false]` : `--${input} <value>`,
        // A description is a sentence; its period would read ".;" before the additions.
        `${d.description.replace(/\.$/, '')}${fallback}; env ${envName(input)}`,
      );
    }
    sub.option('--json', 'print the outcome as one JSON line on stdout');
    sub.action(async (_options: unknown, cmd: Command) => runStep(step, cmd));
  }
}
