/** The local adapters for real: the runner executor runs the built CLI against PostgreSQL; the file target. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, NotReportedError, UsageError } from '../../src/core/errors.ts';
import { DEFAULT_RUNNER_COMMAND } from '../../src/core/runner-command.ts';
import { verdictError } from '../../src/core/step-verdict.ts';
import { FileDeployTarget, FileTaskDefinitions } from '../../src/pipeline/local/file-deploy-target.ts';
import { RunnerExecutor } from '../../src/pipeline/local/runner-executor.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate, migrateVerdict } from '../../src/pipeline/migrate.ts';
import { parseStatusOutput } from '../../src/pipeline/result.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { tdArn } from './fakes.ts';

const root = resolve(import.meta.dirname, '../..');
const fixtures = resolve(import.meta.dirname, '../actions/fixtures');
const cli = [process.execPath, join(root, 'dist/cli.js')];
let work: string;
let db: TestDatabase;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stepback-local-'));
  db = await createTestDatabase('local_exec');
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db.drop();
});

describe('RunnerExecutor', () => {
  it('runs up in the directory chosen per request, relays progress with the password masked, and parses the result', async () => {
    const executor = new RunnerExecutor({
      command: cli,
      dir: (req) => join(fixtures, req.release === 'v1' ? 'v1' : 'v2', 'migrations'),
      env: { DATABASE_URL: db.url },
    });
    const log = memoryLog();
    const first = await migrate(executor, { release: 'v1', idempotencyKey: 'a', timeoutMs: 30_000 }, log);
    expect(first.ok).toBe(true);
    expect(first.applied.map((a) => a.name)).toEqual(['0001_create_items']);
    expect(first.runId).toMatch(/^runner:\d+$/);
    const second = await migrate(executor, { release: 'v2', idempotencyKey: 'b', timeoutMs: 30_000 }, log);
    expect(second.applied.map((a) => a.name)).toEqual(['0002_add_price', '0003_create_tags']);
    expect(log.text()).toContain('0002_add_price');
    expect(log.text()).not.toContain(`:${db.password}@`);

    const status = await executor.run(
      { args: ['status', '--json'], env: {}, release: 'v2', idempotencyKey: 'c', timeoutMs: 30_000 },
      log,
    );
    expect(parseStatusOutput(status.stdout)?.applied.map((a) => a.release)).toEqual(['v1', 'v2', 'v2']);
  });

  it('says stepback never started (exit 5) when the default command finds no stepback, or the program is missing', async () => {
    // An empty folder: the default finds no stepback there or on PATH, and npx, offline, asks no registry.
    const empty = mkdtempSync(join(work, 'no-stepback-'));
    const commands = [
      { command: DEFAULT_RUNNER_COMMAND, says: /could not|exited \d+/ },
      {
        command: ['stepback-not-installed-anywhere'],
        says: /could not start stepback-not-installed-anywhere: .*ENOENT/,
      },
    ];
    for (const { command, says } of commands) {
      const executor = new RunnerExecutor({
        command,
        dir: 'migrations',
        cwd: empty,
        env: { DATABASE_URL: db.url },
      });
      const outcome = await migrate(
        executor,
        { release: 'v1', idempotencyKey: 'n', timeoutMs: 60_000 },
        memoryLog(),
      );
      expect(outcome.ok).toBe(false);
      expect(outcome.exitCode).toBe(ExitCode.notReported);
      expect(outcome.message).toMatch(/^stepback never reported a result \(runner:\S+: /);
      expect(outcome.message).toMatch(says);
      expect(outcome.message).toContain('runner-command must start the stepback CLI');
      // The step ends with its own error class and exit code (the action's and `stepback pipeline`'s).
      expect(verdictError(migrateVerdict(outcome))).toBeInstanceOf(NotReportedError);
      expect(verdictError(migrateVerdict(outcome))?.exitCode).toBe(5);
    }
  });

  it('reports the runner exit code of a refusal (database ahead of the older directory)', async () => {
    const executor = new RunnerExecutor({
      command: cli,
      dir: join(fixtures, 'v1/migrations'),
      env: { DATABASE_URL: db.url },
    });
    const outcome = await migrate(
      executor,
      { release: 'v1', idempotencyKey: 'd', timeoutMs: 30_000 },
      memoryLog(),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.exitCode).toBe(3);
    expect(outcome.message).toContain('0002_add_price');
  });

  it('stops a run that outlives its timeout', async () => {
    const executor = new RunnerExecutor({
      command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'],
      dir: work,
    });
    const result = await executor.run(
      { args: [], env: {}, release: 'x', idempotencyKey: 'e', timeoutMs: 300 },
      memoryLog(),
    );
    expect(result.ok).toBe(false);
    expect(result.message).toContain('timed out');
  });

  it('stops a run when the signal aborts', async () => {
    const executor = new RunnerExecutor({
      command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'],
      dir: work,
    });
    const controller = new AbortController();
    const pending = executor.run(
      { args: [], env: {}, release: 'x', idempotencyKey: 'f', timeoutMs: 60_000, signal: controller.signal },
      memoryLog(),
    );
    controller.abort();
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(result.message).toContain('cancelled');
  });
});

describe('FileDeployTarget and FileTaskDefinitions', () => {
  it('has nothing live before the first deploy, then records each deploy in order', async () => {
    const target = new FileDeployTarget(
      join(work, 'deploy/live.json'),
      () => new Date('2026-11-21T10:00:00Z'),
    );
    await expect(target.live()).rejects.toBeInstanceOf(UsageError);
    await target.deploy({ taskDefinitionArn: tdArn(1), release: 'v1', timeoutMs: 1 }, memoryLog());
    await target.deploy(
      { taskDefinitionArn: tdArn(2), release: 'v2', timeoutMs: 1, drain: true },
      memoryLog(),
    );
    expect(await target.live()).toEqual({ taskDefinitionArn: tdArn(2), release: 'v2' });
    expect(target.state()?.history.map((h) => [h.release, h.drained])).toEqual([
      ['v1', false],
      ['v2', true],
    ]);
  });

  it('describes and tags defined task definitions, and refuses unknown ones', async () => {
    const defs = new FileTaskDefinitions(join(work, 'taskdefs.json'));
    defs.define(tdArn(1), { family: 'app' });
    await defs.tag(tdArn(1), { 'stepback:release': 'v1' });
    await defs.tag(tdArn(1), { 'stepback:release': 'v1' });
    expect(defs.tags(tdArn(1))).toEqual({ 'stepback:release': 'v1' });
    expect((await defs.describe(tdArn(1))).registerInput).toEqual({ family: 'app' });
    await expect(defs.describe(tdArn(9))).rejects.toThrow('not registered');
  });
});
