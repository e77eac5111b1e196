/**
 * An in-memory S3 bucket behind the real S3Client (aws-sdk-client-mock intercepts the client's commands), for
 * the S3 store's own tests and the store contract suite.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

/** An in-memory bucket behind the real S3Client's command interface, honouring If-None-Match: *. */
export function memoryBucket(bucket: string) {
  // Text bodies as strings (manifests), byte bodies as bytes (source bundles), as they were put.
  const objects = new Map<string, string | Uint8Array>();
  const mock = mockClient(S3Client);
  const faults: { command: 'put' | 'get' | 'list'; error: Error }[] = [];
  const takeFault = (command: 'put' | 'get' | 'list') => {
    const i = faults.findIndex((f) => f.command === command);
    if (i < 0) return;
    const [f] = faults.splice(i, 1);
    throw f!.error;
  };
  mock.on(PutObjectCommand).callsFake((input) => {
    takeFault('put');
    if (input.Bucket !== bucket) throw s3Error('NoSuchBucket', 404);
    if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw s3Error('PreconditionFailed', 412);
    objects.set(
      input.Key,
      input.Body instanceof Uint8Array ? Uint8Array.from(input.Body) : String(input.Body),
    );
    return { ETag: '"x"' };
  });
  mock.on(GetObjectCommand).callsFake((input) => {
    takeFault('get');
    const body = objects.get(input.Key);
    if (body === undefined)
      throw new NoSuchKey({
        $metadata: { httpStatusCode: 404 },
        message: 'The specified key does not exist.',
      });
    // The part of the SDK's stream body the store uses.
    return {
      Body: {
        transformToString: async () => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8')),
        transformToByteArray: async () =>
          typeof body === 'string' ? Buffer.from(body) : Uint8Array.from(body),
      },
    };
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    takeFault('list');
    // Two keys a page, so pagination is exercised.
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
    const page = keys.slice(start, start + 2);
    return {
      Contents: page.map((Key) => ({ Key })),
      ...(start + 2 < keys.length ? { NextContinuationToken: String(start + 2), IsTruncated: true } : {}),
    };
  });
  return {
    objects,
    mock,
    fail: (command: 'put' | 'get' | 'list', error: Error) => faults.push({ command, error }),
  };
}

export const s3Client = () =>
  new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
