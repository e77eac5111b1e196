/**
 * The "on the runner" executor: runs the stepback CLI as a child process on this machine. For teams whose
 * pipeline runner can reach the database (and for the demo and tests). The command is explicit
 * (`node dist/cli.js`, the default launcher of core/runner-command.ts, …) so nothing guesses where the CLI lives; the migrations
 * directory may depend on the request (a rollback's downs come from the newer release's directory).
 */
import { spawn } from 'node:child_process';
import type { ExecRequest, ExecResult, Log, MigrationExecutor } from '../../core/ports.ts';
import { passwordOf, redactSecrets } from '../../core/redact.ts';
import { requestCommand } from '../../core/remote-engine.ts';

export interface RunnerExecutorOptions {
  /** Program and leading arguments, e.g. `[process.execPath, '/app/dist/cli.js']`. */
  command: readonly string[];
  /** Migrations directory (env STEPBACK_DIR), fixed or chosen per request (by task definition, release). */
  dir: string | ((request: ExecRequest) => string);
  /** Environment for the child on top of this process's (DATABASE_URL lives here). */
  env?: Record<string, string>;
  /** Replace the whole inherited environment instead of adding to it. */
  cleanEnv?: boolean;
  cwd?: string;
  /** Extra secrets to mask in relayed output (the database password is always masked). */
  secrets?: string[];
}

export class RunnerExecutor implements MigrationExecutor {
  readonly kind = 'runner' as const;
  readonly runs = 'checkout' as const;
  constructor(private readonly options: RunnerExecutorOptions) {
    if (options.command.length === 0) throw new Error('RunnerExecutor needs a command');
  }

  run(request: ExecRequest, log: Log): Promise<ExecResult> {
    const dir = typeof this.options.dir === 'function' ? this.options.dir(request) : this.options.dir;
    const env: Record<string, string | undefined> = {
      ...(this.options.cleanEnv ? {} : process.env),
      ...this.options.env,
      ...request.env,
      STEPBACK_DIR: dir,
    };
    const secrets = [passwordOf(env.DATABASE_URL), env.PGPASSWORD, ...(this.options.secrets ?? [])];
    const mask = (text: string) => redactSecrets(text, secrets);
    const [program, ...rest] = requestCommand(request, this.options.command) as [string, ...string[]];
    return new Promise<ExecResult>((resolve) => {
      const child = spawn(program, rest, {
        cwd: this.options.cwd ?? process.cwd(),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const id = `runner:${child.pid ?? 'unstarted'}`;
      let stdout = '';
      let pendingErr = '';
      let stopped: string | undefined;
      const stop = (why: string) => {
        if (stopped || child.exitCode !== null) return;
        stopped = why;
        child.kill('SIGTERM');
        // A runner that ignores SIGTERM still holds the DB lock; make sure it goes.
        setTimeout(() => child.kill('SIGKILL'), 7500).unref();
      };
      const timer = setTimeout(() => stop(`timed out after ${request.timeoutMs} ms`), request.timeoutMs);
      timer.unref();
      const onAbort = () => stop('cancelled');
      request.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        pendingErr += chunk;
        const lines = pendingErr.split('\n');
        pendingErr = lines.pop() ?? '';
        for (const line of lines) log.info(mask(line));
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        // Nothing ran, so there is no output: the flows report it as a run stepback never reported on.
        resolve({
          ok: false,
          exitCode: null,
          id,
          message: `could not start ${program}: ${mask(error.message)}`,
          stdout: '',
        });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        if (pendingErr) log.info(mask(pendingErr));
        const exitCode = code;
        const message = stopped
          ? `stopped: ${stopped}`
          : signal
            ? `killed by ${signal}`
            : exitCode === 0
              ? 'exited 0'
              : `exited ${exitCode}`;
        resolve({ ok: !stopped && exitCode === 0, exitCode, id, message, stdout: mask(stdout) });
      });
    });
  }
}
