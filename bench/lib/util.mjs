/** Small helpers shared by the benchmark sections: statistics, child processes, the child environment. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time, when installed: gives each child's CPU time (user + system), which load on the machine skews less. */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
let timeFiles = 0;

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: round(median(s)), min: round(s[0]), max: round(s[s.length - 1]), runs: s.map(round) };
}

export const round = (n, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The environment benchmarked children get: the caller's, minus NODE_EXTRA_CA_CERTS (set on this machine; Node 20
 * loads it eagerly at every start, ~70 ms, which CI runners and app images do not pay).
 */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * Runs a command to completion, timing spawn → exit. Output is collected (kept short) for error messages.
 * With `cpu: true` (and GNU time installed) also the child's CPU time in `cpuMs`.
 * @returns {Promise<{ ms: number, cpuMs?: number, code: number | null, signal: string | null, stdout: string, stderr: string }>}
 */
export function run(cmd, args, { env = childEnv(), cwd, input, cpu = false } = {}) {
  const timeFile =
    cpu && gnuTime ? join(tmpdir(), `stepback-bench-time-${process.pid}-${++timeFiles}`) : undefined;
  const [file, argv] = timeFile ? [gnuTime, ['-f', '%U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const child = spawn(file, argv, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < 200_000) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 200_000) stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = nowMs() - start;
      let cpuMs;
      if (timeFile && existsSync(timeFile)) {
        const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuMs = (user + sys) * 1000;
        rmSync(timeFile, { force: true });
      }
      resolve({ ms, cpuMs, code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export function tail(text, lines = 6) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** A measurement that could not be taken (yet): shown in the report with its reason instead of failing the run. */
export class NotMeasured extends Error {}
