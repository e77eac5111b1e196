/** `stepback pipeline …` (the buildspec entry points), run as the built CLI against real PostgreSQL. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { djangoMissing, djangoRelease } from '../engines/django-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { tdArn } from './fakes.ts';

const root = resolve(import.meta.dirname, '../..');
const fixtures = resolve(import.meta.dirname, '../actions/fixtures');
const cli = join(root, 'dist/cli.js');
const run = promisify(execFile);

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  doc?: { command: string; ok: boolean; exitCode: number; outcome: Record<string, unknown> };
}

async function stepback(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr, doc: lastJson(stdout) };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, doc: lastJson(e.stdout) };
  }
}

function lastJson(stdout: string): CliRun['doc'] {
  const line = stdout.trim().split('\n').pop();
  return line?.startsWith('{') ? JSON.parse(line) : undefined;
}

let db: TestDatabase;
let work: string;
beforeAll(async () => {
  db = await createTestDatabase('cli_pipeline');
  work = mkdtempSync(join(tmpdir(), 'stepback-cli-pipeline-'));
});
afterAll(async () => {
  await db.drop();
  rmSync(work, { recursive: true, force: true });
});

const runner = (dir: string) => [
  '--executor',
  'runner',
  '--runner-command',
  `${process.execPath} ${cli}`,
  '--migrations-dir',
  join(fixtures, dir, 'migrations'),
];

describe('stepback pipeline', () => {
  it('help: each flag names its environment variable after a whole sentence, the directory as STEPBACK_DIR', async () => {
    for (const step of ['migrate', 'record-release', 'rollback', 'deploy']) {
      const help = (await stepback(['pipeline', step, '--help'])).stdout;
      expect(help).toContain('env STEPBACK_');
      expect(help, step).not.toMatch(/\.[;,]/);
      if (step !== 'deploy')
        expect(help.replace(/\s+/g, ' ')).toMatch(/--migrations-dir <value> [^-]*env STEPBACK_DIR\b/);
    }
  });

  it('names every bad flag in one usage error (exit 2), with a JSON line when asked', async () => {
    const r = await stepback([
      'pipeline',
      'migrate',
      '--executor',
      'lambda',
      '--timeout-minutes',
      'soon',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('release:');
    expect(r.stderr).toContain('executor: must be one of ecs, codebuild, runner');
    expect(r.stderr).toContain('timeout-minutes:');
    expect(r.doc).toMatchObject({ command: 'migrate', ok: false, exitCode: 2 });
  });

  it.skipIf(djangoMissing)(
    "migrate with --engine django runs the checkout's manage.py (the engine also from STEPBACK_ENGINE, checked)",
    async () => {
      const dj = await createTestDatabase('cli_pipeline_django');
      try {
        const code = djangoRelease('v1');
        const args = ['pipeline', 'migrate', '--release', 'v1', '--executor', 'runner', '--json'];
        const up = await stepback(['--engine', 'django', '--manage-command', code.manage, ...args], {
          DATABASE_URL: dj.url,
        });
        expect(up.code, up.stderr).toBe(0);
        expect((up.doc!.outcome.applied as { name: string }[]).map((a) => a.name)).toEqual([
          'shop.0001_initial',
          'shop.0002_product_price',
          'billing.0001_initial',
        ]);
        const wrong = await stepback(args, { DATABASE_URL: dj.url, STEPBACK_ENGINE: 'rails' });
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toContain('engine: must be one of stepback, django (got "rails")');
      } finally {
        await dj.drop();
      }
    },
    60_000,
  );

  it('migrate on the runner, then record-release, rollback (dry run and real) and deploy with local pieces', async () => {
    const env = { DATABASE_URL: db.url };
    const up = await stepback(['pipeline', 'migrate', '--release', 'v2', ...runner('v2'), '--json'], env);
    expect(up.code).toBe(0);
    expect((up.doc!.outcome.applied as { name: string }[]).map((a) => a.name)).toEqual([
      '0001_create_items',
      '0002_add_price',
      '0003_create_tags',
    ]);
    expect(up.stderr).toContain('Applied 3 migrations');
    expect(up.stdout + up.stderr).not.toContain(`:${db.password}@`);

    const store = `file://${join(work, 'store')}`;
    for (const [release, dir, td] of [
      ['v1', 'v1', 1],
      ['v2', 'v2', 2],
    ] as const) {
      const rec = await stepback(
        [
          'pipeline',
          'record-release',
          '--release',
          release,
          '--store',
          store,
          '--migrations-dir',
          join(fixtures, dir, 'migrations'),
          '--json',
        ],
        env,
      );
      expect(rec.code).toBe(0);
      expect(rec.doc!.outcome.result).toBe('created');
      // Releases with task definitions (the file target records them too; test/pipeline/local-trial.test.ts
      // runs the same without any): the ARN goes into the stored manifest by hand, as there is no ECS to describe.
      const file = join(work, 'store', `${release}.json`);
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...manifest, taskDefinitionArn: tdArn(td) }));
    }
    const state = join(work, 'live.json');
    const deployed = await stepback([
      'pipeline',
      'deploy',
      '--task-definition',
      tdArn(2),
      '--release',
      'v2',
      '--deploy-target',
      'file',
      '--state-file',
      state,
    ]);
    expect(deployed.code).toBe(0);

    const rollbackArgs = [
      'pipeline',
      'rollback',
      '--to-release',
      'v1',
      '--store',
      store,
      ...runner('v2'),
      '--deploy-target',
      'file',
      '--state-file',
      state,
      '--json',
    ];
    const dry = await stepback([...rollbackArgs, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.doc!.outcome.status).toBe('planned');
    expect(dry.stderr).toContain('Rollback plan: v2 → v1');

    const real = await stepback(rollbackArgs, env);
    expect(real.code).toBe(0);
    expect(real.doc!.outcome.status).toBe('rolled-back');
    expect(JSON.parse(readFileSync(state, 'utf8')).release).toBe('v1');
  });
});
