/**
 * The manifest bucket: the durable system of record for release manifests and their source bundles (the
 * "release record" step of ARCHITECTURE.md).
 * A rollback months later must still find the manifest, so nothing here ever expires or deletes objects.
 */
import { Aws, CfnCondition, CfnOutput, Fn, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge, patterns, StepbackStack } from './common.ts';

export class ManifestBucketStack extends StepbackStack {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        'stepback: the manifest bucket (versioned, encrypted, public access blocked, TLS only, no expiry).',
    });

    const bucketName = this.param('BucketName', {
      default: '',
      allowedPattern: `^$|${patterns.bucketName}`,
      description:
        'Name of the manifest bucket. Leave empty to let CloudFormation generate a unique name (see the ManifestBucketName output).',
    });
    const objectLockDays = this.param('ObjectLockRetentionDays', {
      type: 'Number',
      default: 0,
      minValue: 0,
      maxValue: 36500,
      description:
        'Default S3 Object Lock retention in days for every manifest version; 0 leaves Object Lock off. Object Lock can never be turned off again once on.',
    });
    const objectLockMode = this.param('ObjectLockMode', {
      default: 'GOVERNANCE',
      allowedValues: ['GOVERNANCE', 'COMPLIANCE'],
      description:
        'Object Lock mode when ObjectLockRetentionDays > 0. GOVERNANCE: principals with s3:BypassGovernanceRetention may still delete; COMPLIANCE: nobody can, not even root.',
    });
    const accessLogBucket = this.param('AccessLogBucketName', {
      default: '',
      allowedPattern: `^$|${patterns.bucketName}`,
      description:
        'Existing bucket that receives S3 server access logs for the manifest bucket (it must allow the S3 logging service to write). Leave empty for none.',
    });

    const hasName = this.whenGiven('HasBucketName', bucketName);
    const hasLogs = this.whenGiven('HasAccessLogBucket', accessLogBucket);
    const objectLock = new CfnCondition(this, 'UseObjectLock', {
      expression: Fn.conditionNot(Fn.conditionEquals(objectLockDays.valueAsString, '0')),
    });

    this.bucket = new Bucket(this, 'ManifestBucket', {
      bucketName: Fn.conditionIf(hasName.logicalId, bucketName.valueAsString, Aws.NO_VALUE).toString(),
      versioned: true,
      // SSE-S3, not KMS: manifests hold migration names, checksums, image digests and the task definition (whose
      // secrets are `valueFrom` references, never values); access is governed by IAM and this bucket's policy, and
      // SSE-S3 keeps the deploy roles free of kms:* grants and the key's cost and lifecycle.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Release records outlive the stack: deleting the stack must never delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const cfnBucket = this.bucket.node.defaultChild as CfnBucket;
    cfnBucket.addPropertyOverride(
      'ObjectLockEnabled',
      Fn.conditionIf(objectLock.logicalId, true, Aws.NO_VALUE),
    );
    cfnBucket.addPropertyOverride(
      'ObjectLockConfiguration',
      Fn.conditionIf(
        objectLock.logicalId,
        {
          ObjectLockEnabled: 'Enabled',
          Rule: {
            DefaultRetention: { Mode: objectLockMode.valueAsString, Days: objectLockDays.valueAsNumber },
          },
        },
        Aws.NO_VALUE,
      ),
    );
    cfnBucket.addPropertyOverride(
      'LoggingConfiguration',
      Fn.conditionIf(
        hasLogs.logicalId,
        { DestinationBucketName: accessLogBucket.valueAsString, LogFilePrefix: 'stepback-manifests/' },
        Aws.NO_VALUE,
      ),
    );
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Access logging is opt-in via AccessLogBucketName (a log bucket needs its own logging decision); CloudTrail S3 data events are the recommended audit trail for these few writes.',
    );

    new CfnOutput(this, 'ManifestBucketName', {
      value: this.bucket.bucketName,
      description:
        'Bucket name for the deploy roles (ManifestBucketName) and the store URL s3://NAME/PREFIX.',
    });
    new CfnOutput(this, 'ManifestBucketArn', { value: this.bucket.bucketArn });
  }
}
