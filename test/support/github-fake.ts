/**
 * A stateful loopback fake of the GitHub REST API's releases and release-assets endpoints, for tests that
 * reach GitHub at the HTTP level (real fetch or real octokit with `baseUrl`, or a separate process with
 * `GITHUB_API_URL` pointing at `url`).
 *
 *   const gh = await startGitHubFake({ token: 'ghs_test' });
 *   process.env.GITHUB_API_URL = gh.url;
 *   gh.state.releases            // every release (with `repo`, `tag_name`, `assets[]`: inspect or seed)
 *   gh.state.addRelease('o/r', 'v1', { 'stepback-manifest.json': '{...}' })
 *   gh.fault('rate-limit', 2)    // the next 2 API requests fail that way
 *   await gh.close()
 *
 * Emulated: GET/POST /repos/:o/:r/releases (paginated, Link header), GET /repos/:o/:r/releases/tags/:tag,
 * GET /repos/:o/:r/releases/:id, GET /repos/:o/:r/releases/:id/assets, GET/DELETE
 * /repos/:o/:r/releases/assets/:id (with `accept: application/octet-stream` it redirects to a download URL
 * on this server, as GitHub redirects to storage), uploads at the `upload_url` it returns
 * (`/uploads/repos/:o/:r/releases/:id/assets?name=`) and at `/repos/:o/:r/releases/:id/assets` (octokit's
 * uploadReleaseAsset with `baseUrl`). Every API request must carry `authorization: token|Bearer <token>`
 * (401 "Bad credentials" otherwise); the download URL, like GitHub's signed storage URL, needs none.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GitHubFault =
  /** 404 Not Found. */
  | 'not-found'
  /** 401 Bad credentials. */
  | 'unauthorized'
  /** 403 "Resource not accessible by integration" (a token without the permission). */
  | 'forbidden'
  /** 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (the primary rate limit). */
  | 'rate-limit'
  /** 403 with `retry-after` (a secondary rate limit). */
  | 'secondary-rate-limit'
  /** 429 with `retry-after`. */
  | 'too-many-requests'
  /** 500. */
  | 'server-error';

export interface FakeAsset {
  id: number;
  name: string;
  contentType: string;
  data: Buffer;
  createdAt: string;
  text(): string;
}

export interface FakeRelease {
  id: number;
  /** `owner/repo`. */
  repo: string;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  target_commitish: string;
  created_at: string;
  assets: FakeAsset[];
}

export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Whether it carried the right token. */
  authorized: boolean;
  /** Status the fake answered with. */
  status: number;
}

export interface GitHubFakeState {
  releases: FakeRelease[];
  requests: FakeRequest[];
  release(repo: string, tag: string): FakeRelease | undefined;
  /** Seed a published release, optionally with assets (name → content). */
  addRelease(repo: string, tag: string, assets?: Record<string, string | Buffer>): FakeRelease;
}

export interface GitHubFake {
  /** API base URL, e.g. `http://127.0.0.1:43123` (use as GITHUB_API_URL or octokit `baseUrl`). */
  url: string;
  state: GitHubFakeState;
  /** Make the next `count` API requests (default 1) fail with `kind`; `path` limits it to matching paths. */
  fault(kind: GitHubFault, count?: number, path?: string | RegExp): void;
  close(): Promise<void>;
}

export interface GitHubFakeOptions {
  token: string;
  /** Default page size of the list endpoint (GitHub: 30). */
  defaultPerPage?: number;
  /** The fake's clock, for `x-ratelimit-reset` (default: the real clock). */
  now?: () => Date;
  /** How far after `now` the primary rate limit resets (default 30 s). */
  rateLimitResetSeconds?: number;
}

interface PendingFault {
  kind: GitHubFault;
  left: number;
  path?: string | RegExp;
}

export async function startGitHubFake(options: GitHubFakeOptions): Promise<GitHubFake> {
  let nextId = 1000;
  const faults: PendingFault[] = [];
  const releases: FakeRelease[] = [];
  const requests: FakeRequest[] = [];
  let base = '';

  const makeAsset = (name: string, data: Buffer, contentType: string): FakeAsset => ({
    id: nextId++,
    name,
    contentType,
    data,
    createdAt: new Date().toISOString(),
    text: () => data.toString('utf8'),
  });

  const state: GitHubFakeState = {
    releases,
    requests,
    release: (repo, tag) => releases.find((r) => r.repo === repo && r.tag_name === tag && !r.draft),
    addRelease(repo, tag, assets = {}) {
      const release: FakeRelease = {
        id: nextId++,
        repo,
        tag_name: tag,
        name: tag,
        body: null,
        draft: false,
        prerelease: false,
        target_commitish: 'main',
        created_at: new Date(Date.now() + releases.length).toISOString(),
        assets: Object.entries(assets).map(([name, content]) =>
          makeAsset(name, Buffer.isBuffer(content) ? content : Buffer.from(content), 'application/json'),
        ),
      };
      releases.push(release);
      return release;
    },
  };

  const assetJson = (repo: string, a: FakeAsset) => ({
    id: a.id,
    node_id: `RA_${a.id}`,
    name: a.name,
    label: null,
    content_type: a.contentType,
    state: 'uploaded',
    size: a.data.length,
    download_count: 0,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    url: `${base}/repos/${repo}/releases/assets/${a.id}`,
    browser_download_url: `${base}/download/${a.id}/${encodeURIComponent(a.name)}`,
  });
  const releaseJson = (r: FakeRelease) => ({
    id: r.id,
    node_id: `RE_${r.id}`,
    tag_name: r.tag_name,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    target_commitish: r.target_commitish,
    created_at: r.created_at,
    published_at: r.draft ? null : r.created_at,
    url: `${base}/repos/${r.repo}/releases/${r.id}`,
    html_url: `${base}/${r.repo}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    assets_url: `${base}/repos/${r.repo}/releases/${r.id}/assets`,
    upload_url: `${base}/uploads/repos/${r.repo}/releases/${r.id}/assets{?name,label}`,
    assets: r.assets.map((a) => assetJson(r.repo, a)),
  });

  function send(
    res: ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): number {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-github-media-type': 'github.v3; format=json',
      ...headers,
    });
    res.end(text);
    return status;
  }

  function sendFault(res: ServerResponse, kind: GitHubFault): number {
    const doc = 'https://docs.github.com/rest';
    const resetAt = String(
      Math.floor((options.now?.() ?? new Date()).getTime() / 1000) + (options.rateLimitResetSeconds ?? 30),
    );
    switch (kind) {
      case 'not-found':
        return send(res, 404, { message: 'Not Found', documentation_url: doc });
      case 'unauthorized':
        return send(res, 401, { message: 'Bad credentials', documentation_url: doc });
      case 'forbidden':
        return send(res, 403, { message: 'Resource not accessible by integration', documentation_url: doc });
      case 'rate-limit':
        return send(
          res,
          403,
          { message: 'API rate limit exceeded for installation.', documentation_url: doc },
          {
            'x-ratelimit-limit': '5000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-used': '5000',
            'x-ratelimit-reset': resetAt,
          },
        );
      case 'secondary-rate-limit':
        return send(
          res,
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: doc,
          },
          { 'retry-after': '1' },
        );
      case 'too-many-requests':
        return send(
          res,
          429,
          { message: 'Too Many Requests', documentation_url: doc },
          { 'retry-after': '1' },
        );
      case 'server-error':
        return send(res, 500, { message: 'Server Error' });
    }
  }

  function takeFault(path: string): GitHubFault | undefined {
    const i = faults.findIndex(
      (f) => f.path === undefined || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)),
    );
    if (i < 0) return undefined;
    const f = faults[i]!;
    f.left -= 1;
    if (f.left <= 0) faults.splice(i, 1);
    return f.kind;
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  function findRepoRelease(repo: string, id: number): FakeRelease | undefined {
    return releases.find((r) => r.repo === repo && r.id === id);
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    authorized: boolean,
  ): Promise<number> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const notFound = () =>
      send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });

    // The storage redirect target: like a signed URL, it needs no authorization.
    let m = /^\/download\/(\d+)\/[^/]+$/.exec(path);
    if (m && method === 'GET') {
      const asset = releases.flatMap((r) => r.assets).find((a) => a.id === Number(m![1]));
      if (!asset) return notFound();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(asset.data.length),
      });
      res.end(asset.data);
      return 200;
    }

    if (!authorized)
      return send(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
      });
    const fault = takeFault(path);
    if (fault) return sendFault(res, fault);

    m = /^\/(?:uploads\/)?repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/.exec(path);
    if (m && method === 'POST') {
      const release = findRepoRelease(decodeURIComponent(m[1]!), Number(m[2]));
      if (!release) return notFound();
      const name = url.searchParams.get('name');
      if (!name)
        return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'name', code: 'missing' }] });
      const data = await readBody(req);
      if (release.assets.some((a) => a.name === name))
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
        });
      const asset = makeAsset(name, data, String(req.headers['content-type'] ?? 'application/octet-stream'));
      release.assets.push(asset);
      return send(res, 201, assetJson(release.repo, asset));
    }
    if (path.startsWith('/uploads/')) return notFound();

    m = /^\/repos\/([^/]+)\/([^/]+)\/releases(\/.*)?$/.exec(path);
    if (!m) return notFound();
    const repo = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`;
    const rest = m[3] ?? '';

    if (rest === '' && method === 'GET') {
      const perPage = Math.min(
        100,
        Number(url.searchParams.get('per_page') ?? options.defaultPerPage ?? 30) || 30,
      );
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      const all = releases
        .filter((r) => r.repo === repo)
        .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
      const last = Math.max(1, Math.ceil(all.length / perPage));
      const links: string[] = [];
      const pageUrl = (p: number) => `${base}/repos/${repo}/releases?per_page=${perPage}&page=${p}`;
      if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
      if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`);
      return send(
        res,
        200,
        all.slice((page - 1) * perPage, page * perPage).map(releaseJson),
        links.length ? { link: links.join(', ') } : {},
      );
    }
    if (rest === '' && method === 'POST') {
      let input: Record<string, unknown>;
      try {
        input = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return send(res, 400, { message: 'Problems parsing JSON' });
      }
      const tag = input.tag_name;
      if (typeof tag !== 'string' || tag === '')
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', field: 'tag_name', code: 'missing_field' }],
        });
      if (releases.some((r) => r.repo === repo && r.tag_name === tag))
        return send(res, 422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
        });
      const release = state.addRelease(repo, tag);
      release.name = typeof input.name === 'string' ? input.name : null;
      release.body = typeof input.body === 'string' ? input.body : null;
      release.draft = input.draft === true;
      release.prerelease = input.prerelease === true;
      release.target_commitish = typeof input.target_commitish === 'string' ? input.target_commitish : 'main';
      return send(res, 201, releaseJson(release));
    }
    m = /^\/tags\/(.+)$/.exec(rest);
    if (m && method === 'GET') {
      const release = state.release(repo, decodeURIComponent(m[1]!));
      return release ? send(res, 200, releaseJson(release)) : notFound();
    }
    m = /^\/assets\/(\d+)$/.exec(rest);
    if (m) {
      const release = releases.find((r) => r.repo === repo && r.assets.some((a) => a.id === Number(m![1])));
      const asset = release?.assets.find((a) => a.id === Number(m![1]));
      if (!release || !asset) return notFound();
      if (method === 'DELETE') {
        release.assets = release.assets.filter((a) => a !== asset);
        return send(res, 204);
      }
      if (method !== 'GET') return notFound();
      if (String(req.headers.accept ?? '').includes('application/octet-stream'))
        return send(res, 302, undefined, {
          location: `${base}/download/${asset.id}/${encodeURIComponent(asset.name)}`,
        });
      return send(res, 200, assetJson(repo, asset));
    }
    m = /^\/(\d+)(\/assets)?$/.exec(rest);
    if (m && method === 'GET') {
      const release = findRepoRelease(repo, Number(m[1]));
      if (!release) return notFound();
      return send(res, 200, m[2] ? release.assets.map((a) => assetJson(repo, a)) : releaseJson(release));
    }
    return notFound();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = String(req.headers.authorization ?? '');
    const authorized = auth === `token ${options.token}` || auth === `Bearer ${options.token}`;
    handle(req, res, url, authorized).then(
      (status) =>
        requests.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          authorized,
          status,
        }),
      (error: unknown) => {
        if (!res.headersSent) send(res, 500, { message: String(error) });
        else res.end();
      },
    );
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    state,
    fault(kind, count = 1, path) {
      faults.push({ kind, left: count, ...(path === undefined ? {} : { path }) });
    },
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolveClose()));
      }),
  };
}
