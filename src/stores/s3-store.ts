/**
 * `s3://BUCKET/PREFIX`: one object `PREFIX/<release>.json` per release, its source bundle in
 * `PREFIX/sources/<release>.json` (under a folder, so listing releases with the `/` delimiter skips it). Puts
 * are conditional writes (`If-None-Match: *`), so of two concurrent puts S3 lets exactly one create; the
 * other gets 412 and compares with what is there.
 */
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import {
  compareReleases,
  type ManifestStore,
  ReleaseNotFoundError,
  SourceBundleNotFoundError,
} from '../core/manifest-store.ts';
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

const CONFLICT_RETRIES = 4;

/**
 * The SDK loads on the store's first request, not when the store is opened: a flow may make other requests
 * first (record-release describes the task definition), and the S3 client is the heaviest of them to load.
 * s3-sdk.ts re-exports by name, so only what is used is bundled.
 */
const loadSdk = () => import('./s3-sdk.ts');

/** `s3://BUCKET/PREFIX` → its bucket and prefix (no slashes at either end); UsageError when it is not one. */
export function parseS3StoreUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match)
    throw new UsageError(`not an S3 store URL: ${printable(url)}`, {
      hint: 'use s3://BUCKET/PREFIX (a lowercase bucket name; the prefix is optional)',
    });
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** An S3 store's printable location. */
export function s3Location(bucket: string, prefix: string): string {
  return `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
}

/** The HTTP status of an SDK error (every S3 service error carries `$metadata`). */
function status(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export class S3Store implements ManifestStore {
  readonly location: string;
  private readonly clock: Clock;

  private client: S3Client | undefined;

  constructor(
    client: S3Client | undefined,
    private readonly bucket: string,
    private readonly prefix: string,
    deps: Pick<StoreDeps, 'clock'> = {},
  ) {
    this.client = client;
    this.location = s3Location(bucket, prefix);
    this.clock = deps.clock ?? systemClock;
  }

  static fromUrl(url: string, deps: StoreDeps = {}): S3Store {
    const { bucket, prefix } = parseS3StoreUrl(url);
    return new S3Store(deps.s3, bucket, prefix, deps);
  }

  /** The SDK and a client (the injected one, or a new one from the environment). */
  private async s3() {
    const sdk = await loadSdk();
    this.client ??= new sdk.S3Client({});
    return { sdk, client: this.client };
  }

  private key(release: string): string {
    const name = `${checkReleaseName(release)}.json`;
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private sourcesKey(release: string): string {
    const name = `sources/${checkReleaseName(release)}.json`;
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    const manifest = await manifestToStore(input);
    const created = await this.putOnce(this.key(manifest.release), `${JSON.stringify(manifest, null, 2)}\n`);
    if (created) return 'created';
    return compareExisting(await this.get(manifest.release), manifest, this.location);
  }

  async putSources(manifest: Manifest, bytes: Uint8Array): Promise<'created' | 'unchanged'> {
    sourcesToStore(manifest, bytes);
    if (await this.putOnce(this.sourcesKey(manifest.release), bytes)) return 'created';
    return compareExistingSources(
      await this.getSources(manifest.release),
      bytes,
      manifest.release,
      this.location,
    );
  }

  async getSources(release: string): Promise<Uint8Array> {
    const Key = this.sourcesKey(release);
    const { sdk, client } = await this.s3();
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (status(error) === 404 || errorName(error) === 'NoSuchKey')
        throw new SourceBundleNotFoundError(release, this.location, `s3://${this.bucket}/${Key}`);
      throw this.explain(error, 'get', Key);
    }
  }

  /** A conditional create of `Key`: true when this call created it, false when it already existed. */
  private async putOnce(Key: string, Body: string | Uint8Array): Promise<boolean> {
    const { sdk, client } = await this.s3();
    for (let attempt = 0; ; attempt++) {
      try {
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body,
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        if (status(error) === 412 || errorName(error) === 'PreconditionFailed') return false;
        // 409: another conditional write to the same key is in flight; it settles quickly.
        if (
          (status(error) === 409 || errorName(error) === 'ConditionalRequestConflict') &&
          attempt < CONFLICT_RETRIES
        ) {
          await this.clock.sleep(200 * 2 ** attempt);
          continue;
        }
        throw this.explain(error, 'put', Key);
      }
    }
  }

  async get(release: string): Promise<Manifest> {
    const Key = this.key(release);
    const { sdk, client } = await this.s3();
    let text: string;
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key }));
      text = (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (status(error) === 404 || errorName(error) === 'NoSuchKey')
        throw new ReleaseNotFoundError(release, this.location, await this.list());
      throw this.explain(error, 'get', Key);
    }
    return readStoredManifest(text, `s3://${this.bucket}/${Key}`, release);
  }

  async list(): Promise<string[]> {
    const Prefix = this.prefix ? `${this.prefix}/` : '';
    const releases: string[] = [];
    let ContinuationToken: string | undefined;
    const { sdk, client } = await this.s3();
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await client.send(
          new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix, Delimiter: '/', ContinuationToken }),
        );
      } catch (error) {
        throw this.explain(error, 'list', Prefix);
      }
      for (const { Key } of out.Contents ?? []) {
        const name = Key?.slice(Prefix.length);
        if (name?.endsWith('.json') && !name.includes('/')) releases.push(name.slice(0, -'.json'.length));
      }
      ContinuationToken = out.NextContinuationToken;
    } while (ContinuationToken);
    return releases.sort(compareReleases);
  }

  private explain(error: unknown, op: 'put' | 'get' | 'list', key: string): Error {
    const code = status(error);
    if (code === 403 || errorName(error) === 'AccessDenied') {
      const action =
        op === 'put' ? 's3:PutObject (and s3:GetObject)' : op === 'get' ? 's3:GetObject' : 's3:ListBucket';
      return new UsageError(`access denied to ${op} s3://${this.bucket}/${key}`, {
        hint: `the credentials need ${action} on s3://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}*${
          op === 'get' ? ' (and s3:ListBucket: without it S3 reports a missing object as access denied)' : ''
        }`,
        cause: error,
      });
    }
    if (errorName(error) === 'NoSuchBucket')
      return new UsageError(`bucket ${this.bucket} does not exist (store ${this.location})`, {
        cause: error,
      });
    return error instanceof Error ? error : new Error(String(error));
  }
}
