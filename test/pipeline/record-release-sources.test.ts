/** record-release with the release's source bundle: stored before the manifest, named by it, immutable. */
import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../src/core/checksum.ts';
import { RefusedError } from '../../src/core/errors.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { MemoryStore, migration } from './fakes.ts';

const bytes = Buffer.from('{"format":"stepback/sources@1"}');
const sources = { bytes, digest: checksumOf(bytes) };
const options = {
  release: 'v1',
  migrations: [migration('0001_a'), migration('0002_b')],
  sources,
  now: new Date('2026-11-21T10:00:00Z'),
};

describe('recordRelease with a source bundle', () => {
  it('stores the bundle before the manifest, and the manifest names its digest', async () => {
    const store = new MemoryStore();
    const order: string[] = [];
    const put = store.put.bind(store);
    const putSources = store.putSources.bind(store);
    store.put = async (m) => {
      order.push('manifest');
      return put(m);
    };
    store.putSources = async (m, b) => {
      order.push('sources');
      return putSources(m, b);
    };
    const outcome = await recordRelease(options, { store }, memoryLog());
    expect(order).toEqual(['sources', 'manifest']);
    expect(outcome.sourceBundle).toBe(sources.digest);
    expect(store.manifests.get('v1')!.sourceBundle).toBe(sources.digest);
    expect(Buffer.from(store.bundles.get('v1')!).equals(bytes)).toBe(true);
  });

  it('a re-run after the bundle was lost stores it again beside the unchanged manifest', async () => {
    const store = new MemoryStore();
    await recordRelease(options, { store }, memoryLog());
    store.bundles.delete('v1');
    const again = await recordRelease(options, { store }, memoryLog());
    expect(again.result).toBe('unchanged');
    expect(Buffer.from(store.bundles.get('v1')!).equals(bytes)).toBe(true);
  });

  it('keeps a release recorded without a bundle as it was, and warns that its downs need its image', async () => {
    const store = new MemoryStore();
    const { sources: _none, ...withoutSources } = options;
    await recordRelease(withoutSources, { store }, memoryLog());
    const before = store.manifests.get('v1');
    const log = memoryLog();
    const again = await recordRelease(options, { store }, log);
    expect(again.result).toBe('unchanged');
    expect(store.manifests.get('v1')).toBe(before);
    expect(store.bundles.has('v1')).toBe(false);
    expect(log.text()).toMatch(/without a source bundle.*needs its image/);
  });

  it('refuses other files under a release recorded with a bundle', async () => {
    const store = new MemoryStore();
    await recordRelease(options, { store }, memoryLog());
    const other = Buffer.from('{"other":1}');
    const error = await recordRelease(
      { ...options, sources: { bytes: other, digest: checksumOf(other) } },
      { store },
      memoryLog(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as RefusedError).problems).toEqual(['sourceBundle differs']);
  });
});
