/**
 * A local trial with local pieces only — a file store, the runner executor and the file deploy target, on real
 * PostgreSQL, no AWS and no task definitions: record v1 and v2, migrate and deploy each, roll back to v1 (plan,
 * v2's downs on the runner, v1 "deployed" to the file), and the schema proof. Through `stepback pipeline …`
 * (the built CLI) and through the committed action bundles. Where a task definition is genuinely needed (the
 * ECS deploy target), it is refused before anything changes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

const root = resolve(import.meta.dirname, '../..');
const fixtures = resolve(import.meta.dirname, '../actions/fixtures');
const cli = join(root, 'dist/cli.js');
const run = promisify(execFile);
const runnerCommand = `${process.execPath} ${cli}`;
const migrations = (release: 'v1' | 'v2') => join(fixtures, release, 'migrations');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  doc?: { ok: boolean; exitCode: number; outcome: Record<string, unknown> };
}

async function stepback(args: string[], env: Record<string, string>): Promise<CliRun> {
  const done = (r: { stdout: string; stderr: string }, code: number): CliRun => {
    const line = r.stdout.trim().split('\n').pop();
    return { code, ...r, ...(line?.startsWith('{') ? { doc: JSON.parse(line) } : {}) };
  };
  try {
    return done(await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } }), 0);
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return done(e, e.code);
  }
}

const applied = (db: TestDatabase) =>
  withClient(db.url, async (c) =>
    (await c.query<{ name: string }>('select name from stepback_migrations order by name')).rows.map(
      (r) => r.name,
    ),
  );

const columns = (db: TestDatabase, table: string) =>
  withClient(db.url, async (c) =>
    (
      await c.query<{ column_name: string }>(
        'select column_name from information_schema.columns where table_name = $1 order by ordinal_position',
        [table],
      )
    ).rows.map((r) => r.column_name),
  );

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stepback-local-trial-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a local trial through `stepback pipeline` (no AWS, no task definitions)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let store: string;
  let state: string;
  beforeAll(async () => {
    db = await createTestDatabase('local_trial_cli');
    env = { DATABASE_URL: db.url };
    const dir = mkdtempSync(join(work, 'cli-'));
    store = `file://${join(dir, 'store')}`;
    state = join(dir, 'live.json');
  });
  afterAll(() => db.drop());

  const runner = (release: 'v1' | 'v2') => [
    '--executor',
    'runner',
    '--runner-command',
    runnerCommand,
    '--migrations-dir',
    migrations(release),
  ];
  const fileTarget = () => ['--deploy-target', 'file', '--state-file', state];

  it('records, migrates and deploys v1 and v2, each release by name', async () => {
    for (const release of ['v1', 'v2'] as const) {
      const rec = await stepback(
        [
          'pipeline',
          'record-release',
          '--release',
          release,
          '--store',
          store,
          '--migrations-dir',
          migrations(release),
          '--json',
        ],
        env,
      );
      expect(rec.code, rec.stderr).toBe(0);
      expect(rec.doc!.outcome.result).toBe('created');
      const up = await stepback(
        ['pipeline', 'migrate', '--release', release, ...runner(release), '--json'],
        env,
      );
      expect(up.code, up.stderr).toBe(0);
      const deployed = await stepback(
        ['pipeline', 'deploy', '--release', release, ...fileTarget(), '--json'],
        env,
      );
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stderr).toContain(`Deployment stable: release ${release}`);
    }
    const live = JSON.parse(readFileSync(state, 'utf8'));
    expect(live).toMatchObject({ release: 'v2' });
    expect(live.taskDefinitionArn).toBeUndefined();
    expect(live.history.map((h: { release: string }) => h.release)).toEqual(['v1', 'v2']);
    expect(await applied(db)).toEqual(['0001_create_items', '0002_add_price', '0003_create_tags']);
  });

  it('refuses the rollback where a task definition is genuinely needed (deploy-target ecs), changing nothing', async () => {
    const ecs = await stepback(
      [
        'pipeline',
        'rollback',
        '--to-release',
        'v1',
        '--from-release',
        'v2',
        '--store',
        store,
        ...runner('v2'),
        '--deploy-target',
        'ecs',
        '--cluster',
        'app',
        '--service',
        'app',
        '--region',
        'eu-west-1',
        '--json',
      ],
      env,
    );
    expect(ecs.code).toBe(3);
    expect(ecs.doc!.outcome.status).toBe('refused');
    expect(ecs.stderr).toContain(
      'release v1 has no task definition recorded, so there is nothing to deploy to the service',
    );
    expect(ecs.stderr).toContain('Nothing was changed');
    expect(await applied(db)).toHaveLength(3);
    // The deploy step says what it needs, every problem at once.
    const deploy = await stepback(
      [
        'pipeline',
        'deploy',
        '--deploy-target',
        'ecs',
        '--release',
        'v1',
        '--cluster',
        'app',
        '--service',
        'app',
      ],
      env,
    );
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain('task-definition: is required with deploy-target ecs');
    const nameless = await stepback(['pipeline', 'deploy', ...fileTarget()], env);
    expect(nameless.code).toBe(2);
    expect(nameless.stderr).toContain(
      'release: is required with deploy-target file when task-definition is not given',
    );
    expect(JSON.parse(readFileSync(state, 'utf8')).release).toBe('v2');
  });

  it('rolls back to v1 from the live release: plan, v2’s downs on the runner, v1 deployed, schema proven', async () => {
    const args = [
      'pipeline',
      'rollback',
      '--to-release',
      'v1',
      '--store',
      store,
      ...runner('v2'),
      ...fileTarget(),
      '--json',
    ];
    const dry = await stepback([...args, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.doc!.outcome.status).toBe('planned');
    expect(dry.stderr).toContain('Live release: v2');
    expect(dry.stderr).toContain('Rollback plan: v2 → v1');

    const real = await stepback(args, env);
    expect(real.code, real.stderr).toBe(0);
    expect(real.doc!.outcome.status).toBe('rolled-back');
    expect(real.stderr).toContain('deployed release v1');
    expect(real.stderr).toContain('schema matches release v1');
    expect(await applied(db)).toEqual(['0001_create_items']);
    expect(await columns(db, 'items')).toEqual(['id', 'name']);
    const live = JSON.parse(readFileSync(state, 'utf8'));
    expect(live).toMatchObject({ release: 'v1' });
    expect(live.taskDefinitionArn).toBeUndefined();
    expect(real.stdout + real.stderr).not.toContain(db.password);

    const verify = await stepback(['--dir', migrations('v1'), 'verify', '--release', 'v1'], env);
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);

    const again = await stepback(args, env);
    expect(again.code).toBe(0);
    expect(again.doc!.outcome.status).toBe('already-live');
  });
});

describe('a local trial through the actions with the runner executor and the file deploy target', () => {
  let db: TestDatabase;
  let storeDir: string;
  let state: string;
  beforeAll(async () => {
    db = await createTestDatabase('local_trial_act');
    const dir = mkdtempSync(join(work, 'actions-'));
    storeDir = join(dir, 'store');
    state = join(dir, 'live.json');
  });
  afterAll(() => db.drop());

  const runnerInputs = (release: 'v1' | 'v2') => ({
    executor: 'runner',
    'runner-command': runnerCommand,
    'migrations-dir': migrations(release),
    'database-url': db.url,
  });
  const fileTarget = () => ({ 'deploy-target': 'file', 'state-file': state });

  it('records, migrates, deploys and rolls back without a task definition anywhere', async () => {
    for (const release of ['v1', 'v2'] as const) {
      const rec = await runAction('record-release', {
        inputs: { release, store: `file://${storeDir}`, 'migrations-dir': migrations(release) },
      });
      expect(rec.errors).toEqual([]);
      expect(rec.outputs.result).toBe('created');
      expect(rec.outputs.tagged).toBe('false');
      const up = await runAction('migrate', { inputs: { release, ...runnerInputs(release) } });
      expect(up.errors).toEqual([]);
      const deployed = await runAction('deploy', { inputs: { release, ...fileTarget() } });
      expect(deployed.errors).toEqual([]);
      expect(deployed.outputs['task-definition']).toBe('');
      expect(deployed.summary).toContain(`Deployed release \`${release}\``);
    }
    const rolled = await runAction('rollback', {
      inputs: { 'to-release': 'v1', store: `file://${storeDir}`, ...runnerInputs('v2'), ...fileTarget() },
    });
    expect(rolled.errors).toEqual([]);
    expect(rolled.outputs.status).toBe('rolled-back');
    expect(rolled.outputs['from-release']).toBe('v2');
    expect(JSON.parse(rolled.outputs.reverted!).map((r: { name: string }) => r.name)).toEqual([
      '0003_create_tags',
      '0002_add_price',
    ]);
    expect(rolled.outputs['task-definition']).toBe('');
    expect(rolled.outputs['schema-matches']).toBe('true');
    expect(JSON.parse(readFileSync(state, 'utf8')).release).toBe('v1');
    expect(await applied(db)).toEqual(['0001_create_items']);
  });
});
