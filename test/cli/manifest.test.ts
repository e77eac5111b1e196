import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/core/checksum.ts';
import { allowSlowProcesses, migrationsDir, runCli } from './cli.ts';

allowSlowProcesses();

const layouts = resolve(import.meta.dirname, '../fixtures/layouts/migrations');

describe('stepback manifest', () => {
  it('writes the stepback/manifest@2 document (engine stepback); SOURCE_DATE_EPOCH makes it byte-for-byte reproducible', async () => {
    const out1 = join(migrationsDir({}), 'm.json');
    const out2 = join(migrationsDir({}), 'm.json');
    const env = { SOURCE_DATE_EPOCH: '1790000000' };
    const a = await runCli(['--dir', layouts, 'manifest', '--release', 'v1.4.0', '--out', out1], { env });
    const b = await runCli(['--dir', layouts, 'manifest', '--out', out2], {
      env: { ...env, STEPBACK_RELEASE: 'v1.4.0' },
    });
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(out1, 'utf8');
    expect(readFileSync(out2, 'utf8')).toBe(text);
    const manifest = JSON.parse(text);
    expect(manifest).toMatchObject({
      format: 'stepback/manifest@2',
      engine: 'stepback',
      release: 'v1.4.0',
      createdAt: new Date(1790000000 * 1000).toISOString().replace('.000Z', 'Z'),
    });
    expect(manifest.migrations).toHaveLength(6);
    expect(manifest.migrations[0]).toEqual({
      name: '0001_users',
      checksum: checksumOf(readFileSync(join(layouts, '0001_users.up.sql'))),
      downChecksum: checksumOf(readFileSync(join(layouts, '0001_users.down.sql'))),
      reversible: true,
      transactional: true,
    });
    expect(manifest.migrations[4]).toMatchObject({ name: '0005_posts_title_idx', transactional: false });
  });

  it('prints to stdout without --out, and needs a release', async () => {
    const dir = migrationsDir({ '0001_a.up.sql': 'select 1' });
    const ok = await runCli(['--dir', dir, 'manifest', '--release', 'r', '--image', 'reg/app@sha256:abc']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      release: 'r',
      image: 'reg/app@sha256:abc',
      migrations: [{ name: '0001_a', reversible: false, downChecksum: null }],
    });
    const missing = await runCli(['--dir', dir, 'manifest']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --release/);
  });
});
