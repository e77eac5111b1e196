import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
let work: string;
let db: TestDatabase;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stepback-rehearse-cli-'));
  // Only for its URL with a password: the rehearsal creates its scratch database next to it.
  db = await createTestDatabase('rehearse_cli');
});
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await db?.drop();
});

describe('stepback rehearse', () => {
  it('prints the report, writes markdown and exits by the verdict', async () => {
    const dir = join(fixtures, 'irreversible');
    const md = join(work, 'summary.md');
    const run = await runCli(['rehearse', '--dir', dir, '--no-cache', '--json', '--markdown', md], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.format).toBe('stepback/rehearsal@1');
    expect(report.verdict).toBe('rehearsal passed: 3 ok, 1 irreversible');
    expect(run.stderr).toContain('0002_backfill_kinds  irreversible');
    expect(readFileSync(md, 'utf8')).toContain('| `0002_backfill_kinds` | ⚠️ irreversible |');

    const strict = await runCli(['rehearse', '--dir', dir, '--no-cache', '--require-reversible'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    expect(strict.code).toBe(3);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toContain(
      'rehearsal failed (1 irreversible migration(s) with --require-reversible)',
    );
  });

  it('is a usage error when --since names nothing known', async () => {
    const run = await runCli(
      ['rehearse', '--dir', join(fixtures, 'irreversible'), '--no-cache', '--since', 'v0'],
      {
        env: { DATABASE_URL: db.url },
        password: db.password,
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since v0: no such manifest file');
  });

  it('starts an embedded PostgreSQL when no database URL is set', async () => {
    const run = await runCli(['rehearse', '--dir', join(fixtures, 'irreversible'), '--no-cache', '--json'], {
      env: {},
    });
    expect(run.stderr).toContain('starting an embedded PostgreSQL');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.server.kind).toBe('embedded');
    expect(report.counts).toMatchObject({ ok: 3, irreversible: 1 });
    // initdb takes a second or two on an idle machine; the limit is for a loaded shared one.
  }, 180_000);
});
