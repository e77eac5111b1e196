/**
 * Running a "container" for real: a child process in the image's directory, its stdout and stderr delivered
 * line by line (awslogs interleaves both into one stream), its exit code (128 + signal number when killed, as
 * Docker reports it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';

export interface RunningProcess {
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited and its output is fully read. */
  done: Promise<number>;
  kill(signal: NodeJS.Signals): void;
}

/** The host variables a container would also have (a PATH to find `node`, `sh`, `npx`). */
export function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function runProcess(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string>; onLine: (line: string) => void },
): RunningProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const readers = [child.stdout, child.stderr].map((stream) => {
    if (!stream) return Promise.resolve();
    const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', options.onLine);
    return new Promise<void>((resolve) => rl.once('close', () => resolve()));
  });
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      options.onLine(`exec ${file}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      if (code !== null) resolve(code);
      else resolve(128 + (signal ? (constants.signals[signal] ?? 9) : 9));
    });
  });
  const done = Promise.all([exited, ...readers]).then(([code]) => code);
  return {
    child,
    done,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
