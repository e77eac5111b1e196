import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { compareReleases, nearbyReleases } from '../../src/core/manifest-store.ts';
import { checkReleaseName } from '../../src/stores/common.ts';
import { FileStore } from '../../src/stores/file-store.ts';
import { GitHubReleaseStore } from '../../src/stores/github-release-store.ts';
import { openStore } from '../../src/stores/registry.ts';
import { S3Store } from '../../src/stores/s3-store.ts';

describe('openStore', () => {
  it('chooses the store by URL scheme', async () => {
    expect(await openStore('file:///tmp/stepback-x')).toBeInstanceOf(FileStore);
    expect((await openStore('file:///tmp/stepback-x')).location).toBe('file:///tmp/stepback-x');
    const s3 = await openStore('s3://my-bucket/releases/app/');
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.location).toBe('s3://my-bucket/releases/app');
    const gh = await openStore('github-release://org/app', { token: 't', env: {} });
    expect(gh).toBeInstanceOf(GitHubReleaseStore);
    expect(gh.location).toBe('github-release://org/app');
  });

  it.each([
    ['ftp://host/x', /unsupported manifest store URL: ftp:\/\/host\/x/],
    ['releases', /unsupported manifest store URL/],
    ['s3://Bad_Bucket/x', /not an S3 store URL/],
    ['github-release://org', /not a GitHub release store URL/],
    ['file://', /no directory/],
  ])('refuses %s', async (url, pattern) => {
    await expect(openStore(url)).rejects.toThrow(pattern);
    await expect(openStore(url)).rejects.toBeInstanceOf(UsageError);
  });

  it('never prints credentials embedded in a URL', async () => {
    await expect(openStore('https://user:hunter2@example.com/x?token=abc')).rejects.toThrow(
      /^unsupported manifest store URL: https:\/\/example\.com\/x$/,
    );
  });
});

describe('release names', () => {
  it.each(['../etc', 'a/b', '.hidden', '', 'v1..2', 'with space', 'a\\b', 'x'.repeat(201)])(
    'refuses %j',
    (name) => {
      expect(() => checkReleaseName(name)).toThrow(UsageError);
    },
  );
  it.each(['v1.4.0', '2026.11.21-1', 'release_7', 'v1.0.0+build.5'])('accepts %j', (name) => {
    expect(checkReleaseName(name)).toBe(name);
  });
});

describe('release ordering and nearby releases', () => {
  it('orders like versions', () => {
    const sorted = ['v1.10.0', 'v1.2.0', 'v1.9.1', 'v1.2.0-rc.1', 'v2.0.0', 'v1.9.0'].sort(compareReleases);
    expect(sorted).toEqual(['v1.2.0-rc.1', 'v1.2.0', 'v1.9.0', 'v1.9.1', 'v1.10.0', 'v2.0.0']);
  });

  it('names the releases just before and after the missing one', () => {
    const all = Array.from({ length: 20 }, (_, i) => `v1.${i}.0`);
    expect(nearbyReleases('v1.7.5', all)).toEqual(['v1.5.0', 'v1.6.0', 'v1.7.0', 'v1.8.0', 'v1.9.0']);
    expect(nearbyReleases('v0.1.0', all)).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0']);
    expect(nearbyReleases('v9.0.0', all)).toEqual(['v1.15.0', 'v1.16.0', 'v1.17.0', 'v1.18.0', 'v1.19.0']);
    expect(nearbyReleases('v1', ['v1.0.0'])).toEqual(['v1.0.0']);
  });
});
