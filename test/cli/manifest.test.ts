import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/core/checksum.ts';
import { sourceBundleDigest } from '../../src/core/source-bundle.ts';
import { loadReleaseSources } from '../../src/pipeline/local/sources.ts';
import { releaseSourcesFromStore } from '../../src/pipeline/release-sources.ts';
import { FileStore } from '../../src/stores/file-store.ts';
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

  it('--sources-out writes the source bundle whose digest the manifest records, the bundle record-release stores, which a store then serves', async () => {
    const work = migrationsDir({});
    const [out, bundle, plain] = ['m.json', 's.json', 'plain.json'].map((f) => join(work, f)) as [
      string,
      string,
      string,
    ];
    const env = { SOURCE_DATE_EPOCH: '1790000000' };
    const r = await runCli(
      ['--dir', layouts, 'manifest', '--release', 'v2', '--out', out, '--sources-out', bundle],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*s\.json: the source bundle of v2 \(sha256:[0-9a-f]{64}, \d+ bytes\)/);
    const manifest = JSON.parse(readFileSync(out, 'utf8'));
    const bytes = readFileSync(bundle);
    expect(manifest.sourceBundle).toBe(sourceBundleDigest(bytes));
    // Byte for byte what record-release stores for the same directory and release.
    expect(bytes.equals(Buffer.from((await loadReleaseSources(layouts, 'v2')).sources.bytes))).toBe(true);
    // The same migration entries as without it, which adds only the digest.
    const without = await runCli(['--dir', layouts, 'manifest', '--release', 'v2', '--out', plain], { env });
    expect(without.code, without.stderr).toBe(0);
    const { sourceBundle: _digest, ...rest } = manifest;
    expect(JSON.parse(readFileSync(plain, 'utf8'))).toEqual(rest);

    // Stored beside its manifest as a file store keeps them, it passes every proof a rollback makes.
    const storeDir = join(work, 'store');
    mkdirSync(join(storeDir, 'sources'), { recursive: true });
    copyFileSync(out, join(storeDir, 'v2.json'));
    copyFileSync(bundle, join(storeDir, 'sources', 'v2.json'));
    const stored = await releaseSourcesFromStore(new FileStore(storeDir), 'v2');
    expect(stored.sources.map((m) => m.name)).toEqual(['0001_users', '0002_posts', '0005_posts_title_idx']);
    expect(stored.needsImage).toEqual(['0003_seed_posts', '0004_tags', '0006_audit']);
  });

  it('--sources-out refuses, writing nothing, a missing directory, the --out file, and a code engine', async () => {
    const work = migrationsDir({});
    const out = join(work, 'm.json');
    const missing = await runCli([
      '--dir',
      layouts,
      'manifest',
      '--release',
      'v2',
      '--out',
      out,
      '--sources-out',
      join(work, 'nope', 's.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--sources-out .*nope\/s\.json: the directory .*nope does not exist/);
    expect(existsSync(out)).toBe(false);

    const same = await runCli([
      '--dir',
      layouts,
      'manifest',
      '--release',
      'v2',
      '--out',
      out,
      '--sources-out',
      out,
    ]);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--out and --sources-out name the same file/);
    expect(existsSync(out)).toBe(false);

    const bundle = join(work, 's.json');
    const django = await runCli([
      '--engine',
      'django',
      '--dir',
      layouts,
      'manifest',
      '--release',
      'v2',
      '--sources-out',
      bundle,
    ]);
    expect(django.code).toBe(2);
    expect(django.stderr).toMatch(/--sources-out: the django engine's migrations are code/);
    expect(existsSync(bundle)).toBe(false);
  });
});
