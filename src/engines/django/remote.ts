/**
 * The Django engine as the pipeline flows run it in a release's code (a one-off ECS task, a CodeBuild build,
 * the runner): the program of program.ts through the project's own `manage.py shell -c`, its request in the
 * environment, its one result line read back from the run's output and turned into stepback's documents
 * here. Nothing of stepback (no Node) is needed where it runs. What only stepback can do — the schema
 * fingerprint — runs where this code runs, on stepback's own connection, when it is given a database URL.
 */

import { emptyResult } from '../../core/empty-result.ts';
import { ExitCode, RefusedError, UsageError } from '../../core/errors.ts';
import { passwordOf, redactSecrets } from '../../core/redact.ts';
import type { DownCall, EngineCall, RemoteEngine } from '../../core/remote-engine.ts';
import { type RunnerResult, runResultReader } from '../../core/run-result.ts';
import { STATE_TABLE } from '../../core/state-table.ts';
import { auditRequest } from './audit.ts';
import { DEFAULT_MANAGE_COMMAND } from './defaults.ts';
import { statusFromGraph } from './graph-status.ts';
import { type ProgramResult, splitCommand } from './manage.ts';
import { DJANGO_COMMAND, RESULT_PREFIX } from './program.ts';
import { isDjangoResultLine } from './result-line.ts';
import { fill, partialDownError, stateProof, stateProofError } from './results.ts';

export interface DjangoRemoteOptions {
  /** How the release's code starts its manage.py, e.g. `python3 manage.py` (the image's working directory). */
  manageCommand?: string;
  /**
   * Where stepback itself can reach the database (the runner's database-url): the schema fingerprint is then
   * recorded after an up and verified after a down. Without it the outcome says the schema was not verified.
   */
  databaseUrl?: string;
  /** The schema of stepback's tables (the lock key, the fingerprints). */
  schema?: string;
  lockTimeoutMs?: number;
  log?: (line: string) => void;
}

/** The Django program's last result line in a run's output, or undefined when it printed none. */
export function programResult(stdout: string | undefined): ProgramResult | undefined {
  if (!stdout) return undefined;
  const lines = stdout.split(/\r?\n/).reverse();
  for (const line of lines) {
    const at = line.indexOf(RESULT_PREFIX);
    if (at < 0 || line.slice(0, at).trim() !== '') continue;
    try {
      const doc = JSON.parse(line.slice(at + RESULT_PREFIX.length)) as ProgramResult;
      if (doc && typeof doc === 'object' && typeof doc.ok === 'boolean') return doc;
    } catch {
      // A log line that merely starts like ours.
    }
  }
  return undefined;
}

export function djangoRemote(options: DjangoRemoteOptions = {}): RemoteEngine {
  const argv = splitCommand(options.manageCommand ?? DEFAULT_MANAGE_COMMAND);
  if (argv.length === 0) throw new UsageError('manage-command is empty');
  const schema = options.schema ?? 'public';
  const secrets = [passwordOf(options.databaseUrl)];
  const log = options.log ?? (() => {});
  const call = (request: Record<string, unknown>): EngineCall => ({
    command: [...argv, 'shell', '-c', DJANGO_COMMAND],
    env: { STEPBACK_DJANGO: JSON.stringify(request) },
  });
  const lock = { schema, table: STATE_TABLE, lockTimeoutMs: options.lockTimeoutMs ?? 300_000 };

  /** Runs `body` on stepback's own connection; undefined when stepback has no database URL. */
  async function withDatabase<T>(body: (client: import('pg').ClientBase) => Promise<T>) {
    if (!options.databaseUrl) return undefined;
    const [{ connect, disconnect }, { systemClock }] = await Promise.all([
      import('../../migrate/connect.ts'),
      import('../../system/clock.ts'),
    ]);
    const client = await connect({
      databaseUrl: options.databaseUrl,
      applicationName: 'stepback django',
      waitMs: 0,
      clock: systemClock,
      log,
    });
    try {
      return await body(client);
    } finally {
      await disconnect(client);
    }
  }
  const failure = (error: unknown) => ({ error: redactSecrets((error as Error).message, secrets) });

  async function readUp(run: ProgramResult, release: string): Promise<RunnerResult> {
    const result = emptyResult('up', { release, runId: null });
    fill(result, run, secrets);
    if (result.ok) {
      // What this release's migrations produced, for verifying a later rollback to it.
      const recorded = await withDatabase(async (client) => {
        const { recordReleaseFingerprint } = await import('../../schema/record.ts');
        return recordReleaseFingerprint(client, { schema, release });
      }).catch(failure);
      if (recorded) result.verification = recorded;
    }
    return runResultReader.parse(result);
  }

  async function readDown(run: ProgramResult, { plan, toRelease }: DownCall): Promise<RunnerResult> {
    const result = emptyResult('down', { release: toRelease, runId: null });
    fill(result, run, secrets);
    if (!result.ok) {
      result.error = partialDownError(result.error, plan, run);
      return runResultReader.parse(result);
    }
    const state = stateProof(plan, run.applied ?? []);
    const verified = await withDatabase(async (client) => {
      const { verifyReleaseFingerprint } = await import('../../schema/record.ts');
      return verifyReleaseFingerprint(client, { schema, release: plan.to.release });
    }).catch(failure);
    result.verification = {
      release: plan.to.release,
      ...(verified ?? {
        matches: null,
        reason: 'stepback has no database URL to fingerprint the schema with (database-url)',
      }),
      state,
    };
    if (!state.matches) {
      result.ok = false;
      result.exitCode = ExitCode.migrationFailed;
      result.error = stateProofError(plan, state);
    }
    return runResultReader.parse(result);
  }

  return {
    name: 'django',
    // The program's result line ends a run, so an ECS or CodeBuild log tail polls for the end sooner.
    isResultLine: isDjangoResultLine,
    up(release, extraArgs) {
      if (extraArgs.length > 0)
        throw new UsageError(
          `the django engine applies every pending migration, as \`manage.py migrate\` does: ${extraArgs.join(' ')} does not apply`,
          { hint: 'drop single-transaction (Django decides the transaction of each migration)' },
        );
      return call({ op: 'up', ...lock, audit: auditRequest(schema, release) });
    },
    status: () => call({ op: 'status' }),
    down({ plan, toRevert, toRelease, sourcesFrom }) {
      if (sourcesFrom)
        throw new RefusedError(
          "Django migrations are code: their downs run only in the newer release's image",
          { hint: 'make that image pullable again, then run the rollback again' },
        );
      if (!plan.targets)
        throw new UsageError(`the plan from ${plan.from.release} has no per-app targets for Django`);
      return call({
        op: 'down',
        ...lock,
        audit: auditRequest(schema, toRelease),
        targets: plan.targets.map((t) => [t.app, t.migration]),
        expect: [...toRevert],
      });
    },
    async readRun(stdout, run) {
      const program = programResult(stdout);
      if (!program) return undefined;
      return run.command === 'up' ? readUp(program, run.release) : readDown(program, run.call);
    },
    notReported: (kind) => ({
      who: 'the Django program',
      hint:
        kind === 'runner'
          ? `manage-command (${argv.join(' ')}) must start this checkout's manage.py with a python that has Django and the project's requirements installed, e.g. \`/usr/bin/python3 manage.py\`. Its own output is above.`
          : `the image must run its manage.py with the command it is given: manage-command (${argv.join(' ')}, in the image's working directory) must start a python that has Django and the project's settings, and the container's entry point must not swallow the command (see the README on images with an ENTRYPOINT). The output is above.`,
    }),
    async readStatus(stdout) {
      const program = programResult(stdout);
      if (!program?.ok || !program.graph) {
        if (program?.error)
          log(`the Django program could not report: ${redactSecrets(program.error, secrets)}`);
        return undefined;
      }
      return statusFromGraph(schema, program.graph, program.applied ?? []);
    },
  };
}
