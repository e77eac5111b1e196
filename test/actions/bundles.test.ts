/**
 * The committed action bundles, run the way the runner runs them (Node 24, INPUT_* variables, file
 * commands), with the local pieces: the `runner` executor (the real stepback CLI against a real PostgreSQL
 * database), a file:// manifest store and the file deploy target.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { loadManifestMigrations } from '../../src/pipeline/local/sources.ts';
import { openStore } from '../../src/stores/registry.ts';
import { createTestDatabase, type TestDatabase, withClient } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(import.meta.dirname, 'fixtures');
const runnerCommand = `${process.execPath} ${join(root, 'dist/cli.js')}`;
const tdArn = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/app:${n}`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stepback-bundles-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function appliedNames(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const r = await c.query<{ name: string }>('select name from stepback_migrations order by name');
    return r.rows.map((row) => row.name);
  });
}

async function columns(db: TestDatabase, table: string): Promise<string[]> {
  return withClient(db.url, async (c) => {
    const r = await c.query<{ column_name: string }>(
      'select column_name from information_schema.columns where table_name = $1 order by column_name',
      [table],
    );
    return r.rows.map((row) => row.column_name);
  });
}

function withoutMaskCommands(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

function runnerInputs(db: TestDatabase, dir: string): Record<string, string> {
  return {
    executor: 'runner',
    'runner-command': runnerCommand,
    'migrations-dir': join(fixtures, dir, 'migrations'),
    'database-url': db.url,
  };
}

describe('bad inputs', () => {
  it('migrate names every bad input in one failure message', async () => {
    const run = await runAction('migrate', {
      inputs: {
        executor: 'kubernetes',
        'single-transaction': 'yes',
        'timeout-minutes': '0',
        'assign-public-ip': 'TRUE',
      },
    });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toHaveLength(1);
    const message = run.errors[0]!;
    for (const input of ['release', 'executor', 'single-transaction', 'timeout-minutes'])
      expect(message).toContain(`${input}:`);
    expect(message).toContain('must be one of ecs, codebuild, runner');
    expect(message).not.toContain('assign-public-ip');
  });

  it('rollback reports missing required inputs and executor needs together, without echoing secrets', async () => {
    const run = await runAction('rollback', {
      inputs: { store: 'ftp://x', 'dry-run': 'maybe', 'database-url': 'postgres://u:hunter2secret@h/db' },
    });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toHaveLength(1);
    const message = run.errors[0]!;
    for (const input of ['to-release', 'store', 'dry-run', 'cluster', 'container', 'subnets', 'service'])
      expect(message).toContain(`${input}:`);
    // The runner swallows ::add-mask:: lines (they carry the secret on purpose); nothing else may.
    expect(run.stdout).toContain('::add-mask::hunter2secret');
    expect(withoutMaskCommands(run.stdout)).not.toContain('hunter2secret');
  });

  it('record-release and deploy reject a malformed task definition ARN', async () => {
    const record = await runAction('record-release', {
      inputs: {
        release: 'v1',
        store: 'file:///tmp/x',
        'task-definition': 'app:3',
        'tag-task-definition': 'nope',
      },
    });
    expect(record.exitCode).toBe(2);
    expect(record.errors[0]).toContain('task-definition:');
    expect(record.errors[0]).toContain('tag-task-definition:');
    const deploy = await runAction('deploy', {
      inputs: { 'deploy-target': 'file', 'task-definition': 'app:3' },
    });
    expect(deploy.exitCode).toBe(2);
    expect(deploy.errors[0]).toContain('task-definition:');
    expect(deploy.errors[0]).toContain('state-file:');
    // Without a task definition the file target deploys the release by name, so it needs the name.
    const nameless = await runAction('deploy', { inputs: { 'deploy-target': 'file' } });
    expect(nameless.exitCode).toBe(2);
    expect(nameless.errors[0]).toContain('release:');
    expect(nameless.errors[0]).toContain('state-file:');
  });
});

describe('migrate on the runner', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('act_migrate');
  });
  afterAll(() => db.drop());

  it('applies the migrations, reports them in outputs and the summary, and never prints the password', async () => {
    const run = await runAction('migrate', { inputs: { release: 'v2', ...runnerInputs(db, 'v2') } });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    const applied = JSON.parse(run.outputs.applied!) as { name: string; durationMs: number }[];
    expect(applied.map((a) => a.name)).toEqual(['0001_create_items', '0002_add_price', '0003_create_tags']);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.outputs['run-id']).toMatch(/^runner:\d+$/);
    expect(run.outputs['task-arn']).toBe('');
    expect(run.stdout).toContain('::group::stepback up: release v2 (runner)');
    expect(run.summary).toContain('0003_create_tags');
    expect(run.summary).toContain('<table>');
    expect(await appliedNames(db)).toEqual(['0001_create_items', '0002_add_price', '0003_create_tags']);
    for (const text of [
      withoutMaskCommands(run.stdout),
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
    ])
      expect(text).not.toContain(`:${db.password}@`);
  });

  it('a second run applies nothing', async () => {
    const run = await runAction('migrate', { inputs: { release: 'v2', ...runnerInputs(db, 'v2') } });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.applied!)).toEqual([]);
    expect(run.summary).toContain('already up to date');
  });
});

describe('migrate failure', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('act_fail');
  });
  afterAll(() => db.drop());

  it('fails the step with one error annotation naming the failed migration; the earlier one stays applied', async () => {
    const run = await runAction('migrate', { inputs: { release: 'b1', ...runnerInputs(db, 'broken') } });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('Migration 0002_broken_alter failed');
    expect(run.outputs['exit-code']).toBe('1');
    expect(JSON.parse(run.outputs.applied!).map((a: { name: string }) => a.name)).toEqual([
      '0001_create_items',
    ]);
    expect(run.summary).toContain('FAILED');
    expect(await appliedNames(db)).toEqual(['0001_create_items']);
  });
});

describe('record-release, rollback and deploy with local pieces', () => {
  let db: TestDatabase;
  let storeDir: string;
  let stateFile: string;
  const store = () => `file://${storeDir}`;

  async function record(release: string, dir: string, td: number): Promise<void> {
    const s = await openStore(store());
    await s.put(
      buildManifest({
        release,
        createdAt: new Date('2026-11-21T10:00:00Z'),
        migrations: await loadManifestMigrations(join(fixtures, dir, 'migrations')),
        taskDefinitionArn: tdArn(td),
      }),
    );
  }

  function live(release: string, td: number): void {
    writeFileSync(
      stateFile,
      JSON.stringify({
        taskDefinitionArn: tdArn(td),
        release,
        deployedAt: '2026-11-21T10:00:00.000Z',
        history: [],
      }),
    );
  }

  beforeAll(async () => {
    db = await createTestDatabase('act_rollback');
    storeDir = join(work, 'store');
    stateFile = join(work, 'live.json');
  });
  afterAll(() => db.drop());

  it('record-release stores the manifest once; the same release again is unchanged', async () => {
    const inputs = { release: 'r1', store: store(), 'migrations-dir': join(fixtures, 'v2/migrations') };
    const first = await runAction('record-release', { inputs });
    expect(first.errors).toEqual([]);
    expect(first.outputs.result).toBe('created');
    expect(first.outputs.migrations).toBe('3');
    expect(first.summary).toContain('0002_add_price');
    const stored = JSON.parse(readFileSync(join(storeDir, 'r1.json'), 'utf8'));
    expect(stored.source).toEqual({ repository: 'example/app', commit: 'a'.repeat(40) });
    const again = await runAction('record-release', { inputs });
    expect(again.exitCode).toBe(0);
    expect(again.outputs.result).toBe('unchanged');
    const changed = await runAction('record-release', {
      inputs: { ...inputs, 'migrations-dir': join(fixtures, 'v1/migrations') },
    });
    expect(changed.exitCode).toBe(3);
    expect(changed.errors[0]).toContain('already recorded');
    expect(changed.errors[0]).toContain('0002_add_price');
  });

  it('rollback refuses when the target release is not recorded, changing nothing', async () => {
    await record('v1', 'v1', 1);
    await record('v2', 'v2', 2);
    live('v2', 2);
    // v1 first, so its schema fingerprint is recorded and the rollback can verify against it.
    const upV1 = await runAction('migrate', { inputs: { release: 'v1', ...runnerInputs(db, 'v1') } });
    expect(upV1.exitCode).toBe(0);
    const up = await runAction('migrate', { inputs: { release: 'v2', ...runnerInputs(db, 'v2') } });
    expect(up.exitCode).toBe(0);
    const run = await runAction('rollback', {
      inputs: {
        'to-release': 'v0',
        store: store(),
        ...runnerInputs(db, 'v2'),
        'deploy-target': 'file',
        'state-file': stateFile,
      },
    });
    expect(run.exitCode).toBe(3);
    expect(run.outputs.status).toBe('refused');
    expect(run.errors[0]).toContain('v0');
    expect(run.summary).toContain('Refused: nothing was changed');
    expect(await appliedNames(db)).toHaveLength(3);
  });

  it('dry run plans from the live release, shows the plan and changes nothing', async () => {
    const run = await runAction('rollback', {
      inputs: {
        'to-release': 'v1',
        store: store(),
        'dry-run': 'true',
        ...runnerInputs(db, 'v2'),
        'deploy-target': 'file',
        'state-file': stateFile,
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs.status).toBe('planned');
    expect(run.outputs['from-release']).toBe('v2');
    expect(JSON.parse(run.outputs.remaining!)).toEqual(['0003_create_tags', '0002_add_price']);
    expect(run.summary).toContain('Rollback plan: v2 → v1');
    expect(await appliedNames(db)).toHaveLength(3);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).release).toBe('v2');
  });

  it('rolls back: downs from the newer release, then the older task definition is deployed', async () => {
    const run = await runAction('rollback', {
      inputs: {
        'to-release': 'v1',
        store: store(),
        ...runnerInputs(db, 'v2'),
        'deploy-target': 'file',
        'state-file': stateFile,
      },
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.status).toBe('rolled-back');
    expect(JSON.parse(run.outputs.reverted!).map((r: { name: string }) => r.name)).toEqual([
      '0003_create_tags',
      '0002_add_price',
    ]);
    expect(run.outputs['task-definition']).toBe(tdArn(1));
    expect(await appliedNames(db)).toEqual(['0001_create_items']);
    expect(await columns(db, 'items')).toEqual(['id', 'name']);
    expect(run.outputs['schema-matches']).toBe('true');
    expect(run.summary).toContain('schema matches release v1 as deployed');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(state).toMatchObject({ release: 'v1', taskDefinitionArn: tdArn(1) });
    // The plan was written to the summary before the result.
    expect(run.summary.indexOf('Rollback plan')).toBeLessThan(run.summary.indexOf('Rolled back'));
  });

  it('deploy switches the file target', async () => {
    const run = await runAction('deploy', {
      inputs: {
        'task-definition': tdArn(2),
        release: 'v2',
        'deploy-target': 'file',
        'state-file': stateFile,
      },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs['task-definition']).toBe(tdArn(2));
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).release).toBe('v2');
  });
});

describe('rollback whose down fails half-way', () => {
  let db: TestDatabase;
  let storeDir: string;
  let stateFile: string;

  beforeAll(async () => {
    db = await createTestDatabase('act_halfway');
    storeDir = mkdtempSync(join(work, 'store-halfway-'));
    stateFile = join(storeDir, 'live.json');
    const s = await openStore(`file://${storeDir}`);
    for (const [release, dir, td] of [
      ['v1', 'v1', 1],
      ['v2', 'baddown', 2],
    ] as const) {
      await s.put(
        buildManifest({
          release,
          createdAt: new Date('2026-11-21T10:00:00Z'),
          migrations: await loadManifestMigrations(join(fixtures, dir, 'migrations')),
          taskDefinitionArn: tdArn(td),
        }),
      );
    }
    writeFileSync(
      stateFile,
      JSON.stringify({
        taskDefinitionArn: tdArn(2),
        release: 'v2',
        deployedAt: '2026-11-21T10:00:00.000Z',
        history: [],
      }),
    );
  });
  afterAll(() => db.drop());

  it('stops before the deploy and says which migrations were reverted and which remain', async () => {
    const up = await runAction('migrate', { inputs: { release: 'v2', ...runnerInputs(db, 'baddown') } });
    expect(up.exitCode).toBe(0);
    const run = await runAction('rollback', {
      inputs: {
        'to-release': 'v1',
        store: `file://${storeDir}`,
        ...runnerInputs(db, 'baddown'),
        'deploy-target': 'file',
        'state-file': stateFile,
      },
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('failed');
    expect(JSON.parse(run.outputs.reverted!).map((r: { name: string }) => r.name)).toEqual([
      '0003_create_tags',
    ]);
    expect(JSON.parse(run.outputs.remaining!)).toEqual(['0002_add_price']);
    expect(run.outputs['task-definition']).toBe('');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('Still applied: 0002_add_price');
    expect(run.summary).toContain('the older release was not deployed');
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).release).toBe('v2');
    expect(await appliedNames(db)).toEqual(['0001_create_items', '0002_add_price']);
  });
});
