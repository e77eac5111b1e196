// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * Read access to the release records in the manifest bucket, for the role a migration runs as (the ECS
 * migration task role, the CodeBuild service role). A rollback whose newer image cannot be pulled runs
 * `down --plan --sources-from s3://BUCKET/PREFIX` in the older image, and that run reads the newer release's
 * manifest (PREFIX/RELEASE.json) and source bundle (PREFIX/sources/RELEASE.json) itself. Only reads: the run
 * can neither write a record nor list the bucket (the rollback proved the bundle exists before starting it).
 * Both parameters are optional; with no bucket the stack grants no S3 access at all.
 */
import { type CfnResource, Fn } from 'aws-cdk-lib';
import { Policy, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { acknowledge, patterns, type StepbackStack } from './common.ts';

export function readReleaseRecords(stack: StepbackStack, role: Role): Policy {
  const bucket = stack.param('ManifestBucketName', {
    default: '',
    allowedPattern: `^$|${patterns.bucketName}`,
    description:
      'The manifest bucket (output of the manifest bucket stack). Given, the migration role may read the release records (s3:GetObject under ManifestPrefix), which a rollback needs when the newer image cannot be pulled (sources-from-store). Leave empty to grant no S3 access.',
  });
  stack.param('ManifestPrefix', {
    default: 'stepback',
    allowedPattern: "^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$",
    description:
      'Key prefix of the manifests, without leading or trailing slash: the store URL is s3://BUCKET/PREFIX.',
  });
  const given = stack.whenGiven('ReadsManifestStore', bucket);
  const policy = new Policy(stack, 'ReadReleaseRecords', {
    roles: [role],
    statements: [
      new PolicyStatement({
        sid: 'ReadReleaseRecords',
        actions: ['s3:GetObject'],
        resources: [Fn.sub('arn:${AWS::Partition}:s3:::${ManifestBucketName}/${ManifestPrefix}/*')],
      }),
    ],
  });
  (policy.node.defaultChild as CfnResource).cfnOptions.condition = given;
  acknowledge(
    policy,
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<ManifestBucketName>/<ManifestPrefix>/*]',
    'One manifest (PREFIX/RELEASE.json) and one source bundle (PREFIX/sources/RELEASE.json) per release; release names are not known in advance.',
  );
  return policy;
}
