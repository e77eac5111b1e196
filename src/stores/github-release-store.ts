/**
 * `github-release://OWNER/REPO`: the manifest is the asset `stepback-manifest.json` on the GitHub release whose
 * tag is the release name, its source bundle the asset `stepback-sources.json` beside it (release assets do not expire, unlike Actions artifacts). Plain fetch against the
 * REST API keeps the bundles small; GitHub Enterprise works through GITHUB_API_URL.
 *
 * Rate limits (403/429 with `x-ratelimit-remaining: 0` or `retry-after`) and 5xx replies are retried a few
 * times with a bounded back-off through the injected sleep; 401/403 say which token permission is missing.
 */
import type { Clock } from '../core/clock.ts';
import { StepbackError, UsageError } from '../core/errors.ts';
import {
  compareReleases,
  type ManifestStore,
  ReleaseNotFoundError,
  SourceBundleNotFoundError,
} from '../core/manifest-store.ts';
import { redactSecrets } from '../core/redact.ts';
import type { Manifest } from '../core/release-manifest.ts';
import { systemClock } from '../system/clock.ts';
import {
  checkReleaseName,
  compareExisting,
  compareExistingSources,
  manifestToStore,
  printable,
  readStoredManifest,
  type StoreDeps,
  sourcesToStore,
} from './common.ts';

export const MANIFEST_ASSET = 'stepback-manifest.json';
export const SOURCES_ASSET = 'stepback-sources.json';
/** Retries after the first attempt, for rate limits and server errors. */
const MAX_RETRIES = 3;
/** Never wait longer than this for one retry; a limit that resets later fails with the reset time instead. */
const MAX_WAIT_MS = 60_000;
const MAX_LIST_PAGES = 50;

type Op = 'put' | 'get' | 'list';

interface GitHubAsset {
  id: number;
  name: string;
}
interface GitHubRelease {
  id: number;
  tag_name: string;
  draft?: boolean;
  upload_url: string;
  assets?: GitHubAsset[];
}

export class GitHubReleaseStore implements ManifestStore {
  readonly location: string;
  private readonly api: string;
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;

  constructor(
    private readonly owner: string,
    private readonly repo: string,
    private readonly token: string | undefined,
    deps: StoreDeps & { apiUrl: string },
  ) {
    this.location = `github-release://${owner}/${repo}`;
    this.api = deps.apiUrl.replace(/\/+$/, '');
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.clock = deps.clock ?? systemClock;
  }

  static fromUrl(url: string, deps: StoreDeps = {}): GitHubReleaseStore {
    const match = /^github-release:\/\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})\/?$/.exec(
      url,
    );
    if (!match)
      throw new UsageError(`not a GitHub release store URL: ${printable(url)}`, {
        hint: 'use github-release://OWNER/REPO',
      });
    const env = deps.env ?? process.env;
    const token = deps.token ?? (env.GITHUB_TOKEN || undefined);
    const apiUrl = deps.apiUrl ?? (env.GITHUB_API_URL || 'https://api.github.com');
    return new GitHubReleaseStore(match[1]!, match[2]!, token, { ...deps, apiUrl });
  }

  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    const manifest = await manifestToStore(input);
    const tag = checkReleaseName(manifest.release);
    if (!this.token)
      throw new UsageError(`cannot record release ${tag} in ${this.location}: no GitHub token`, {
        hint: 'set GITHUB_TOKEN to a token with `contents: write` on the repository (in a workflow: permissions: contents: write)',
      });
    let release = (await this.releaseByTag(tag, 'put')) ?? (await this.createRelease(manifest));
    const existing = release.assets?.find((a) => a.name === MANIFEST_ASSET);
    if (existing) return compareExisting(await this.download(existing, tag, 'put'), manifest, this.location);

    const uploadUrl = `${release.upload_url.replace(/\{[^}]*\}$/, '')}?name=${encodeURIComponent(MANIFEST_ASSET)}`;
    const body = `${JSON.stringify(manifest, null, 2)}\n`;
    const res = await this.request('POST', uploadUrl, 'put', { body, contentType: 'application/json' });
    if (res.status === 201 || res.status === 200) return 'created';
    if (res.status === 422) {
      // Another run uploaded the asset between our read and our upload: compare with what won.
      release = (await this.releaseByTag(tag, 'put')) ?? release;
      const winner = release.assets?.find((a) => a.name === MANIFEST_ASSET);
      if (winner) return compareExisting(await this.download(winner, tag, 'put'), manifest, this.location);
    }
    throw await this.unexpected(res, 'put', `upload ${MANIFEST_ASSET} to release ${tag}`);
  }

  async putSources(manifest: Manifest, bytes: Uint8Array): Promise<'created' | 'unchanged'> {
    sourcesToStore(manifest, bytes);
    const tag = manifest.release;
    if (!this.token)
      throw new UsageError(`cannot store the source bundle of ${tag} in ${this.location}: no GitHub token`, {
        hint: 'set GITHUB_TOKEN to a token with `contents: write` on the repository (in a workflow: permissions: contents: write)',
      });
    const compare = async (asset: GitHubAsset) =>
      compareExistingSources(
        await this.downloadBytes(asset, tag, 'put', SOURCES_ASSET),
        bytes,
        tag,
        this.location,
      );
    let release = (await this.releaseByTag(tag, 'put')) ?? (await this.createRelease(manifest));
    const existing = release.assets?.find((a) => a.name === SOURCES_ASSET);
    if (existing) return compare(existing);
    const uploadUrl = `${release.upload_url.replace(/\{[^}]*\}$/, '')}?name=${encodeURIComponent(SOURCES_ASSET)}`;
    const res = await this.request('POST', uploadUrl, 'put', {
      body: bytes,
      contentType: 'application/json',
    });
    if (res.status === 201 || res.status === 200) {
      await res.body?.cancel();
      return 'created';
    }
    if (res.status === 422) {
      release = (await this.releaseByTag(tag, 'put')) ?? release;
      const winner = release.assets?.find((a) => a.name === SOURCES_ASSET);
      if (winner) return compare(winner);
    }
    throw await this.unexpected(res, 'put', `upload ${SOURCES_ASSET} to release ${tag}`);
  }

  async getSources(release: string): Promise<Uint8Array> {
    const tag = checkReleaseName(release);
    const found = await this.releaseByTag(tag, 'get');
    const asset = found?.assets?.find((a) => a.name === SOURCES_ASSET);
    if (!asset)
      throw new SourceBundleNotFoundError(
        release,
        this.location,
        found ? `the asset ${SOURCES_ASSET}` : `the GitHub release ${tag}`,
      );
    return this.downloadBytes(asset, tag, 'get', SOURCES_ASSET);
  }

  async get(release: string): Promise<Manifest> {
    const tag = checkReleaseName(release);
    const found = await this.releaseByTag(tag, 'get');
    const asset = found?.assets?.find((a) => a.name === MANIFEST_ASSET);
    if (!found || !asset)
      throw new ReleaseNotFoundError(
        release,
        this.location,
        await this.list(),
        found ? `the GitHub release ${tag} exists but has no ${MANIFEST_ASSET} asset` : undefined,
      );
    return this.download(asset, tag, 'get');
  }

  async list(): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `${this.repoUrl()}/releases?per_page=100`;
    for (let page = 0; url && page < MAX_LIST_PAGES; page++) {
      const res = await this.request('GET', url, 'list');
      if (res.status !== 200) throw await this.unexpected(res, 'list', 'list releases');
      const releases = (await res.json()) as GitHubRelease[];
      for (const r of releases)
        if (!r.draft && r.assets?.some((a) => a.name === MANIFEST_ASSET)) tags.push(r.tag_name);
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return tags.sort(compareReleases);
  }

  private repoUrl(): string {
    return `${this.api}/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}`;
  }

  private async releaseByTag(tag: string, op: Op): Promise<GitHubRelease | undefined> {
    const res = await this.request('GET', `${this.repoUrl()}/releases/tags/${encodeURIComponent(tag)}`, op);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) throw await this.unexpected(res, op, `read the GitHub release ${tag}`);
    return (await res.json()) as GitHubRelease;
  }

  private async createRelease(manifest: Manifest): Promise<GitHubRelease> {
    const tag = manifest.release;
    const res = await this.request('POST', `${this.repoUrl()}/releases`, 'put', {
      contentType: 'application/json',
      body: JSON.stringify({
        tag_name: tag,
        name: tag,
        // Without a commit GitHub would tag the default branch's head, which may not be what was built.
        ...(manifest.source?.commit ? { target_commitish: manifest.source.commit } : {}),
        body: `Release record written by stepback: the migrations this release contains are in ${MANIFEST_ASSET}.`,
      }),
    });
    if (res.status === 201) return (await res.json()) as GitHubRelease;
    if (res.status === 422) {
      // Created concurrently by another run (tag_name already_exists): use that one.
      const again = await this.releaseByTag(tag, 'put');
      if (again) return again;
    }
    throw await this.unexpected(res, 'put', `create the GitHub release ${tag}`);
  }

  private async download(asset: GitHubAsset, tag: string, op: Op): Promise<Manifest> {
    const bytes = await this.downloadBytes(asset, tag, op, MANIFEST_ASSET);
    return readStoredManifest(
      Buffer.from(bytes).toString('utf8'),
      `${this.location} release ${tag} asset ${MANIFEST_ASSET}`,
      tag,
    );
  }

  private async downloadBytes(asset: GitHubAsset, tag: string, op: Op, name: string): Promise<Uint8Array> {
    // GitHub answers with a redirect to storage; fetch follows it and drops the authorization header
    // on the cross-origin hop, as it should.
    const res = await this.request('GET', `${this.repoUrl()}/releases/assets/${asset.id}`, op, {
      accept: 'application/octet-stream',
    });
    if (res.status !== 200) throw await this.unexpected(res, op, `download ${name} of release ${tag}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  /** One API call, with bounded retries for rate limits and server errors. */
  private async request(
    method: string,
    url: string,
    op: Op,
    options: { body?: string | Uint8Array; contentType?: string; accept?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      accept: options.accept ?? 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'stepback',
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetch(url, { method, headers, body: options.body, redirect: 'follow' });
      } catch (error) {
        if (attempt < MAX_RETRIES) {
          await this.clock.sleep(1000 * 2 ** attempt);
          continue;
        }
        throw new StepbackError(
          this.clean(`cannot reach the GitHub API at ${this.api}: ${(error as Error).message}`),
          2,
          { hint: 'check GITHUB_API_URL and the network' },
        );
      }
      const wait = this.retryDelay(res, attempt);
      if (wait === undefined) return res;
      if (attempt >= MAX_RETRIES || wait > MAX_WAIT_MS) {
        await res.body?.cancel();
        const reset = res.headers.get('x-ratelimit-reset');
        const limited = res.status === 403 || res.status === 429;
        throw new UsageError(
          limited
            ? `GitHub API rate limit exceeded (${op} ${this.location}, ${attempt + 1} attempts)${
                reset ? `; it resets at ${new Date(Number(reset) * 1000).toISOString()}` : ''
              }`
            : `GitHub API kept failing with HTTP ${res.status} (${op} ${this.location}, ${attempt + 1} attempts)`,
          {
            hint: limited
              ? 'wait for the reset and re-run; an authenticated token has a higher limit'
              : 'retry later',
          },
        );
      }
      await res.body?.cancel();
      await this.clock.sleep(wait);
    }
  }

  /** How long to wait before retrying this reply, or undefined when it is final. */
  private retryDelay(res: Response, attempt: number): number | undefined {
    const backoff = 1000 * 2 ** attempt;
    const retryAfter = res.headers.get('retry-after');
    const remaining = res.headers.get('x-ratelimit-remaining');
    const limited =
      (res.status === 403 || res.status === 429) &&
      (remaining === '0' || retryAfter !== null || res.status === 429);
    if (limited) {
      if (retryAfter !== null && /^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
      const reset = res.headers.get('x-ratelimit-reset');
      if (remaining === '0' && reset && /^\d+$/.test(reset))
        return Math.max(0, Number(reset) * 1000 - this.clock.now()) + 1000;
      return backoff;
    }
    if (res.status >= 500) return backoff;
    return undefined;
  }

  private async unexpected(res: Response, op: Op, doing: string): Promise<Error> {
    let message = '';
    try {
      const body = (await res.json()) as { message?: unknown };
      if (typeof body.message === 'string') message = body.message;
    } catch {
      // not JSON: the status says enough
    }
    const permission = op === 'put' ? 'contents: write' : 'contents: read';
    const detail = message ? ` (${this.clean(message)})` : '';
    if (res.status === 401)
      return new UsageError(
        `GitHub rejected the token trying to ${doing} in ${this.owner}/${this.repo}: HTTP 401${detail}`,
        {
          hint: `set GITHUB_TOKEN to a valid token with \`${permission}\` on ${this.owner}/${this.repo}`,
        },
      );
    if (res.status === 403)
      return new UsageError(
        `permission denied to ${doing} in ${this.owner}/${this.repo}: HTTP 403${detail}`,
        {
          hint: `the token needs \`${permission}\` on ${this.owner}/${this.repo} (in a workflow: permissions: ${permission})`,
        },
      );
    if (res.status === 404)
      return new UsageError(
        `cannot ${doing}: ${this.owner}/${this.repo} not found or not visible to the token (HTTP 404)`,
        {
          hint: `check the store URL; a private repository also needs a token with \`${permission}\``,
        },
      );
    return new StepbackError(`GitHub API: could not ${doing}: HTTP ${res.status}${detail}`, 2);
  }

  /** Free text from the network or the runtime never carries the token, even if something echoed it. */
  private clean(text: string): string {
    return redactSecrets(text, [this.token]);
  }
}
