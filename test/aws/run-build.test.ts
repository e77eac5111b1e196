import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { AwsAccessError } from '../../src/aws/aws-call.ts';
import { CodeBuildExecutor, type RunBuildOptions, runBuild } from '../../src/aws/run-build.ts';
import { UsageError } from '../../src/core/errors.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { type AwsClients, clientsFor, hybridClock, simClock } from './helpers.ts';

const RESULT = '{"format":"stepback/result@1","command":"up","ok":true,"exitCode":0,"applied":[]}';

let sim: AwsSim;
let clients: AwsClients;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepback-build-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  sim = await startAwsSim({
    images: {
      'app:ok': { script: { exitCode: 0, lines: ['applied 0001_users', RESULT] } },
      'app:fail': { script: { exitCode: 3, lines: ['refused: drift in 0001_users'] } },
      'app:real': { dir },
    },
    secrets: { 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-url': 'postgres://u:s3cret@db/app' },
  });
  sim.codebuild.createProject({ name: 'migrate' });
  clients = await clientsFor(sim);
});

afterEach(async () => {
  clients.destroy();
  await sim.close();
});

function options(image: string, extra: Partial<RunBuildOptions> = {}): RunBuildOptions {
  return {
    projectName: 'migrate',
    image,
    command: ['npx', '--no-install', 'stepback', 'up', '--release', "v2 'quoted'", '--json'],
    environment: { STEPBACK_RELEASE: 'v2' },
    secretEnvironment: {
      DATABASE_URL: {
        type: 'SECRETS_MANAGER',
        ref: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-url',
      },
    },
    timeoutMs: 20 * 60_000,
    ...extra,
  };
}

describe('runBuild against the simulation', () => {
  it('starts the build with the image, an inline buildspec, typed env overrides and a timeout; streams logs; succeeds', async () => {
    const log = memoryLog();
    const result = await runBuild(clients, options('app:ok'), log, { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.message).toBe(`Build ${result.buildId} SUCCEEDED`);
    const input = sim.callsTo('StartBuild')[0]!.input;
    expect(input).toMatchObject({
      projectName: 'migrate',
      imageOverride: 'app:ok',
      timeoutInMinutesOverride: 25,
      environmentVariablesOverride: [
        { name: 'STEPBACK_RELEASE', value: 'v2', type: 'PLAINTEXT' },
        {
          name: 'DATABASE_URL',
          value: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-url',
          type: 'SECRETS_MANAGER',
        },
      ],
    });
    const spec = parseYaml(String(input.buildspecOverride));
    expect(spec).toEqual({
      version: '0.2',
      phases: {
        build: { commands: [`npx --no-install stepback up --release 'v2 '\\''quoted'\\''' --json`] },
      },
    });
    expect(result.lines).toContain('applied 0001_users');
    expect(result.lines).toContain(RESULT);
    expect(log.text()).toContain('applied 0001_users');
  });

  it('a failing command: FAILED, the failed phase, its context and the exit status', async () => {
    const result = await runBuild(clients, options('app:fail'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(result.message).toContain(
      'FAILED in phase BUILD (FAILED): COMMAND_EXECUTION_ERROR: Error while executing command',
    );
    expect(result.message).toContain('Reason: exit status 3');
    expect(result.lines).toContain('refused: drift in 0001_users');
  });

  it('refuses plaintext secrets (by flag, name or value) before starting anything, naming only the variables', async () => {
    const error = await runBuild(
      clients,
      options('app:ok', {
        environment: {
          STEPBACK_RELEASE: 'v2',
          DB: 'postgres://app:hunter2@db.internal/app',
          PGPASSWORD: 'x',
          EXTRA: 'plain',
        },
        secretNames: ['EXTRA'],
      }),
      memoryLog(),
      { clock: simClock(sim) },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.problems).toEqual([
      'DB holds a URL with a password and cannot be passed as a PLAINTEXT build variable',
      'PGPASSWORD looks like a secret (by its name) and cannot be passed as a PLAINTEXT build variable',
      'EXTRA is a secret and cannot be passed as a PLAINTEXT build variable',
    ]);
    expect(JSON.stringify({ m: error.message, p: error.problems, h: error.hint })).not.toContain('hunter2');
    expect(sim.callsTo('StartBuild')).toHaveLength(0);
  });

  it('a build that never finishes: on timeout StopBuild, then fail', async () => {
    sim.fault({ kind: 'build', effect: { neverStops: true } });
    const log = memoryLog();
    const result = await runBuild(clients, options('app:ok', { timeoutMs: 30_000 }), log, {
      clock: simClock(sim),
    });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('Timed out after 0.5 min waiting for build');
    expect(result.message).toContain('StopBuild sent');
    expect(sim.callsTo('StopBuild').map((c) => c.input)).toEqual([{ id: result.buildId }]);
    expect(log.text()).toContain(`Stopped build ${result.buildId}: Timed out`);
    expect(sim.codebuild.builds.get(result.buildId)?.buildStatus).toBe('STOPPED');
  });

  it('cancellation: StopBuild, then fail', async () => {
    sim.fault({ kind: 'build', effect: { neverStops: true } });
    const controller = new AbortController();
    const start = sim.now();
    const clock = simClock(sim, (_ms, now) => {
      if (now - start >= 10_000) controller.abort();
    });
    const result = await runBuild(clients, options('app:ok', { signal: controller.signal }), memoryLog(), {
      clock,
    });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Cancelled while build migrate:[0-9a-f-]+ was in BUILD; StopBuild sent$/);
    expect(sim.callsTo('StopBuild')).toHaveLength(1);
  });

  it('logs that appear late are still read (the log location is re-read every poll)', async () => {
    sim.fault({ kind: 'build', effect: { lateLogsMs: 4_000 } });
    const result = await runBuild(clients, options('app:ok'), memoryLog(), { clock: simClock(sim) });
    expect(result.ok).toBe(true);
    expect(result.lines).toContain(RESULT);
    // The first polls saw no log location yet; reading started once it appeared.
    const firstLogRead = sim.callsTo('GetLogEvents')[0]!;
    expect(firstLogRead.at - sim.callsTo('StartBuild')[0]!.at).toBeGreaterThanOrEqual(8_000);
    expect(sim.callsTo('BatchGetBuilds').filter((c) => c.at < firstLogRead.at).length).toBeGreaterThan(1);
  });

  it('AccessDenied on BatchGetBuilds fails at once and stops the build', async () => {
    sim.fault({ kind: 'error', operation: 'BatchGetBuilds', error: 'AccessDeniedException' });
    const error = await runBuild(clients, options('app:ok'), memoryLog(), { clock: simClock(sim) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AwsAccessError);
    expect(error.message).toContain('AWS refused codebuild:BatchGetBuilds: AccessDeniedException');
    expect(sim.callsTo('StopBuild')).toHaveLength(1);
    expect(error.problems.join(' ')).toContain('StopBuild sent');
  });

  it('really runs the buildspec command in the image directory, with the secret resolved, and reports its exit code', async () => {
    const script =
      "console.log('db=' + (process.env.DATABASE_URL ? 'set' : 'unset')); console.error('warn line'); process.exit(4)";
    const result = await runBuild(
      clients,
      options('app:real', { command: ['node', '-e', script], pollIntervalMs: 250 }),
      memoryLog(),
      { clock: hybridClock(sim, 50) },
    );
    expect(result.exitCode).toBe(4);
    expect(result.ok).toBe(false);
    expect(result.lines).toContain('db=set');
    expect(result.lines).toContain('warn line');
  });
});

describe('CodeBuildExecutor', () => {
  it('reports imageUnavailable when the image cannot be pulled: PROVISIONING failed, nothing ran, no logs', async () => {
    const executor = new CodeBuildExecutor({
      clients,
      projectName: 'migrate',
      imageFor: (release) => `app:${release}`,
      clock: simClock(sim),
    });
    const log = memoryLog();
    const result = await executor.run(
      { args: ['status', '--json'], env: {}, release: 'gone', idempotencyKey: 'run-1', timeoutMs: 600_000 },
      log,
    );
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(null);
    expect(result.stdout).toBe(undefined);
    expect(result.imageUnavailable).toMatch(
      /^BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE: Unable to pull customer's container image\. CannotPullContainerError: .*app:gone/,
    );
    expect(result.message).toMatch(/FAILED in phase PROVISIONING \(FAILED\)/);
    const build = sim.codebuild.builds.get(result.id)!;
    expect(build.phases.map((p) => p.phaseType)).not.toContain('BUILD');
    // A build that failed for another reason carries no such verdict.
    const failed = await executor.run(
      { args: ['up', '--json'], env: {}, release: 'fail', idempotencyKey: 'run-2', timeoutMs: 600_000 },
      memoryLog(),
    );
    expect(failed.ok).toBe(false);
    expect(failed.imageUnavailable).toBe(undefined);
  });

  it('runs the runner command with the request args and returns stdout without CodeBuild chatter', async () => {
    const executor = new CodeBuildExecutor({
      clients,
      projectName: 'migrate',
      imageFor: (release) => `app:${release}`,
      clock: simClock(sim),
    });
    sim.images.set('app:ok', { script: { exitCode: 0, lines: ['applied 0001_users', RESULT] } });
    const result = await executor.run(
      { args: ['up', '--json'], env: {}, release: 'ok', idempotencyKey: 'run-9', timeoutMs: 600_000 },
      memoryLog(),
    );
    expect(result.ok).toBe(true);
    expect(result.id).toMatch(/^migrate:/);
    expect(result.stdout).toBe(`applied 0001_users\n${RESULT}`);
    expect(sim.callsTo('StartBuild')[0]?.input).toMatchObject({
      imageOverride: 'app:ok',
      idempotencyToken: 'run-9',
    });
  });
});
