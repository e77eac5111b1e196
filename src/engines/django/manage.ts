/**
 * Running the Django program (program.ts) through the project's own `manage.py shell -c`, and reading its
 * one result line. The command is the user's (`--manage-command`, e.g. `/usr/bin/python3 manage.py` when
 * the `python3` on PATH has no Django); stdout carries the result, stderr the progress, both redacted.
 */
import { spawn } from 'node:child_process';
import { ExitCode, StepbackError, UsageError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { DJANGO_COMMAND, RESULT_PREFIX } from './program.ts';

export { DEFAULT_MANAGE_COMMAND } from './defaults.ts';

/** `python3 "my dir/manage.py"` → argv; single or double quotes group, no other shell syntax. */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

export interface GraphNode {
  name: string;
  checksum: string;
  atomic: boolean;
  /** Class names of the operations that cannot run backwards. */
  irreversible: string[];
  dependencies: string[];
  replaces: string[];
}

export interface DjangoGraph {
  nodes: GraphNode[];
  leaves: Record<string, string[]>;
}

export interface DjangoRow {
  name: string;
  appliedAt: string;
}

export interface ProgramResult {
  ok: boolean;
  exitCode?: number;
  graph?: DjangoGraph;
  applied?: DjangoRow[] | null;
  done?: { name: string; durationMs: number }[];
  failed?: string | null;
  error?: string;
}

export interface ProgramRun {
  manageCommand: string;
  env: Record<string, string | undefined>;
  cwd?: string;
  log: (line: string) => void;
  secrets: readonly (string | undefined)[];
}

/**
 * Django's stderr, line by line, to the log (redacted), keeping its last 20 lines for the error that explains
 * a run which printed no result.
 */
export function stderrLines(
  stream: NodeJS.ReadableStream,
  run: Pick<ProgramRun, 'log'>,
  redact: (text: string) => string,
): { tail: string[]; rest: () => string } {
  const tail: string[] = [];
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      run.log(redact(line));
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  return { tail, rest: () => pending };
}

/** Run one request; a missing result line (Django failed to start) is a MigrationFailedError with stderr. */
export async function runProgram(request: Record<string, unknown>, run: ProgramRun): Promise<ProgramResult> {
  const argv = splitCommand(run.manageCommand);
  if (argv.length === 0) throw new UsageError('--manage-command is empty');
  const redact = (text: string) => redactSecrets(text, run.secrets);
  const child = spawn(argv[0]!, [...argv.slice(1), 'shell', '-c', DJANGO_COMMAND], {
    cwd: run.cwd,
    env: { ...run.env, STEPBACK_DJANGO: JSON.stringify(request) } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  const { tail, rest } = stderrLines(child.stderr, run, redact);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    },
  ).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `cannot run the manage command "${run.manageCommand}": ${error.code ?? error.message}`,
      {
        hint: 'pass --manage-command (env STEPBACK_MANAGE_COMMAND) with the python that has Django, e.g. "/usr/bin/python3 manage.py"',
      },
    );
  });
  if (rest()) tail.push(rest());
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) {
    const why = exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.code}`;
    throw new StepbackError(
      redact(
        `"${run.manageCommand} shell" ${why} without a result${tail.length ? `:\n${tail.join('\n')}` : ''}`,
      ),
      ExitCode.migrationFailed,
      {
        hint: 'check that the manage command runs this project (its settings, its database) and that Django is installed for that python',
      },
    );
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as ProgramResult;
}
