import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError, UsageError } from '../../src/core/errors.ts';
import { ReleaseNotFoundError } from '../../src/core/manifest-store.ts';
import { manifestDigest } from '../../src/core/release-manifest.ts';
import { FileStore } from '../../src/stores/file-store.ts';
import { openStore } from '../../src/stores/registry.ts';
import { release } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepback-file-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('file store', () => {
  it('puts, gets and lists; creates the directory; leaves no temp files', async () => {
    const store = await openStore(`file://${join(dir, 'nested/releases')}`);
    const v1 = release('v1.0.0');
    expect(await store.put(v1)).toBe('created');
    expect(await store.put(release('v1.10.0', ['0001_users']))).toBe('created');
    expect(await store.put(release('v1.2.0', ['0001_users']))).toBe('created');
    expect(await store.get('v1.0.0')).toEqual(v1);
    expect(await store.list()).toEqual(['v1.0.0', 'v1.2.0', 'v1.10.0']);
    expect(readdirSync(join(dir, 'nested/releases')).sort()).toEqual([
      'v1.0.0.json',
      'v1.10.0.json',
      'v1.2.0.json',
    ]);
  });

  it('is idempotent for the same manifest, even written with other key order', async () => {
    const store = new FileStore(dir);
    const v1 = release('v1');
    await store.put(v1);
    const reordered = JSON.parse(
      JSON.stringify(
        v1,
        Object.keys(v1).reverse().concat('name', 'checksum', 'downChecksum', 'reversible', 'transactional'),
      ),
    );
    expect(await store.put(reordered)).toBe('unchanged');
  });

  it('refuses a different manifest under an existing release, naming both digests', async () => {
    const store = new FileStore(dir);
    const a = release('v1');
    const b = release('v1', ['0001_users', '0002_orders', '0003_more']);
    await store.put(a);
    const error = await store.put(b).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain(manifestDigest(a));
    expect((error as Error).message).toContain(manifestDigest(b));
    expect(JSON.parse(readFileSync(join(dir, 'v1.json'), 'utf8'))).toEqual(a);
  });

  it('concurrent puts of the same release: one created, the rest unchanged', async () => {
    const store = new FileStore(dir);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(release('v1'))));
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'unchanged')).toHaveLength(7);
    expect(readdirSync(dir)).toEqual(['v1.json']);
  });

  it('concurrent puts of different manifests: one created, the other refused', async () => {
    const store = new FileStore(dir);
    const settled = await Promise.allSettled([
      store.put(release('v1')),
      store.put(release('v1', ['0009_other'])),
    ]);
    expect(settled.filter((s) => s.status === 'fulfilled' && s.value === 'created')).toHaveLength(1);
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(RefusedError);
  });

  it('a missing release names the nearby ones', async () => {
    const store = new FileStore(dir);
    for (const r of ['v1.0.0', 'v1.1.0', 'v1.3.0', 'v2.0.0']) await store.put(release(r));
    const error = await store.get('v1.2.0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseNotFoundError);
    expect((error as ReleaseNotFoundError).message).toBe(`release v1.2.0 has no manifest in file://${dir}`);
    expect((error as ReleaseNotFoundError).hint).toBe('releases nearby: v1.0.0, v1.1.0, v1.3.0, v2.0.0');
  });

  it('an empty or missing directory says so', async () => {
    const store = new FileStore(join(dir, 'nope'));
    expect(await store.list()).toEqual([]);
    await expect(store.get('v1')).rejects.toThrow(/has no manifest/);
    expect(((await store.get('v1').catch((e: unknown) => e)) as ReleaseNotFoundError).hint).toMatch(
      /holds no releases yet/,
    );
  });

  it('release names cannot escape the directory', async () => {
    const store = new FileStore(join(dir, 'inner'));
    await expect(store.get('../outside')).rejects.toBeInstanceOf(UsageError);
    await expect(store.get('../outside')).rejects.toThrow(/cannot be stored/);
    // The manifest's own schema refuses the name first (the one rule, core/names.ts).
    await expect(store.put({ ...release('v1'), release: '../../x' })).rejects.toMatchObject({
      problems: [expect.stringMatching(/^release: "\.\.\/\.\.\/x" is not a release name/)],
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('validates what it reads: corrupt JSON, a bad manifest, a renamed file', async () => {
    const store = new FileStore(dir);
    writeFileSync(join(dir, 'broken.json'), '{');
    await expect(store.get('broken')).rejects.toThrow(/broken\.json is not valid JSON/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...release('bad'), format: 'x' }));
    await expect(store.get('bad')).rejects.toThrow(/invalid stepback manifest \(.*bad\.json\)/);
    writeFileSync(join(dir, 'v9.json'), JSON.stringify(release('v1')));
    await expect(store.get('v9')).rejects.toThrow(/holds the manifest of release v1, not v9/);
  });
});

describe('file store put validation', () => {
  it('refuses to store an invalid manifest, writing nothing', async () => {
    const store = new FileStore(dir);
    const bad = { ...release('v1'), migrations: [{ ...release('v1').migrations[0]!, checksum: 'nope' }] };
    await expect(store.put(bad)).rejects.toMatchObject({
      problems: [expect.stringMatching(/^migrations\[0\]\.checksum: /)],
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});
