import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { loadMigrations } from '../../src/migrate/sources.ts';
import { type RehearsalReport, rehearse, renderMarkdown, renderText } from '../../src/rehearse/index.ts';
import { adminUrl, withAdmin } from '../support/pg.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
let work: string;
let serverVersion = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'stepback-rehearse-test-'));
  serverVersion = await withAdmin(async (c) =>
    Number((await c.query('show server_version_num')).rows[0].server_version_num),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function previousRelease(dir: string, names: string[]) {
  const sources = await loadMigrations(dir);
  return buildManifest({
    release: 'v1',
    createdAt: new Date('2026-11-01T00:00:00Z'),
    migrations: sources
      .filter((s) => names.includes(s.name))
      .map((s) => ({
        name: s.name,
        checksum: s.checksum,
        downChecksum: s.downChecksum,
        reversible: s.reversible,
        transactional: s.transactional,
      })),
  });
}

function byName(report: RehearsalReport, name: string) {
  const found = report.migrations.find((m) => m.name === name);
  if (!found) throw new Error(`${name} not in the report`);
  return found;
}

async function scratchDatabases(): Promise<string[]> {
  return withAdmin(async (c) =>
    (await c.query("select datname from pg_database where datname like 'stepback_rehearse_%'")).rows.map(
      (r) => r.datname as string,
    ),
  );
}

describe('rehearse: broken downs of every kind', () => {
  let report: RehearsalReport;
  const dir = join(fixtures, 'broken');
  const lines: string[] = [];

  beforeAll(async () => {
    report = await rehearse({
      log: (line) => lines.push(line),
      dir,
      since: await previousRelease(dir, ['0001_create_users']),
      databaseUrl: adminUrl(),
      release: 'v2',
      cacheFile: join(work, 'broken-cache.json'),
    });
    // The scratch database is gone afterwards.
    expect(report.server.database).toMatch(/^stepback_rehearse_[0-9a-f]{10}$/);
    expect(await scratchDatabases()).not.toContain(report.server.database);
  });

  it('starts from the previous release and rehearses only the new migrations', () => {
    expect(report.since).toEqual({ release: 'v1', migrations: 1, source: 'manifest' });
    expect(report.migrations.map((m) => m.name)).toEqual([
      '0002_price_label',
      '0003_drop_legacy_flag',
      '0004_drop_created_idx',
      '0005_display_name',
      '0006_create_tags',
      '0007_seed_featured_tag',
    ]);
  });

  it('reports a down using syntax this PostgreSQL lacks, with the file, line and column', () => {
    const m = byName(report, '0002_price_label');
    if (serverVersion >= 170000) {
      // SET EXPRESSION exists from PostgreSQL 17: there the down is fine.
      expect(m.outcome).toBe('ok');
      return;
    }
    expect(m.outcome).toBe('down-failed');
    expect(m.error).toMatchObject({ step: 'down', code: '42601' });
    expect(m.error?.message).toContain('syntax error at or near "expression"');
    const line3 = "  alter column price_label set expression as ('$' || (price_cents / 100)::text);";
    expect(m.error?.location).toEqual({
      file: join('0002_price_label', 'down.sql'),
      line: 3,
      column: line3.indexOf('expression') + 1,
      text: line3.trim(),
    });
  });

  it('reports a column re-added with a different default', () => {
    const m = byName(report, '0003_drop_legacy_flag');
    expect(m.outcome).toBe('not-restored');
    expect(m.differences).toEqual(['column users.legacy_flag: default false → true']);
    expect(m.fixture).toBe(join('.rehearse', '0003_drop_legacy_flag.sql'));
  });

  it('reports a down that forgets an index', () => {
    const m = byName(report, '0004_drop_created_idx');
    expect(m.outcome).toBe('not-restored');
    expect(m.differences).toEqual(['index users_created_idx: missing']);
  });

  it('reports a down that restores the schema but loses data, through the fixture rows', () => {
    const m = byName(report, '0005_display_name');
    expect(m.fixture).toBe(join('0005_display_name', 'rows.sql'));
    expect(m.differences).toEqual([]);
    expect(m.outcome).toBe('data-changed');
    expect(m.dataDifferences).toHaveLength(1);
    // Ada (from 0003's fixture, replayed on the rebuild) and the two rows of 0005's fixture.
    expect(m.dataDifferences[0]).toMatch(/^table users: 3 row\(s\) lost or changed, e\.g\. .*"last_name": "/);
  });

  it('passes a correct down', () => {
    expect(byName(report, '0006_create_tags')).toMatchObject({
      outcome: 'ok',
      differences: [],
      dataDifferences: [],
    });
  });

  it('reports a down that leaves data behind so the up cannot run again', () => {
    const m = byName(report, '0007_seed_featured_tag');
    expect(m.outcome).toBe('reapply-failed');
    expect(m.differences).toEqual([]);
    expect(m.error).toMatchObject({ step: 'up again', code: '23505' });
    expect(m.error?.message).toContain('duplicate key value violates unique constraint "tags_label_key"');
  });

  it('reverts the whole release at once and fails there too, newest first', () => {
    const r = report.releaseRevert;
    if (serverVersion >= 170000) {
      expect(r.outcome).toBe('not-restored');
      return;
    }
    expect(r.outcome).toBe('down-failed');
    expect(r.failed).toBe('0002_price_label');
    expect(r.reverted).toEqual([
      '0007_seed_featured_tag',
      '0006_create_tags',
      '0005_display_name',
      '0004_drop_created_idx',
      '0003_drop_legacy_flag',
    ]);
  });

  it('exits 3 with a verdict naming the broken downs', () => {
    expect(report.exitCode).toBe(3);
    expect(report.verdict).toMatch(/^rehearsal failed \((4|5) broken down\(s\)/);
  });

  it('renders a markdown table with one row per migration and the text report', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('### Rollback rehearsal: v2');
    expect(md).toContain('| migration | result | details |');
    for (const m of report.migrations) expect(md).toContain(`| \`${m.name}\` |`);
    expect(md).toContain('index users_created_idx: missing');
    expect(md.split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(6);
    const text = renderText(report);
    expect(text).toMatch(/^0004_drop_created_idx +not-restored$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe(report.verdict);
  });

  it('says where it wrote the cache', () => {
    expect(lines.at(-1)).toBe(
      `rehearsal cache written to ${join(work, 'broken-cache.json')} (--no-cache to skip it)`,
    );
  });

  it('caches only the migrations that rehearsed cleanly, and not the failed release', () => {
    const cache = JSON.parse(readFileSync(join(work, 'broken-cache.json'), 'utf8'));
    const expected =
      serverVersion >= 170000 ? ['0002_price_label', '0006_create_tags'] : ['0006_create_tags'];
    expect(Object.keys(cache.migrations).sort()).toEqual(expected);
    expect(cache.releases).toEqual({});
  });
});

describe('rehearse: irreversible migrations', () => {
  const dir = join(fixtures, 'irreversible');

  it('lists an irreversible migration without failing, and fails with requireReversible', async () => {
    const lenient = await rehearse({ dir, databaseUrl: adminUrl(), cacheFile: false });
    expect(lenient.migrations.map((m) => [m.name, m.outcome])).toEqual([
      ['0001_create_events', 'ok'],
      ['0002_backfill_kinds', 'irreversible'],
      ['0003_add_at', 'ok'],
      ['0004_add_note', 'ok'],
    ]);
    expect(lenient.releaseRevert.outcome).toBe('skipped');
    expect(lenient.releaseRevert.reason).toContain('irreversible 0002_backfill_kinds');
    expect(lenient.exitCode).toBe(0);
    expect(lenient.verdict).toBe('rehearsal passed: 3 ok, 1 irreversible');

    const strict = await rehearse({
      dir,
      databaseUrl: adminUrl(),
      cacheFile: false,
      requireReversible: true,
    });
    expect(strict.exitCode).toBe(3);
    expect(strict.verdict).toContain('1 irreversible migration(s) with --require-reversible');
  });
});

describe('rehearse: a fixture that cannot be loaded', () => {
  it('reports it, applies the migration without rehearsing it, goes on, and exits 1', async () => {
    const report = await rehearse({
      dir: join(fixtures, 'fixture-missing'),
      databaseUrl: adminUrl(),
      cacheFile: false,
    });
    expect(report.migrations.map((m) => [m.name, m.outcome])).toEqual([
      ['0001_items', 'fixture-failed'],
      ['0002_items_n', 'ok'],
    ]);
    expect(report.migrations[0]?.error).toEqual({
      step: 'fixture',
      message: 'stepback:rehearse-with names nowhere.sql, which does not exist (looked at nowhere.sql)',
    });
    expect(report.releaseRevert.outcome).toBe('ok');
    expect(report.exitCode).toBe(1);
    expect(report.verdict).toBe('rehearsal failed (1 fixture(s) failed to load): 1 ok, 1 fixture-failed');
  });
});

describe('rehearse --since a manifest file', () => {
  it('reads and validates the previous release manifest from disk', async () => {
    const dir = join(fixtures, 'fixture-missing');
    const manifestPath = join(work, 'v1.manifest.json');
    writeFileSync(manifestPath, JSON.stringify(await previousRelease(dir, ['0001_items'])));
    const report = await rehearse({ dir, since: manifestPath, databaseUrl: adminUrl(), cacheFile: false });
    expect(report.since).toEqual({ release: 'v1', migrations: 1, source: 'manifest' });
    expect(report.migrations.map((m) => [m.name, m.outcome])).toEqual([['0002_items_n', 'ok']]);
    expect(report.exitCode).toBe(0);

    writeFileSync(
      manifestPath,
      JSON.stringify({ format: 'stepback/manifest@9', release: 'v1', migrations: [] }),
    );
    await expect(
      rehearse({ dir, since: manifestPath, databaseUrl: adminUrl(), cacheFile: false }),
    ).rejects.toThrow(/invalid stepback manifest/);
  });
});
