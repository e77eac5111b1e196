import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newApp } from '../lib/common.ts';
import { ManifestBucketStack } from '../lib/manifest-bucket-stack.ts';
import { type Template as Cfn, resolveTemplate } from './support/resolve.ts';

const app = newApp({ cfnValidation: false });
const stack = new ManifestBucketStack(app, 'Bucket');
const template = Template.fromStack(stack);
const json = template.toJSON() as Cfn;

const bucketOf = (given: Record<string, string> = {}) => {
  const resolved = resolveTemplate(json, given);
  const bucket = Object.values(resolved.resources).find((r) => r.Type === 'AWS::S3::Bucket');
  if (!bucket) throw new Error('no bucket');
  return bucket.Properties;
};

describe('manifest bucket stack', () => {
  it('is versioned, SSE-S3 encrypted, blocks public access, enforces object ownership', () => {
    const bucket = bucketOf();
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('never expires or deletes anything: no lifecycle rules, retained on stack deletion and replacement', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(JSON.stringify(json)).not.toMatch(/LifecycleConfiguration|Expiration|NoncurrentVersionExpiration/);
  });

  it('denies every request that does not use TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [
              { 'Fn::GetAtt': ['ManifestBucket46C412A5', 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ManifestBucket46C412A5', 'Arn'] }, '/*']] },
            ],
          },
        ],
      },
    });
  });

  it('turns Object Lock on only when a retention is given, with the chosen mode', () => {
    const off = bucketOf();
    expect(off.ObjectLockEnabled).toBeUndefined();
    expect(off.ObjectLockConfiguration).toBeUndefined();
    const on = bucketOf({ ObjectLockRetentionDays: '3650', ObjectLockMode: 'COMPLIANCE' });
    expect(on.ObjectLockEnabled).toBe(true);
    expect(on.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: '3650' } },
    });
    expect(() => bucketOf({ ObjectLockMode: 'FOREVER' })).toThrow(/ObjectLockMode/);
  });

  it('logs server access only to a given log bucket, and names the bucket only when asked', () => {
    expect(bucketOf().LoggingConfiguration).toBeUndefined();
    expect(bucketOf().BucketName).toBeUndefined();
    const given = bucketOf({ AccessLogBucketName: 'acme-logs', BucketName: 'acme-releases' });
    expect(given.LoggingConfiguration).toEqual({
      DestinationBucketName: 'acme-logs',
      LogFilePrefix: 'stepback-manifests/',
    });
    expect(given.BucketName).toBe('acme-releases');
    expect(() => bucketOf({ BucketName: 'Not_A_Bucket' })).toThrow(/BucketName/);
  });
});
