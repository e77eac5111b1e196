/**
 * The default runner command finds stepback however the image holds it: the standalone executable on PATH,
 * or the npm package's node_modules/.bin/stepback; with neither, the run is one stepback never reported on
 * (exit 5), saying so. Each "image" is a folder and a PATH holding only what such an image would: `sh`, and
 * the stand-in for stepback (a shell script that runs the built CLI with this Node by its full path, so no
 * `node` or `npx` is on PATH). They run through the real runner executor, `stepback pipeline migrate` without
 * runner-command, and the AWS simulation, whose ECS task and CodeBuild build run the command as a process in
 * the image's folder, against real PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcsTaskExecutor } from '../../src/aws/ecs-executor.ts';
import { CodeBuildExecutor } from '../../src/aws/run-build.ts';
import { checkEcsOverride } from '../../src/core/ecs-override.ts';
import { ExitCode } from '../../src/core/errors.ts';
import type { MigrationExecutor } from '../../src/core/ports.ts';
import { DEFAULT_RUNNER_COMMAND, RUNNER_LAUNCHER } from '../../src/core/runner-command.ts';
import { RunnerExecutor } from '../../src/pipeline/local/runner-executor.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { parseRunnerResult } from '../../src/pipeline/result.ts';
import { type AwsClients, clientsFor, hybridClock, NETWORK, registerTd } from '../aws/helpers.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');
const exec = promisify(execFile);

/** How an image holds stepback. */
type Holds = 'executable' | 'package' | 'nothing';

interface Image {
  dir: string;
  /** The image's whole PATH. */
  path: string;
}

let work: string;
const images = {} as Record<Holds, Image>;

/** A stand-in for stepback: runs the built CLI, first saying which one ran (on stderr, as progress goes). */
function standIn(file: string, which: string): void {
  writeFileSync(file, `#!/bin/sh\necho "stand-in: ${which}" >&2\nexec "${process.execPath}" "${cli}" "$@"\n`);
  chmodSync(file, 0o755);
}

function image(holds: Holds): Image {
  const dir = join(work, holds);
  const bin = join(dir, 'usr-bin');
  mkdirSync(join(dir, 'migrations'), { recursive: true });
  mkdirSync(bin, { recursive: true });
  symlinkSync('/bin/sh', join(bin, 'sh'));
  writeFileSync(join(dir, 'migrations/0001_users.up.sql'), 'create table users (id bigint primary key);\n');
  writeFileSync(join(dir, 'migrations/0001_users.down.sql'), 'drop table users;\n');
  if (holds === 'executable') {
    standIn(join(bin, 'stepback'), 'the executable on PATH');
    cpSync(join(dir, 'migrations'), join(dir, QUOTED_DIR), { recursive: true });
  }
  if (holds === 'package') {
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    standIn(join(dir, 'node_modules/.bin/stepback'), 'node_modules/.bin/stepback');
    // A stepback on PATH too: the project's own package wins, as it did with npx.
    standIn(join(bin, 'stepback'), 'another stepback on PATH');
  }
  return { dir, path: bin };
}

/** A migrations directory whose name a shell would split, quote-strip, expand and glob. */
const QUOTED_DIR = `mig it's "$HOME" ; $(exit 9) *`;

/** `up` on QUOTED_DIR (relative to the image's folder): it only works if every argument arrives as it was sent. */
const quotedUp = (key: string) => ({
  args: ['--dir', QUOTED_DIR, 'up', '--release', 'v1', '--json'],
  env: {},
  release: 'v1',
  idempotencyKey: key,
  timeoutMs: 120_000,
});

let db: TestDatabase;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stepback-default-runner-'));
  for (const holds of ['executable', 'package', 'nothing'] as const) images[holds] = image(holds);
  db = await createTestDatabase('default_runner');
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});
beforeEach(() => withClient(db.url, (c) => c.query('drop schema public cascade; create schema public')));

const applied = () =>
  withClient(db.url, async (c) => {
    const rows = await c.query<{ n: string }>(
      "select count(*) as n from information_schema.tables where table_name = 'users'",
    );
    return rows.rows[0]?.n === '1';
  });

async function migrateWith(executor: MigrationExecutor) {
  const log = memoryLog();
  const outcome = await migrate(
    executor,
    {
      release: 'v1',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:1',
      idempotencyKey: `default-runner-${Math.random()}`,
      timeoutMs: 120_000,
    },
    log,
  );
  return { outcome, log: log.text() };
}

const runnerIn = (holds: Holds) =>
  new RunnerExecutor({
    command: DEFAULT_RUNNER_COMMAND,
    dir: 'migrations',
    cwd: images[holds].dir,
    env: { DATABASE_URL: db.url, PATH: images[holds].path },
  });

describe('the default runner command', () => {
  it('is one sh -c line, and costs the ECS override 279 characters more than `stepback` alone (246 more than npx did)', () => {
    expect(DEFAULT_RUNNER_COMMAND).toEqual(['sh', '-c', RUNNER_LAUNCHER, 'stepback']);
    expect(RUNNER_LAUNCHER).not.toContain('\n');
    const request = { args: ['up', '--release', 'v1', '--json'], env: {} };
    const length = (prefix: readonly string[]) => checkEcsOverride(request, prefix, 'app').overrideLength!;
    expect(length(DEFAULT_RUNNER_COMMAND) - length(['stepback'])).toBe(279);
    expect(length(DEFAULT_RUNNER_COMMAND) - length(['npx', '--no-install', '--offline', 'stepback'])).toBe(
      246,
    );
  });

  it.each([
    ['executable', 'the executable on PATH'],
    ['package', 'node_modules/.bin/stepback'],
  ] as const)('runs the stepback the image holds (%s) on the runner', async (holds, which) => {
    const { outcome, log } = await migrateWith(runnerIn(holds));
    expect(outcome.message).toContain('Applied 1 migration');
    expect(outcome).toMatchObject({ ok: true, exitCode: 0 });
    expect(log).toContain(`stand-in: ${which}`);
    expect(log).not.toContain('another stepback');
    expect(await applied()).toBe(true);
  });

  it('passes arguments as they are: spaces, quotes and shell characters reach stepback unchanged', async () => {
    const log = memoryLog();
    const exec = await runnerIn('executable').run(quotedUp('quoted'), log);
    expect(exec.ok, log.text()).toBe(true);
    expect(parseRunnerResult(exec.stdout)?.applied.map((a) => a.name)).toEqual(['0001_users']);
    expect(await applied()).toBe(true);
  });

  it('with no stepback in the image, says it found none, and the run is one stepback never reported on (exit 5)', async () => {
    const { outcome, log } = await migrateWith(runnerIn('nothing'));
    expect(outcome.ok).toBe(false);
    expect(outcome.exitCode).toBe(ExitCode.notReported);
    expect(log).toContain(
      `stepback not found: no node_modules/.bin/stepback in ${images.nothing.dir}, no stepback or npx on PATH`,
    );
    expect(outcome.message).toMatch(/^stepback never reported a result \(runner:\d+: exited 127\)/);
    expect(outcome.message).toContain(`Exit 127 is a shell's "command not found"`);
    expect(outcome.message).toContain(
      'node_modules/.bin/stepback` in the working directory, else `stepback` on PATH',
    );
    expect(await applied()).toBe(false);
  });

  it('is what `stepback pipeline migrate` runs when runner-command is not given', async () => {
    const run = (holds: Holds) =>
      exec(
        process.execPath,
        [cli, 'pipeline', 'migrate', '--release', 'v1', '--executor', 'runner', '--json'],
        {
          cwd: images[holds].dir,
          env: { PATH: images[holds].path, DATABASE_URL: db.url },
        },
      ).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const ok = await run('executable');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('stand-in: the executable on PATH');
    expect(await applied()).toBe(true);
    const none = await run('nothing');
    expect(none.code).toBe(ExitCode.notReported);
    expect(none.stderr).toContain('stepback not found');
    expect(none.stdout + none.stderr).not.toContain(db.password);
  });
});

describe('the default runner command in the AWS simulation', () => {
  let sim: AwsSim;
  let clients: AwsClients;
  const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db';
  beforeEach(async () => {
    sim = await startAwsSim({
      images: Object.fromEntries(Object.entries(images).map(([holds, { dir }]) => [`app:${holds}`, { dir }])),
      timings: { provisioningMs: 200, pendingMs: 200 },
    });
    sim.secrets.set(DB_SECRET, db.url);
    sim.codebuild.createProject({ name: 'migrate' });
    clients = await clientsFor(sim);
  });
  afterEach(async () => {
    clients.destroy();
    await sim.close();
  });

  const fast = { pollIntervalMs: 500, logIntervalMs: 250, fastPollIntervalMs: 250 };

  const ecsIn = (holds: Holds) => {
    const td = registerTd(sim, {
      image: `app:${holds}`,
      environment: { PATH: images[holds].path, STEPBACK_DIR: 'migrations' },
      secrets: { DATABASE_URL: DB_SECRET },
    });
    const executor = new EcsTaskExecutor({
      clients,
      cluster: 'default',
      containerName: 'app',
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      taskDefinitionArn: td,
      clock: hybridClock(sim),
      ...fast,
    });
    return executor;
  };

  it.each([
    ['executable', 'the executable on PATH'],
    ['package', 'node_modules/.bin/stepback'],
  ] as const)('a one-off ECS task runs the stepback its image holds (%s)', async (holds, which) => {
    const log = memoryLog();
    const outcome = await migrate(
      ecsIn(holds),
      { release: 'v1', idempotencyKey: `ecs-${holds}`, timeoutMs: 600_000 },
      log,
    );
    expect(outcome.ok, outcome.message).toBe(true);
    expect(outcome.applied.map((a) => a.name)).toEqual(['0001_users']);
    const overrides = sim.callsTo('RunTask')[0]!.input.overrides as {
      containerOverrides: { command: string[] }[];
    };
    const command = overrides.containerOverrides[0]?.command;
    expect(command).toEqual([...DEFAULT_RUNNER_COMMAND, 'up', '--release', 'v1', '--json']);
    expect(log.text()).toContain(`stand-in: ${which}`);
    expect(log.text()).not.toContain('another stepback');
    expect(log.text()).not.toContain(db.password);
    expect(await applied()).toBe(true);
  });

  it('a task whose image holds no stepback ends as one stepback never reported on (exit 5), saying so', async () => {
    const log = memoryLog();
    const outcome = await migrate(
      ecsIn('nothing'),
      { release: 'v1', idempotencyKey: 'ecs-nothing', timeoutMs: 600_000 },
      log,
    );
    expect(outcome.exitCode).toBe(ExitCode.notReported);
    expect(log.text()).toContain('stepback not found: no node_modules/.bin/stepback in');
    expect(outcome.message).toMatch(/^stepback never reported a result \(arn:aws:ecs:\S+: .*127/);
    expect(outcome.message).toContain(`Exit 127 is a shell's "command not found"`);
    expect(outcome.message).toContain('the default runner-command runs');
    expect(await applied()).toBe(false);
  });

  it('a CodeBuild build runs it through the buildspec shell, arguments intact, and finds the executable', async () => {
    const executor = new CodeBuildExecutor({
      clients,
      projectName: 'migrate',
      image: 'app:executable',
      secretEnvironment: { DATABASE_URL: { type: 'SECRETS_MANAGER', ref: DB_SECRET } },
      clock: hybridClock(sim),
      pollIntervalMs: 500,
    });
    const log = memoryLog();
    const exec = await executor.run(
      { ...quotedUp('cb-executable'), env: { PATH: images.executable.path }, timeoutMs: 600_000 },
      log,
    );
    expect(exec.ok, log.text()).toBe(true);
    expect(log.text()).toContain('stand-in: the executable on PATH');
    expect(parseRunnerResult(exec.stdout)?.applied.map((a) => a.name)).toEqual(['0001_users']);
    expect(await applied()).toBe(true);
  });
});
