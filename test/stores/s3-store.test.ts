import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError, UsageError } from '../../src/core/errors.ts';
import { ReleaseNotFoundError } from '../../src/core/manifest-store.ts';
import { manifestDigest } from '../../src/core/release-manifest.ts';
import { openStore } from '../../src/stores/registry.ts';
import { recordingClock, release } from './helpers.ts';
import { s3Client as client, memoryBucket, s3Error } from './s3-bucket.ts';

let bucket: ReturnType<typeof memoryBucket>;
beforeEach(() => {
  bucket = memoryBucket('releases-bucket');
});
afterEach(() => bucket.mock.restore());

describe('S3 store', () => {
  it('puts under PREFIX/<release>.json with a conditional write, gets and lists', async () => {
    const store = await openStore('s3://releases-bucket/app/prod', { s3: client() });
    const v1 = release('v1.0.0');
    expect(await store.put(v1)).toBe('created');
    await store.put(release('v1.10.0'));
    await store.put(release('v1.9.0'));
    bucket.objects.set('app/prod/nested/v0.json', '{}');
    bucket.objects.set('app/prod/README.txt', 'x');
    expect([...bucket.objects.keys()]).toContain('app/prod/v1.0.0.json');
    const put = bucket.mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'releases-bucket',
      Key: 'app/prod/v1.0.0.json',
      IfNoneMatch: '*',
      ContentType: 'application/json',
    });
    expect(await store.get('v1.0.0')).toEqual(v1);
    expect(await store.list()).toEqual(['v1.0.0', 'v1.9.0', 'v1.10.0']);
  });

  it('works without a prefix', async () => {
    const store = await openStore('s3://releases-bucket', { s3: client() });
    await store.put(release('v1'));
    expect([...bucket.objects.keys()]).toEqual(['v1.json']);
    expect(await store.list()).toEqual(['v1']);
  });

  it('same manifest again → unchanged (412 then compare); different → refused with both digests', async () => {
    const store = await openStore('s3://releases-bucket/p', { s3: client() });
    const a = release('v1');
    const b = release('v1', ['0001_users']);
    expect(await store.put(a)).toBe('created');
    expect(await store.put(JSON.parse(JSON.stringify(a)))).toBe('unchanged');
    const error = await store.put(b).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain(`stored ${manifestDigest(a)}, new ${manifestDigest(b)}`);
    expect(JSON.parse(String(bucket.objects.get('p/v1.json')))).toEqual(a);
  });

  it('concurrent puts: exactly one creates', async () => {
    const store = await openStore('s3://releases-bucket/p', { s3: client() });
    const results = await Promise.all([
      store.put(release('v1')),
      store.put(release('v1')),
      store.put(release('v1')),
    ]);
    expect(results.sort()).toEqual(['created', 'unchanged', 'unchanged']);
  });

  it('retries a 409 ConditionalRequestConflict through the injected sleep', async () => {
    const { clock, waits } = recordingClock();
    const store = await openStore('s3://releases-bucket/p', { s3: client(), clock });
    bucket.fail('put', s3Error('ConditionalRequestConflict', 409));
    expect(await store.put(release('v1'))).toBe('created');
    expect(waits).toHaveLength(1);
  });

  it('a missing release lists the nearby ones', async () => {
    const store = await openStore('s3://releases-bucket/p', { s3: client() });
    for (const r of ['v1', 'v2', 'v3', 'v5', 'v6', 'v7', 'v8']) await store.put(release(r));
    const error = (await store.get('v4').catch((e: unknown) => e)) as ReleaseNotFoundError;
    expect(error).toBeInstanceOf(ReleaseNotFoundError);
    expect(error.message).toBe('release v4 has no manifest in s3://releases-bucket/p');
    expect(error.hint).toBe('releases nearby: v1, v2, v3, v5, v6 (7 in all)');
  });

  it('access denied names the IAM action needed', async () => {
    const store = await openStore('s3://releases-bucket/p', { s3: client() });
    bucket.fail('put', s3Error('AccessDenied', 403));
    const putError = (await store.put(release('v1')).catch((e: unknown) => e)) as UsageError;
    expect(putError).toBeInstanceOf(UsageError);
    expect(putError.message).toBe('access denied to put s3://releases-bucket/p/v1.json');
    expect(putError.hint).toMatch(/s3:PutObject/);
    bucket.fail('get', s3Error('AccessDenied', 403));
    const getError = (await store.get('v1').catch((e: unknown) => e)) as UsageError;
    expect(getError.hint).toMatch(/s3:GetObject .*s3:ListBucket/);
    expect(getError.message).not.toMatch(/secret|AKIDTEST/);
  });

  it('validates what it reads', async () => {
    const store = await openStore('s3://releases-bucket/p', { s3: client() });
    bucket.objects.set('p/v1.json', JSON.stringify({ ...release('v1'), migrations: [{ name: 'x' }] }));
    await expect(store.get('v1')).rejects.toThrow(
      /invalid stepback manifest \(s3:\/\/releases-bucket\/p\/v1\.json\)/,
    );
  });
});
