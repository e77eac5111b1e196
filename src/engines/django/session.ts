/**
 * A long-lived Django process for a rehearsal (session-program.ts): started once on a scratch database,
 * then asked to migrate to one set of targets after another. Each answer is read back as one result line;
 * progress on stderr goes to the log, redacted. A process that dies or never says it is ready is an error
 * that carries the last lines of its stderr.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ExitCode, StepbackError, UsageError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import { type ProgramRun, splitCommand, stderrLines } from './manage.ts';
import { DJANGO_SESSION_PROGRAM, SESSION_PREFIX } from './session-program.ts';

/** Where Django's default connection is pointed: the keys of its DATABASES entry. */
export interface SessionDatabase {
  NAME: string;
  HOST: string;
  PORT: string;
  USER: string;
  PASSWORD: string;
}

export interface SessionAnswer {
  ok: boolean;
  done: { name: string; durationMs: number }[];
  /** The migration that was running when it failed. */
  failed?: string | null;
  error?: string;
}

/** `[app, migration]`, or `[app, null]` for Django's `zero`. */
export type Target = readonly [string, string | null];

export interface DjangoSession {
  migrate(targets: readonly Target[]): Promise<SessionAnswer>;
  close(): Promise<void>;
}

/** The DATABASES keys for a postgres:// URL (the scratch database's). */
export function sessionDatabase(url: string): SessionDatabase {
  const u = new URL(url);
  return {
    NAME: decodeURIComponent(u.pathname.replace(/^\//, '')),
    HOST: decodeURIComponent(u.hostname),
    PORT: u.port,
    USER: decodeURIComponent(u.username),
    PASSWORD: decodeURIComponent(u.password),
  };
}

export async function openSession(database: SessionDatabase, run: ProgramRun): Promise<DjangoSession> {
  const argv = splitCommand(run.manageCommand);
  if (argv.length === 0) throw new UsageError('--manage-command is empty');
  const secrets = [...run.secrets, database.PASSWORD];
  const redact = (text: string) => redactSecrets(text, secrets);
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    argv[0]!,
    [...argv.slice(1), 'shell', '-c', DJANGO_SESSION_PROGRAM],
    {
      cwd: run.cwd,
      env: { ...run.env, STEPBACK_DJANGO: JSON.stringify({ db: database }) } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const { tail } = stderrLines(child.stderr, run, redact);
  // Answers in the order asked; the process answers one request at a time.
  const waiting: { resolve: (a: SessionAnswer & { ready?: boolean }) => void; reject: (e: Error) => void }[] =
    [];
  let outPending = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    outPending += d;
    const lines = outPending.split('\n');
    outPending = lines.pop() ?? '';
    for (const line of lines)
      if (line.startsWith(SESSION_PREFIX))
        waiting.shift()?.resolve(JSON.parse(line.slice(SESSION_PREFIX.length)) as SessionAnswer);
  });
  let ended: Error | undefined;
  const fail = (why: string) => {
    ended = new StepbackError(
      redact(
        `"${run.manageCommand} shell" ${why} during the rehearsal${tail.length ? `:\n${tail.join('\n')}` : ''}`,
      ),
      ExitCode.migrationFailed,
      {
        hint: 'check that the manage command runs this project and that Django is installed for that python',
      },
    );
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  child.on('error', (error: NodeJS.ErrnoException) => {
    ended = new UsageError(
      `cannot run the manage command "${run.manageCommand}": ${error.code ?? error.message}`,
      {
        hint: 'pass --manage-command (env STEPBACK_MANAGE_COMMAND) with the python that has Django, e.g. "/usr/bin/python3 manage.py"',
      },
    );
    for (const w of waiting.splice(0)) w.reject(ended);
  });
  child.on('close', (code, signal) => fail(signal ? `was killed by ${signal}` : `exited ${code}`));
  const next = () =>
    new Promise<SessionAnswer & { ready?: boolean }>((resolve, reject) => {
      if (ended) reject(ended);
      else waiting.push({ resolve, reject });
    });

  const ready = await next();
  if (!ready.ok) {
    child.kill();
    throw new StepbackError(
      redact(`Django could not open the scratch database: ${ready.error}`),
      ExitCode.usage,
      { hint: 'the rehearsal points the default database at a scratch one; its backend must be PostgreSQL' },
    );
  }
  return {
    async migrate(targets) {
      const answer = next();
      child.stdin.write(`${JSON.stringify({ targets })}\n`);
      const a = await answer;
      return { ...a, error: a.error === undefined ? undefined : redact(a.error) };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin.end();
      await closed;
    },
  };
}
