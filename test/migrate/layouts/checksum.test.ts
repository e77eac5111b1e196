import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fileChecksums } from '../../../src/core/checksum.ts';
import { loadMigrations, status, up } from '../../../src/migrate/index.ts';
import { migrationsDir } from '../../cli/cli.ts';
import { databasesForThisFile, withClient } from '../../support/pg.ts';

const freshDb = databasesForThisFile();
const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const lf = { up: 'create table t (x int);\n-- two\n', down: 'drop table t;\n' };
const crlf = { up: lf.up.replace(/\n/g, '\r\n'), down: lf.down.replace(/\n/g, '\r\n') };
const dirOf = (t: { up: string; down: string }) =>
  migrationsDir({ '0001_t.up.sql': t.up, '0001_t.down.sql': t.down });

describe('checksums read CRLF as LF', () => {
  it('a file without CR hashes as its bytes; with CRLF, as the LF text, keeping the exact-bytes hash too', () => {
    expect(fileChecksums(Buffer.from(lf.up))).toEqual({ checksum: sha(lf.up) });
    expect(fileChecksums(Buffer.from(crlf.up))).toEqual({
      checksum: sha(lf.up),
      exactChecksum: sha(crlf.up),
    });
    // A lone CR is not a line ending git rewrites: kept.
    expect(fileChecksums(Buffer.from('a\rb'))).toEqual({ checksum: sha('a\rb') });
  });

  it('a Windows checkout of migrations applied from an LF checkout is not drifted', async () => {
    const db = await freshDb('crlf_checkout');
    expect((await up({ databaseUrl: db.url, dir: dirOf(lf), env: {} })).ok).toBe(true);
    const windows = { databaseUrl: db.url, dir: dirOf(crlf), env: {} };
    expect((await status(windows)).drifted).toEqual([]);
    const again = await up(windows);
    expect(again.error).toBeNull();
  });

  it('a row an earlier version recorded from CRLF bytes still matches, for up and for down', async () => {
    const db = await freshDb('crlf_legacy');
    const dir = dirOf(crlf);
    const [source] = await loadMigrations(dir);
    expect(source!.checksum).toBe(sha(lf.up));
    expect((await up({ databaseUrl: db.url, dir, env: {} })).ok).toBe(true);
    // What the exact-bytes rule wrote.
    await withClient(db.url, (c) =>
      c.query('update stepback_migrations set checksum = $1, down_checksum = $2', [
        sha(crlf.up),
        sha(crlf.down),
      ]),
    );
    expect((await status({ databaseUrl: db.url, dir, env: {} })).drifted).toEqual([]);
    const { down } = await import('../../../src/migrate/index.ts');
    const reverted = await down({ databaseUrl: db.url, dir, to: '0', env: {} });
    expect(reverted.error).toBeNull();
    expect(reverted.reverted.map((r) => r.name)).toEqual(['0001_t']);
  });

  it('an edited file is still drifted', async () => {
    const db = await freshDb('crlf_edit');
    expect((await up({ databaseUrl: db.url, dir: dirOf(lf), env: {} })).ok).toBe(true);
    const edited = { up: crlf.up.replace('x int', 'x bigint'), down: crlf.down };
    const s = await status({ databaseUrl: db.url, dir: dirOf(edited), env: {} });
    expect(s.drifted.map((d) => d.name)).toEqual(['0001_t']);
  });
});
