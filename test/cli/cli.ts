/**
 * Spawning the built CLI (dist/cli.js, what users ship) the way a task runs it, and writing migration
 * directories for a scenario. Every run asserts that the database password appears in no output.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expect, vi } from 'vitest';
import { type RunResult, runResultSchema } from '../../src/core/run-result.ts';
import { up } from '../../src/migrate/index.ts';

export const root = resolve(import.meta.dirname, '../..');
export const cliPath = join(root, 'dist/cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** The password that must never appear in stdout or stderr. */
  password?: string;
  stdin?: string;
  node?: string;
  /** The CLI entry to run; default dist/cli.js. */
  cli?: string;
  /** A program to run instead of `node <cli>`: the standalone executable. */
  executable?: string;
}

/** Environment without the developer's own stepback/CI variables, so runs are reproducible. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(STEPBACK_(?!NODE24)|GITHUB_|CODEBUILD_|DATABASE_URL$|SOURCE_DATE_EPOCH$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export function startCli(args: string[], options: CliOptions = {}) {
  const [program, lead] = options.executable
    ? [options.executable, []]
    : [options.node ?? process.execPath, [options.cli ?? cliPath]];
  const child = spawn(program, [...lead, ...args], {
    env: { ...baseEnv(), ...options.env } as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(options.stdin ?? '');
  const done = new Promise<CliRun>((resolveRun, rejectRun) => {
    child.on('close', (code, signal) => {
      // A failed expectation rejects the run (thrown from this listener it would leave the test hanging).
      try {
        if (options.password) {
          expect(stdout).not.toContain(options.password);
          expect(stderr).not.toContain(options.password);
        }
        // A warning the CLI prints (pg's query-while-busy deprecation, say) is a defect, not noise.
        expect(stderr).not.toMatch(/DeprecationWarning/);
      } catch (error) {
        rejectRun(error);
        return;
      }
      resolveRun({ code, signal, stdout, stderr });
    });
  });
  return { child, done, stderr: () => stderr };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The one JSON line --json prints (asserts there is exactly one line on stdout). */
/** The run's one stdout line, checked against the result schema (src/core/run-result.ts) the pipeline reads. */
export function jsonLine(run: CliRun): Record<string, unknown> & RunResult {
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  const doc = JSON.parse(lines[0]!);
  const checked = runResultSchema.safeParse(doc);
  expect(checked.error?.issues ?? [], `result line: ${lines[0]}`).toEqual([]);
  return doc;
}

/** Writes `files` (relative path → content) into a fresh directory and returns it. */
export function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-mig-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/**
 * Scenario setup in-process through the programmatic API (no process spawn): on a loaded 2-core machine a
 * CLI start costs seconds, so only the behaviour under test goes through the CLI.
 */
export async function applyWithApi(url: string, dir: string, release: string | null = null): Promise<void> {
  const result = await up({ databaseUrl: url, dir, release, runId: null, actor: 'test-setup', env: {} });
  expect(result.error).toBeNull();
  expect(result.ok).toBe(true);
}

/** CLI-spawning tests run many processes; on a busy machine they need more than the default 60 s. */
export function allowSlowProcesses(): void {
  vi.setConfig({ testTimeout: 300_000 });
}
