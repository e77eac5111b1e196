/**
 * The real linux-x64 executable, copied onto an image's PATH as the README says (`/usr/local/bin/stepback`),
 * started by the default runner command: no `node`, `npx` or node_modules anywhere, only `sh` and the
 * executable. The runner executor runs a release's `up` and `status` through it against real PostgreSQL.
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNNER_COMMAND } from '../../src/core/runner-command.ts';
import { RunnerExecutor } from '../../src/pipeline/local/runner-executor.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { migrate } from '../../src/pipeline/migrate.ts';
import { parseStatusOutput } from '../../src/pipeline/result.ts';
import { allowSlowProcesses, root } from '../cli/cli.ts';
import { databasesForThisFile } from '../support/pg.ts';
import { executables } from './executables.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();

let image: string;
let path: string;
// The build (or waiting for another file's) takes minutes on a loaded 2-core machine.
beforeAll(() => {
  image = mkdtempSync(join(tmpdir(), 'stepback-exe-image-'));
  path = join(image, 'usr/local/bin');
  mkdirSync(path, { recursive: true });
  symlinkSync('/bin/sh', join(path, 'sh'));
  copyFileSync(executables()['linux-x64'], join(path, 'stepback'));
  chmodSync(join(path, 'stepback'), 0o755);
  cpSync(join(root, 'test/fixtures/layouts/migrations'), join(image, 'migrations'), { recursive: true });
}, 900_000);

describe('the default runner command with the standalone executable on PATH', () => {
  it('finds the executable and runs up and status through it, with nothing else on PATH', async () => {
    expect(readdirSync(path).sort()).toEqual(['sh', 'stepback']);
    const db = await freshDb('exe_default_runner');
    const executor = new RunnerExecutor({
      command: DEFAULT_RUNNER_COMMAND,
      dir: 'migrations',
      cwd: image,
      cleanEnv: true,
      env: { PATH: path, DATABASE_URL: db.url },
    });
    const log = memoryLog();
    const outcome = await migrate(
      executor,
      { release: 'v1', idempotencyKey: 'exe', timeoutMs: 300_000 },
      log,
    );
    expect(outcome.ok, log.text()).toBe(true);
    expect(outcome.applied.map((a) => a.name)).toContain('0001_users');
    expect(log.text()).not.toContain(db.password);
    const status = await executor.run(
      { args: ['status', '--json'], env: {}, release: 'v1', idempotencyKey: 's', timeoutMs: 300_000 },
      log,
    );
    expect(parseStatusOutput(status.stdout)?.applied.every((a) => a.release === 'v1')).toBe(true);
  });
});
