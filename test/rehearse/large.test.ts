import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearse } from '../../src/rehearse/index.ts';
import { adminUrl } from '../support/pg.ts';

/**
 * 100 generated migrations of four kinds (tables, columns with checks and indexes, enums with functions,
 * views), in both SQL layouts, whose downs are all correct.
 */
function generate(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    const id = String(i).padStart(4, '0');
    const table = `t_${i - ((i - 1) % 4)}`; // the table created by this group's first migration
    let up: string;
    let down: string;
    switch (i % 4) {
      case 1:
        up = `create table ${table} (id serial primary key, v text not null default 'x', at timestamptz default now());`;
        down = `drop table ${table};`;
        break;
      case 2:
        up = `alter table ${table} add column c_${i} integer check (c_${i} > 0);\ncreate index ${table}_c_${i}_idx on ${table} (c_${i});`;
        down = `drop index ${table}_c_${i}_idx;\nalter table ${table} drop column c_${i};`;
        break;
      case 3:
        up = `create type e_${i} as enum ('a', 'b', 'c');\ncreate function f_${i}(x integer) returns integer language sql immutable as $$ select x + ${i} $$;`;
        down = `drop function f_${i}(integer);\ndrop type e_${i};`;
        break;
      default:
        up = `create view v_${i} as select id, v from ${table} where v <> '';`;
        down = `drop view v_${i};`;
    }
    const name = `${id}_step_${i}`;
    if (i % 2 === 0) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'up.sql'), `${up}\n`);
      writeFileSync(join(dir, name, 'down.sql'), `${down}\n`);
    } else {
      writeFileSync(join(dir, `${name}.up.sql`), `${up}\n`);
      writeFileSync(join(dir, `${name}.down.sql`), `${down}\n`);
    }
  }
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'stepback-rehearse-large-'));
  generate(join(work, 'migrations'), 100);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('rehearse: a large release', () => {
  it('round-trips 100 migrations clean, then skips them by checksum on the next run', async () => {
    const cacheFile = join(work, 'cache', 'rehearsed.json');
    const first = await rehearse({
      dir: 'migrations',
      cwd: work,
      databaseUrl: adminUrl(),
      release: 'v1',
      cacheFile,
    });
    expect(first.counts.ok).toBe(100);
    expect(first.migrations.every((m) => m.outcome === 'ok')).toBe(true);
    expect(first.releaseRevert).toMatchObject({ outcome: 'ok', differences: [] });
    expect(first.releaseRevert.reverted).toHaveLength(100);
    expect(first.releaseRevert.reverted[0]).toBe('0100_step_100');
    expect(first.exitCode).toBe(0);
    expect(first.verdict).toBe('rehearsal passed: 100 ok');

    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(Object.keys(cache.migrations)).toHaveLength(100);
    expect(cache.releases.v1.migrations).toHaveLength(100);

    // Same files again: the per-migration loop is skipped, the whole-release revert still runs.
    const second = await rehearse({
      dir: 'migrations',
      cwd: work,
      databaseUrl: adminUrl(),
      release: 'v1',
      cacheFile,
    });
    expect(second.counts.skipped).toBe(100);
    expect(second.migrations[0]?.note).toBe('rehearsed before (release v1) with the same checksums');
    expect(second.releaseRevert.outcome).toBe('ok');
    expect(second.exitCode).toBe(0);

    // A changed down is rehearsed again.
    const copy = join(work, 'changed');
    cpSync(join(work, 'migrations'), copy, { recursive: true });
    writeFileSync(join(copy, '0050_step_50', 'down.sql'), 'alter table t_49 drop column c_50;\n');
    const third = await rehearse({ dir: copy, databaseUrl: adminUrl(), release: 'v1-fix', cacheFile });
    expect(third.counts.skipped).toBe(99);
    const changed = third.migrations.find((m) => m.name === '0050_step_50');
    // Dropping the column drops its index too, so the schema is restored: the changed down is fine.
    expect(changed?.outcome).toBe('ok');
    // A few seconds on an idle machine; the generous limit is for a 2-core machine shared by parallel suites.
  }, 300_000);

  it('starts from a release an earlier rehearsal remembered', async () => {
    const cacheFile = join(work, 'cache2.json');
    const dir = join(work, 'two-releases');
    generate(dir, 8);
    const v1Dir = join(work, 'v1-only');
    generate(v1Dir, 4);
    const v1 = await rehearse({ dir: v1Dir, databaseUrl: adminUrl(), release: 'v1', cacheFile });
    expect(v1.exitCode).toBe(0);
    const v2 = await rehearse({ dir, databaseUrl: adminUrl(), release: 'v2', since: 'v1', cacheFile });
    expect(v2.since).toEqual({ release: 'v1', migrations: 4, source: 'cache' });
    expect(v2.migrations.map((m) => [m.name, m.outcome])).toEqual([
      ['0005_step_5', 'ok'],
      ['0006_step_6', 'ok'],
      ['0007_step_7', 'ok'],
      ['0008_step_8', 'ok'],
    ]);
    expect(v2.exitCode).toBe(0);
    const again = await rehearse({ dir, databaseUrl: adminUrl(), since: 'v1', cacheFile });
    expect(again.counts).toMatchObject({ skipped: 4, ok: 0 });
    const all = await rehearse({ dir, databaseUrl: adminUrl(), since: 'v1', cacheFile, all: true });
    expect(all.counts).toMatchObject({ skipped: 0, ok: 4 });
    await expect(rehearse({ dir, databaseUrl: adminUrl(), since: 'v9', cacheFile })).rejects.toThrow(
      '--since v9: no such manifest file, and no earlier rehearsal of a release by that name',
    );
  });
});
