/**
 * `s3://BUCKET/PREFIX`: one object `PREFIX/<release>.json` per release. Put is a conditional write
 * (`If-None-Match: *`), so of two concurrent puts S3 lets exactly one create; the other gets 412 and
 * compares with what is there.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { UsageError } from '../core/errors.ts';
import type { Manifest } from '../core/manifest-core.ts';
import {
  checkReleaseName,
  compareExisting,
  compareReleases,
  type ManifestStore,
  manifestToStore,
  parseS3StoreUrl,
  parseStoredManifest,
  ReleaseNotFoundError,
  type StoreDeps,
  s3Location,
} from './store.ts';

const CONFLICT_RETRIES = 4;

function status(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export class S3Store implements ManifestStore {
  readonly location: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    deps: Pick<StoreDeps, 'sleep'> = {},
  ) {
    this.location = s3Location(bucket, prefix);
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  static fromUrl(url: string, deps: StoreDeps = {}): S3Store {
    const { bucket, prefix } = parseS3StoreUrl(url);
    return new S3Store(deps.s3 ?? new S3Client({}), bucket, prefix, deps);
  }

  private key(release: string): string {
    const name = `${checkReleaseName(release)}.json`;
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    const manifest = await manifestToStore(input);
    const Key = this.key(manifest.release);
    const Body = `${JSON.stringify(manifest, null, 2)}\n`;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body,
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        );
        return 'created';
      } catch (error) {
        if (status(error) === 412 || errorName(error) === 'PreconditionFailed')
          return compareExisting(await this.get(manifest.release), manifest, this.location);
        // 409: another conditional write to the same key is in flight; it settles quickly.
        if (
          (status(error) === 409 || errorName(error) === 'ConditionalRequestConflict') &&
          attempt < CONFLICT_RETRIES
        ) {
          await this.sleep(200 * 2 ** attempt);
          continue;
        }
        throw this.explain(error, 'put', Key);
      }
    }
  }

  async get(release: string): Promise<Manifest> {
    const Key = this.key(release);
    let text: string;
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      text = (await out.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (status(error) === 404 || errorName(error) === 'NoSuchKey')
        throw new ReleaseNotFoundError(release, this.location, await this.list());
      throw this.explain(error, 'get', Key);
    }
    const where = `s3://${this.bucket}/${Key}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
    }
    const manifest = await parseStoredManifest(json, where);
    if (manifest.release !== release)
      throw new UsageError(`${where} holds the manifest of release ${manifest.release}, not ${release}`);
    return manifest;
  }

  async list(): Promise<string[]> {
    const Prefix = this.prefix ? `${this.prefix}/` : '';
    const releases: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix, Delimiter: '/', ContinuationToken }),
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
