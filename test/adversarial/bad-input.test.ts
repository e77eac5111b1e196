/**
 * Bad input refused at load time (exit 2, naming the file and where), before anything connects: a migration
 * that holds no statement, a NUL byte, text that is not UTF-8 (psql refuses it; decoding it would write
 * U+FFFD into the database). A section layout's empty down section stays its way of writing no down.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/migrate/sources.ts';
import { allowSlowProcesses, migrationsDir, runCli } from '../cli/cli.ts';

allowSlowProcesses();

async function problemsOf(dir: string): Promise<string[]> {
  return loadMigrations(dir).then(
    () => [],
    (e: { problems?: string[] }) => e.problems ?? [String(e)],
  );
}

describe('files that are not migrations are refused at load time', () => {
  it('empty and comment-only files, in both SQL layouts, up and down', async () => {
    const dir = migrationsDir({
      '0001_empty.up.sql': '',
      '0002_comments.up.sql': '-- nothing here\n/* really */\n;\n',
      '0003_folder/up.sql': 'create table t (id int);\n',
      '0003_folder/down.sql': '   \n',
    });
    const problems = await problemsOf(dir);
    for (const file of ['0001_empty.up.sql', '0002_comments.up.sql', '0003_folder/down.sql'])
      expect(problems).toContainEqual(expect.stringMatching(new RegExp(`${file}: holds no SQL statement`)));
  });

  it('an empty down section (dbmate) is no down, not an error', async () => {
    const dir = migrationsDir({
      '20240101000000_t.sql': '-- migrate:up\ncreate table t (id int);\n\n-- migrate:down\n',
    });
    const sources = await loadMigrations(dir);
    expect(sources.map((s) => s.name)).toEqual(['20240101000000_t']);
  });

  it('a NUL byte and invalid UTF-8: the file and the byte offset; the CLI exits 2 without connecting', async () => {
    const dir = migrationsDir({ '0003_ok.up.sql': 'select 1;\n' });
    writeFileSync(join(dir, '0001_nul.up.sql'), Buffer.from('select 1;\0\n'));
    // "select 'é'" with é's second byte missing: 0xC3 followed by a quote.
    writeFileSync(
      join(dir, '0002_latin.up.sql'),
      Buffer.from([...Buffer.from("select '"), 0xc3, 0x27, 0x3b]),
    );
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual(
      expect.stringMatching(/0001_nul\.up\.sql: holds a NUL byte at byte offset 9/),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/0002_latin\.up\.sql: is not valid UTF-8 \(byte offset 8\)/),
    );
    // No database at this address: the refusal comes first.
    const run = await runCli(['--dir', dir, 'up'], {
      env: { DATABASE_URL: 'postgres://u@127.0.0.1:1/none' },
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/NUL byte/);
    expect(run.stderr).not.toMatch(/cannot connect/);
  });

  it('valid UTF-8 holding U+FFFD itself is accepted', async () => {
    const dir = migrationsDir({ '0001_ok.up.sql': "select '\uFFFD';\n" });
    expect((await loadMigrations(dir)).map((s) => s.name)).toEqual(['0001_ok']);
  });
});
