/**
 * Runs a committed action bundle the way the GitHub runner does: `node24 actions/dist/<name>.js` (the path
 * each action.yml's `runs.main`, `../dist/<name>.js`, names) with a
 * clean environment holding only INPUT_<NAME> (upper-cased, hyphens kept), the runner's file commands
 * (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH) as fresh temp files, RUNNER_TEMP,
 * and whatever extra environment the test adds (the AWS simulation's endpoint and credentials).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error::…` workflow commands printed on stdout, decoded. */
  errors: string[];
}

export interface RunActionOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Node binary (default: $STEPBACK_NODE24, the Actions runtime). */
  node?: string;
  timeoutMs?: number;
}

/** Parse the GITHUB_OUTPUT file format: `name<<delimiter\nvalue\ndelimiter` blocks (and `name=value`). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function decodeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

export async function runAction(name: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const node = options.node ?? process.env.STEPBACK_NODE24;
  if (!node) throw new Error('STEPBACK_NODE24 is not set (the vitest global setup provides it)');
  const dir = mkdtempSync(join(tmpdir(), `stepback-action-${name}-`));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: dir,
    GITHUB_RUN_ID: '1001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SHA: 'a'.repeat(40),
    ...files,
  };
  for (const [input, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${input.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  try {
    const { exitCode, stdout, stderr } = await new Promise<{
      exitCode: number | null;
      stdout: string;
      stderr: string;
    }>((done, fail) => {
      const child = spawn(node, [join(root, 'actions/dist', `${name}.js`)], {
        cwd: options.cwd ?? dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ exitCode: code, stdout, stderr });
      });
    });
    const errors = stdout
      .split('\n')
      .filter((l) => l.startsWith('::error'))
      .map((l) => decodeCommand(l.slice(l.indexOf('::', 2) + 2)));
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
