import { createHash } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { loadMigrations, manifestMigrations } from '../../src/migrate/index.ts';
import { countStatements, hasNoTransactionMarker } from '../../src/migrate/sql-text.ts';
import { migrationsDir } from '../cli/cli.ts';

const layouts = resolve(import.meta.dirname, '../fixtures/layouts/migrations');
const sha = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;

describe('loadMigrations', () => {
  it('reads all three layouts in name order with checksums of the file bytes', async () => {
    const sources = await loadMigrations(layouts);
    expect(sources.map((s) => [s.name, s.layout, s.transactional, s.reversible])).toEqual([
      ['0001_users', 'sql-files', true, true],
      ['0002_posts', 'sql-folder', true, true],
      ['0003_seed_posts', 'module', true, true],
      ['0004_tags', 'module', true, true],
      ['0005_posts_title_idx', 'sql-files', false, true],
      ['0006_audit', 'module', false, false],
    ]);
    const users = sources[0]!;
    expect(users.checksum).toBe(sha(join(layouts, '0001_users.up.sql')));
    expect(users.downChecksum).toBe(sha(join(layouts, '0001_users.down.sql')));
    expect(sources[1]!.checksum).toBe(sha(join(layouts, '0002_posts/up.sql')));
    expect(sources[2]!.checksum).toBe(sha(join(layouts, '0003_seed_posts.ts')));
    expect(sources[2]!.downChecksum).toBe(sources[2]!.checksum);
    expect(sources[5]!.downChecksum).toBeNull();
    expect(manifestMigrations(sources)[5]).toEqual({
      name: '0006_audit',
      checksum: sha(join(layouts, '0006_audit.js')),
      downChecksum: null,
      reversible: false,
      transactional: false,
    });
  });

  it('reports every problem of a bad directory in one usage error', async () => {
    const dir = migrationsDir({
      'create_users.up.sql': 'select 1',
      '0001_a.up.sql': 'select 1',
      '0001_b.up.sql': 'select 1',
      '0002_orphan.down.sql': 'select 1',
      '0003_mixed.up.sql': 'select 1',
      '0003_mixed/up.sql': 'select 1',
      '0004_plain.sql': 'select 1',
      '0005_many.up.sql': '-- stepback:no-transaction\ncreate index concurrently a on t (x); select 1;',
      '0006_noup.js': 'export const down = () => {};',
      '0007_unreadable.up.sql': 'select 1',
      'notes.yaml': 'x: 1',
    });
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(join(dir, '0007_unreadable.up.sql'), 0o000);
    const error = await loadMigrations(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const problems = (error as UsageError).problems.join('\n');
    expect((error as UsageError).exitCode).toBe(2);
    expect(problems).toMatch(/create_users\.up\.sql: name is not <id>_<name>/);
    expect(problems).toMatch(/duplicate id 0001: 0001_a, 0001_b/);
    expect(problems).toMatch(/0002_orphan\.down\.sql: a down without an up/);
    expect(problems).toMatch(/0003_mixed: defined more than once in different layouts/);
    expect(problems).toMatch(/0004_plain\.sql: SQL files must be named/);
    expect(problems).toMatch(/0005_many\.up\.sql: marked stepback:no-transaction but holds 2 statements/);
    expect(problems).toMatch(/0006_noup\.js: a migration module must export a function up/);
    expect(problems).toMatch(/notes\.yaml: not a migration/);
    if (!asRoot) expect(problems).toMatch(/0007_unreadable\.up\.sql: cannot read/);
  });

  it('reads files of any size whole, each apart from the one read before it', async () => {
    // Files are read through one reused buffer of 64 KiB that grows: exactly full, one byte over, several
    // times over, and a short file after a long one (whose bytes must not leak into it).
    // Each starts with a statement: a file of only comments is refused.
    const comment = (n: number) => `select 1;\n-- ${'x'.repeat(n - 14)}\n`;
    const files = {
      '0001_full.up.sql': comment(64 * 1024),
      '0002_over.up.sql': comment(64 * 1024 + 1),
      '0003_large.up.sql': `${comment(300 * 1024)}select 'é';\n`,
      '0004_short.up.sql': 'select 1;\n',
    };
    const dir = migrationsDir(files);
    const sources = await loadMigrations(dir);
    expect(sources.map((s) => [s.name, s.upSql])).toEqual(
      Object.entries(files).map(([file, text]) => [file.replace('.up.sql', ''), text]),
    );
    for (const s of sources) expect(s.checksum).toBe(sha(s.upPath));
  });

  it('a missing directory is a usage error naming it', async () => {
    await expect(loadMigrations('/nonexistent/stepback')).rejects.toThrow(
      /cannot read the migrations directory/,
    );
  });
});

describe('SQL text', () => {
  it.each([
    ['select 1', 1],
    ['select 1; select 2;', 2],
    ["select ';'; -- ; comment\n/* ; */ select 2", 2],
    ['create function f() returns int as $$ select 1; $$ language sql; select 1', 2],
    ["select E'\\';' ; ", 1],
    ['   ;  ; -- only comments', 0],
  ])('%j has %i statement(s)', (sql, n) => {
    expect(countStatements(sql)).toBe(n);
  });
  it.each([
    ['-- stepback:no-transaction\ncreate index concurrently i on t (x);', true],
    ['\n-- a comment\n--   stepback:no-transaction\nselect 1', true],
    ['select 1;\n-- stepback:no-transaction', false],
    ['create table t (x int);', false],
  ])('marker in %j: %s', (sql, expected) => {
    expect(hasNoTransactionMarker(sql)).toBe(expected);
  });
});
