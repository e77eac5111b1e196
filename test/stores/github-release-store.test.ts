import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefusedError, type UsageError } from '../../src/core/errors.ts';
import { type ManifestStore, ReleaseNotFoundError } from '../../src/core/manifest-store.ts';
import { manifestDigest } from '../../src/core/release-manifest.ts';
import { MANIFEST_ASSET } from '../../src/stores/github-release-store.ts';
import { openStore } from '../../src/stores/registry.ts';
import { type GitHubFake, startGitHubFake } from '../support/github-fake.ts';
import { recordingClock, release } from './helpers.ts';

const TOKEN = 'ghs_secretTokenValue123';
let gh: GitHubFake;
let waits: number[];
let store: ManifestStore;
const NOW = new Date('2026-11-21T12:00:00Z');

async function open(options: { token?: string } = {}): Promise<ManifestStore> {
  const rec = recordingClock(NOW);
  waits = rec.waits;
  return openStore('github-release://org/app', {
    token: 'token' in options ? options.token : TOKEN,
    apiUrl: gh.url,
    clock: rec.clock,
    env: {},
  });
}

beforeEach(async () => {
  gh = await startGitHubFake({ token: TOKEN, now: () => NOW });
  store = await open();
});
afterEach(() => gh.close());

async function failure(p: Promise<unknown>): Promise<UsageError> {
  const error = await p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(String((error as Error).message)).not.toContain(TOKEN);
  expect(String((error as UsageError).hint ?? '')).not.toContain(TOKEN);
  return error as UsageError;
}

describe('GitHub release store', () => {
  it('put creates the release at the source commit and uploads the manifest asset; get and list read it', async () => {
    const v1 = { ...release('v1.0.0'), source: { repository: 'org/app', commit: 'c'.repeat(40) } };
    expect(await store.put(v1)).toBe('created');
    const created = gh.state.release('org/app', 'v1.0.0')!;
    expect(created.target_commitish).toBe('c'.repeat(40));
    expect(created.assets.map((a) => a.name)).toEqual([MANIFEST_ASSET]);
    expect(JSON.parse(created.assets[0]!.text())).toEqual(v1);
    expect(gh.state.requests.every((r) => r.authorized || r.path.startsWith('/download/'))).toBe(true);
    expect(await store.get('v1.0.0')).toEqual(v1);
    expect(await store.list()).toEqual(['v1.0.0']);
  });

  it('adds the asset to a release that already exists (tagged by hand)', async () => {
    gh.state.addRelease('org/app', 'v2', { 'notes.txt': 'hello' });
    expect(await store.put(release('v2'))).toBe('created');
    expect(gh.state.releases).toHaveLength(1);
    expect(gh.state.release('org/app', 'v2')!.assets.map((a) => a.name)).toEqual([
      'notes.txt',
      MANIFEST_ASSET,
    ]);
  });

  it('is idempotent for the same manifest and refuses a different one with both digests', async () => {
    const a = release('v1');
    const b = release('v1', ['0001_users']);
    await store.put(a);
    expect(await store.put(JSON.parse(JSON.stringify(a)))).toBe('unchanged');
    const error = await failure(store.put(b));
    expect(error).toBeInstanceOf(RefusedError);
    expect(error.message).toContain(`stored ${manifestDigest(a)}, new ${manifestDigest(b)}`);
    expect(gh.state.release('org/app', 'v1')!.assets).toHaveLength(1);
  });

  it('concurrent puts of the same release: one created, one unchanged, one release, one asset', async () => {
    const other = await open();
    const results = await Promise.all([store.put(release('v1')), other.put(release('v1'))]);
    expect(results.sort()).toEqual(['created', 'unchanged']);
    expect(gh.state.releases).toHaveLength(1);
    expect(gh.state.releases[0]!.assets).toHaveLength(1);
  });

  it('concurrent puts of different manifests: one created, the other refused', async () => {
    const other = await open();
    const settled = await Promise.allSettled([
      store.put(release('v1')),
      other.put(release('v1', ['0009_x'])),
    ]);
    expect(
      settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<string>).value),
    ).toEqual(['created']);
    expect((settled.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      RefusedError,
    );
  });

  it('a missing release names the nearby ones; a release without the asset says so', async () => {
    for (const tag of ['v1.0.0', 'v1.1.0', 'v1.3.0']) await store.put(release(tag));
    gh.state.addRelease('org/app', 'v1.2.0');
    gh.state.addRelease('other/repo', 'v1.2.5', { [MANIFEST_ASSET]: JSON.stringify(release('v1.2.5')) });
    const missing = await failure(store.get('v1.2.5'));
    expect(missing).toBeInstanceOf(ReleaseNotFoundError);
    expect(missing.message).toBe('release v1.2.5 has no manifest in github-release://org/app');
    expect(missing.hint).toBe('releases nearby: v1.0.0, v1.1.0, v1.3.0');
    const bare = await failure(store.get('v1.2.0'));
    expect(bare.message).toMatch(
      /the GitHub release v1\.2\.0 exists but has no stepback-manifest\.json asset/,
    );
  });

  it('lists across pages and skips releases without a manifest', async () => {
    await gh.close();
    gh = await startGitHubFake({ token: TOKEN, defaultPerPage: 2 });
    store = await open();
    for (let i = 0; i < 5; i++) await store.put(release(`v1.${i}.0`));
    gh.state.addRelease('org/app', 'v0.9.0');
    expect(await store.list()).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0']);
    // The store asks for 100 a page; the fake's default only applies when per_page is absent.
    expect(
      gh.state.requests.filter((r) => r.path === '/repos/org/app/releases' && r.method === 'GET').length,
    ).toBe(1);
  });

  it('a bad token: 401 with the permission needed, never the token', async () => {
    const bad = await open({ token: 'ghs_wrong' });
    const error = await failure(bad.get('v1'));
    expect(error.message).toMatch(/GitHub rejected the token .* HTTP 401 \(Bad credentials\)/);
    expect(error.hint).toMatch(/`contents: read`/);
    expect(error.message).not.toContain('ghs_wrong');
  });

  it('403 permission on put names contents: write; on get names contents: read', async () => {
    gh.fault('forbidden', 1, '/releases');
    const put = await failure(store.put(release('v1')));
    expect(put.message).toMatch(
      /permission denied to read the GitHub release v1 in org\/app: HTTP 403 \(Resource not accessible by integration\)/,
    );
    expect(put.hint).toMatch(/`contents: write`/);
    await store.put(release('v1'));
    gh.fault('forbidden', 1, '/releases/assets/');
    const get = await failure(store.get('v1'));
    expect(get.message).toMatch(/permission denied to download/);
    expect(get.hint).toMatch(/`contents: read`/);
  });

  it('put without any token is a usage error before any request', async () => {
    const anonymous = await open({ token: undefined });
    const error = await failure(anonymous.put(release('v1')));
    expect(error.message).toMatch(/no GitHub token/);
    expect(error.hint).toMatch(/contents: write/);
    expect(gh.state.requests).toHaveLength(0);
  });

  it('retries the primary rate limit until the reset, through the injected sleep', async () => {
    gh.fault('rate-limit', 2);
    expect(await store.put(release('v1'))).toBe('created');
    // x-ratelimit-reset is 30 s after the shared clock: wait until then, plus a second of slack.
    expect(waits).toEqual([31_000, 31_000]);
    expect(gh.state.requests.filter((r) => r.status === 403)).toHaveLength(2);
  });

  it('a rate limit that resets too far ahead fails at once, saying when it resets', async () => {
    await gh.close();
    gh = await startGitHubFake({ token: TOKEN, now: () => NOW, rateLimitResetSeconds: 3600 });
    store = await open();
    gh.fault('rate-limit', 1);
    const error = await failure(store.get('v1'));
    expect(error.message).toBe(
      'GitHub API rate limit exceeded (get github-release://org/app, 1 attempts); it resets at 2026-11-21T13:00:00.000Z',
    );
    expect(waits).toEqual([]);
  });

  it.each([
    ['secondary-rate-limit', 1000],
    ['too-many-requests', 1000],
    ['server-error', 1000],
  ] as const)('retries %s with the advised wait', async (kind, wait) => {
    gh.fault(kind, 1);
    expect(await store.put(release('v1'))).toBe('created');
    expect(waits).toEqual([wait]);
  });

  it('gives up after a bounded number of retries with a clear message', async () => {
    gh.fault('secondary-rate-limit', 10);
    const error = await failure(store.get('v1'));
    expect(error.message).toBe('GitHub API rate limit exceeded (get github-release://org/app, 4 attempts)');
    expect(waits).toEqual([1000, 1000, 1000]);
  });

  it('server errors that persist end in a clear error after bounded retries', async () => {
    gh.fault('server-error', 10);
    const error = await failure(store.list());
    expect(error.message).toBe(
      'GitHub API kept failing with HTTP 500 (list github-release://org/app, 4 attempts)',
    );
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it('a repository the token cannot see: get says so instead of listing nothing', async () => {
    gh.fault('not-found', 2);
    const error = await failure(store.get('v1'));
    expect(error.message).toBe(
      'cannot list releases: org/app not found or not visible to the token (HTTP 404)',
    );
    expect(error.hint).toMatch(/`contents: read`/);
  });

  it('reads GITHUB_TOKEN and GITHUB_API_URL from the environment', async () => {
    const fromEnv = await openStore('github-release://org/app', {
      env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `${gh.url}/` },
    });
    expect(await fromEnv.put(release('v1'))).toBe('created');
    expect(await fromEnv.list()).toEqual(['v1']);
  });
});

describe('the GitHub fake with real octokit', () => {
  it('serves the releases and assets endpoints octokit calls', async () => {
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(TOKEN, { baseUrl: gh.url });
    const created = await octokit.rest.repos.createRelease({ owner: 'org', repo: 'app', tag_name: 'v7' });
    expect(created.status).toBe(201);
    const uploaded = await octokit.rest.repos.uploadReleaseAsset({
      owner: 'org',
      repo: 'app',
      release_id: created.data.id,
      name: 'x.json',
      data: '{"a":1}',
      url: created.data.upload_url,
      headers: { 'content-type': 'application/json' },
    });
    expect(uploaded.status).toBe(201);
    const byTag = await octokit.rest.repos.getReleaseByTag({ owner: 'org', repo: 'app', tag: 'v7' });
    expect(byTag.data.assets.map((a) => a.name)).toEqual(['x.json']);
    const asset = await octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      owner: 'org',
      repo: 'app',
      asset_id: uploaded.data.id,
      headers: { accept: 'application/octet-stream' },
    });
    expect(Buffer.from(asset.data as unknown as ArrayBuffer).toString()).toBe('{"a":1}');
    const all = await octokit.paginate(octokit.rest.repos.listReleases, {
      owner: 'org',
      repo: 'app',
      per_page: 1,
    });
    expect(all.map((r) => r.tag_name)).toEqual(['v7']);
    gh.fault('not-found');
    await expect(
      octokit.rest.repos.getReleaseByTag({ owner: 'org', repo: 'app', tag: 'v7' }),
    ).rejects.toMatchObject({
      status: 404,
    });
    const denied = getOctokit('wrong', { baseUrl: gh.url });
    await expect(denied.rest.repos.listReleases({ owner: 'org', repo: 'app' })).rejects.toMatchObject({
      status: 401,
    });
  });
});
