/**
 * The contract every manifest store keeps, run against each of them the same way: the file store on disk,
 * the S3 store through the real S3Client, the GitHub release store over HTTP against the GitHub fake, and the
 * in-memory store the flow tests use (a fake that breaks the contract would make those tests lie). A new store
 * adds one entry to `stores` below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/core/checksum.ts';
import { RefusedError, UsageError } from '../../src/core/errors.ts';
import {
  type ManifestStore,
  ReleaseNotFoundError,
  SourceBundleNotFoundError,
} from '../../src/core/manifest-store.ts';
import { manifestDigest } from '../../src/core/release-manifest.ts';
import { openStore, STORE_KINDS } from '../../src/stores/registry.ts';
import { MemoryStore } from '../pipeline/fakes.ts';
import { type GitHubFake, startGitHubFake } from '../support/github-fake.ts';
import { recordingClock, release } from './helpers.ts';
import { memoryBucket, s3Client } from './s3-bucket.ts';

interface Harness {
  /** A new, empty store; or, given a store's location, that store opened again. */
  open(location?: string): Promise<ManifestStore>;
  close(): Promise<void>;
}

const TOKEN = 'ghs_contractToken';

const stores: Record<string, () => Promise<Harness>> = {
  file: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepback-contract-'));
    let n = 0;
    return {
      open: (location) => openStore(location ?? `file://${join(dir, `store-${++n}`)}`),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  s3: async () => {
    const bucket = memoryBucket('contract-bucket');
    let n = 0;
    return {
      open: (location) => openStore(location ?? `s3://contract-bucket/store-${++n}`, { s3: s3Client() }),
      close: async () => bucket.mock.restore(),
    };
  },
  'github-release': async () => {
    const gh: GitHubFake = await startGitHubFake({ token: TOKEN });
    let n = 0;
    return {
      open: (location) =>
        openStore(location ?? `github-release://org/app-${++n}`, {
          token: TOKEN,
          apiUrl: gh.url,
          clock: recordingClock().clock,
          env: {},
        }),
      close: () => gh.close(),
    };
  },
  memory: async () => {
    const opened = new Map<string, MemoryStore>();
    return {
      open: async (location) => {
        if (location) return opened.get(location)!;
        const store = new MemoryStore();
        opened.set(store.location, store);
        return store;
      },
      close: async () => {},
    };
  },
};

it('every registered store kind is under contract', () => {
  expect(STORE_KINDS.map((k) => k.scheme).filter((s) => !(s in stores))).toEqual([]);
});

describe.each(Object.keys(stores))('the %s store', (kind) => {
  let harness: Harness;
  let store: ManifestStore;
  beforeEach(async () => {
    harness = await stores[kind]!();
    store = await harness.open();
  });
  afterEach(() => harness.close());

  it('starts empty: lists nothing, and a get says that no release is recorded yet', async () => {
    expect(await store.list()).toEqual([]);
    const error = await store.get('v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseNotFoundError);
    expect((error as ReleaseNotFoundError).message).toBe(`release v1 has no manifest in ${store.location}`);
    expect((error as ReleaseNotFoundError).hint).toMatch(/holds no releases yet/);
  });

  it('gives back what was put, and lists releases in version order', async () => {
    const v1 = release('v1.9.0');
    expect(await store.put(v1)).toBe('created');
    expect(await store.put(release('v1.10.0', ['0001_users']))).toBe('created');
    expect(await store.put(release('v1.10.0-rc.1', ['0001_users']))).toBe('created');
    expect(await store.get('v1.9.0')).toEqual(v1);
    expect(await store.list()).toEqual(['v1.9.0', 'v1.10.0-rc.1', 'v1.10.0']);
  });

  it('the same manifest again is unchanged, whatever its key order', async () => {
    const v1 = release('v1');
    await store.put(v1);
    const reordered = Object.fromEntries(Object.entries(v1).reverse()) as typeof v1;
    expect(await store.put(reordered)).toBe('unchanged');
    expect(await store.list()).toEqual(['v1']);
  });

  it('refuses a different manifest under a recorded release, naming both digests, and keeps the first', async () => {
    const first = release('v1');
    const other = release('v1', ['0001_users']);
    await store.put(first);
    const error = await store.put(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain(
      `stored ${manifestDigest(first)}, new ${manifestDigest(other)}`,
    );
    expect(await store.get('v1')).toEqual(first);
  });

  it('of concurrent puts of one release exactly one creates', async () => {
    const results = await Promise.all([1, 2, 3].map(() => store.put(release('v1'))));
    expect(results.sort()).toEqual(['created', 'unchanged', 'unchanged']);
  });

  it('of concurrent puts of different manifests under one release one creates, the others are refused', async () => {
    const settled = await Promise.allSettled([
      store.put(release('v1')),
      store.put(release('v1', ['0009_other'])),
      store.put(release('v1', ['0008_other'])),
    ]);
    const created = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(created).toEqual(['created']);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(RefusedError);
    const winner = settled.findIndex((s) => s.status === 'fulfilled');
    expect((await store.get('v1')).migrations.map((m) => m.name)).toEqual(
      [['0001_users', '0002_orders'], ['0009_other'], ['0008_other']][winner],
    );
  });

  it('a missing release names the recorded releases nearest to it', async () => {
    for (const r of ['v1', 'v2', 'v3', 'v5', 'v6', 'v7', 'v8']) await store.put(release(r));
    const error = (await store.get('v4').catch((e: unknown) => e)) as ReleaseNotFoundError;
    expect(error).toBeInstanceOf(ReleaseNotFoundError);
    expect(error.release).toBe('v4');
    expect(error.hint).toBe('releases nearby: v1, v2, v3, v5, v6 (7 in all)');
  });

  it('refuses a release name that could escape it, before storing anything', async () => {
    await expect(store.put(release('../v1'))).rejects.toBeInstanceOf(UsageError);
    await expect(store.get('../v1')).rejects.toBeInstanceOf(UsageError);
    expect(await store.list()).toEqual([]);
  });

  it('refuses an invalid manifest and stores nothing', async () => {
    const bad = { ...release('v1'), migrations: [{ name: 'x' }] } as unknown as ReturnType<typeof release>;
    await expect(store.put(bad)).rejects.toThrow(/invalid stepback manifest/);
    expect(await store.list()).toEqual([]);
  });

  it('its location (no credentials) opens the same store again', async () => {
    await store.put(release('v1'));
    expect(store.location).toMatch(/^[a-z0-9-]+:\/\/[^@?#]+$/);
    expect(await (await harness.open(store.location)).get('v1')).toEqual(release('v1'));
  });

  describe('source bundles', () => {
    // Bytes that are not UTF-8 text, so a store that decodes and re-encodes them would change them.
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0xfe, 0x22, 0x7d]);
    const named = (r: string, b: Uint8Array) => ({ ...release(r), sourceBundle: checksumOf(b) });

    it('gives back the exact bytes put beside a release, before or after its manifest', async () => {
      expect(await store.putSources(named('v1', bytes), bytes)).toBe('created');
      expect(Buffer.from(await store.getSources('v1')).equals(bytes)).toBe(true);
      await store.put(named('v1', bytes));
      expect(Buffer.from(await store.getSources('v1')).equals(bytes)).toBe(true);
      // A bundle is no release of its own.
      expect(await store.list()).toEqual(['v1']);
    });

    it('the same bytes again are unchanged; different bytes under the release are refused and the first kept', async () => {
      await store.putSources(named('v1', bytes), bytes);
      expect(await store.putSources(named('v1', bytes), Buffer.from(bytes))).toBe('unchanged');
      const other = Buffer.from('{"other":true}');
      const error = await store.putSources(named('v1', other), other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RefusedError);
      expect((error as Error).message).toContain(`stored ${checksumOf(bytes)}, new ${checksumOf(other)}`);
      expect(Buffer.from(await store.getSources('v1')).equals(bytes)).toBe(true);
    });

    it('refuses bytes that are not the ones the manifest names, storing nothing', async () => {
      const error = await store.putSources(named('v1', bytes), Buffer.from('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      await expect(store.getSources('v1')).rejects.toBeInstanceOf(SourceBundleNotFoundError);
    });

    it('a release without a bundle is refused (exit 3), naming the release and the store', async () => {
      await store.put(release('v1'));
      const error = (await store.getSources('v1').catch((e: unknown) => e)) as SourceBundleNotFoundError;
      expect(error).toBeInstanceOf(SourceBundleNotFoundError);
      expect(error.exitCode).toBe(3);
      expect(error.message).toContain(`release v1 has no source bundle in ${store.location}`);
    });
  });
});
