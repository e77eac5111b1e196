import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/core/plan-schema.ts';
import { openStore } from '../../src/stores/registry.ts';
import { appliedRows, manifest, migration, status } from '../core/helpers.ts';
import { startGitHubFake } from '../support/github-fake.ts';
import { runCli } from './cli.ts';

const v1 = manifest('v1.0.0', ['0001_users', '0002_orders']);
const v2 = manifest('v1.1.0', ['0001_users', '0002_orders', '0003_index']);
const v4 = manifest('v1.3.0', ['0001_users', '0002_orders', '0003_index', '0004_audit', '0005_email']);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepback-plan-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('stepback plan', () => {
  it('plans from manifest files: table on stdout, plan written with --out', async () => {
    const out = join(dir, 'plan.json');
    const run = await runCli([
      'plan',
      '--from',
      file('new.json', v4),
      '--to',
      file('old.json', v1),
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Rollback plan: v1.3.0 → v1.0.0 (revert 3, keep 2)');
    expect(run.stdout).toMatch(/\| 1 \| 0005_email \| to revert \| sha256:/);
    expect(run.stdout).toContain('The database was not checked');
    const plan = parsePlan(JSON.parse(readFileSync(out, 'utf8')));
    expect(plan.revert.map((r) => r.name)).toEqual(['0005_email', '0004_audit', '0003_index']);
  });

  it('resolves release names through the store and checks the database status (resume)', async () => {
    const store = await openStore(`file://${join(dir, 'store')}`);
    for (const m of [v1, v2, v4]) await store.put(m);
    const statusFile = file(
      'status.json',
      status(appliedRows(['0001_users', '0002_orders', '0003_index', '0004_audit'], v4)),
    );
    const run = await runCli(
      ['plan', '--from', 'v1.3.0', '--to', 'v1.0.0', '--status', statusFile, '--json'],
      {
        env: { STEPBACK_STORE: `file://${join(dir, 'store')}` },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const plan = parsePlan(JSON.parse(lines[0]!));
    expect(plan.checks.find((c) => c.id === 'database-matches')?.ok).toBe(true);
    expect(run.stderr).toMatch(/\| 1 \| 0005_email \| already reverted \|/);
    expect(run.stderr).toMatch(/\| 2 \| 0004_audit \| to revert \|/);
  });

  it('refuses with exit 3, every reason listed, the refusal as JSON, and no plan file', async () => {
    const newer = manifest('v2', [
      '0001_users',
      '0002_orders',
      migration('0003_index', { reversible: false }),
    ]);
    const older = manifest('v1-hotfix', ['0001_users', '0002_orders', '0002b_fix']);
    const out = join(dir, 'plan.json');
    const run = await runCli([
      'plan',
      '--from',
      file('n.json', newer),
      '--to',
      file('o.json', older),
      '--json',
      '--out',
      out,
    ]);
    expect(run.code).toBe(3);
    expect(existsSync(out)).toBe(false);
    const doc = JSON.parse(run.stdout);
    expect(doc.format).toBe('stepback/plan-refused@1');
    expect(doc.reasons).toHaveLength(2);
    expect(run.stderr).toContain('stepback: rollback v2 → v1-hotfix refused');
    expect(run.stderr).toMatch(/- v1-hotfix has migration 0002b_fix that v2 lacks/);
    expect(run.stderr).toMatch(/- 0003_index is irreversible/);
  });

  it('a missing release names the nearby ones (exit 2)', async () => {
    const store = await openStore(`file://${join(dir, 'store')}`);
    for (const m of [v1, v2, v4]) await store.put(m);
    const run = await runCli([
      'plan',
      '--from',
      'v1.3.0',
      '--to',
      'v1.2.0',
      '--store',
      `file://${join(dir, 'store')}`,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('release v1.2.0 has no manifest in file://');
    expect(run.stderr).toContain('hint: releases nearby: v1.0.0, v1.1.0, v1.3.0');
  });

  it('a release name without a store is a usage error; a bad manifest file names its fields', async () => {
    const noStore = await runCli(['plan', '--from', 'v2', '--to', 'v1']);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toMatch(/--from v2 is not a manifest file, and no store is set/);
    const bad = await runCli([
      'plan',
      '--from',
      file('bad.json', { ...v2, format: 'x' }),
      '--to',
      file('o.json', v1),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/- format: unknown format "x"/);
  });

  it('reads releases from a GitHub release store in a separate process (GITHUB_API_URL)', async () => {
    const gh = await startGitHubFake({ token: 'ghs_cli_token' });
    try {
      const store = await openStore('github-release://org/app', {
        token: 'ghs_cli_token',
        apiUrl: gh.url,
        env: {},
      });
      await store.put(v4);
      await store.put(v2);
      const run = await runCli(
        ['plan', '--from', 'v1.3.0', '--to', 'v1.1.0', '--store', 'github-release://org/app'],
        {
          env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: 'ghs_cli_token' },
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Rollback plan: v1.3.0 → v1.1.0 (revert 2, keep 3)');
      const denied = await runCli(
        ['plan', '--from', 'v1.3.0', '--to', 'v1.1.0', '--store', 'github-release://org/app'],
        {
          env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: 'ghs_wrong_token' },
        },
      );
      expect(denied.code).toBe(2);
      expect(denied.stderr).toMatch(/HTTP 401/);
      expect(denied.stderr).not.toContain('ghs_wrong_token');
    } finally {
      await gh.close();
    }
  });
});
