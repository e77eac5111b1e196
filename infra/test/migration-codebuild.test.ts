// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newApp } from '../lib/common.ts';
import { MigrationCodeBuildStack } from '../lib/migration-codebuild-stack.ts';
import type { Statement } from './support/iam.ts';
import { type Template as Cfn, resolveTemplate } from './support/resolve.ts';

const app = newApp({ cfnValidation: false });
const stack = new MigrationCodeBuildStack(app, 'Build');
const template = Template.fromStack(stack);
const json = template.toJSON() as Cfn;

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const SECRET = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:stepback-migration-AbCdEf`;
const REPOSITORY = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/shop`;
const given = {
  VpcId: 'vpc-0abc',
  SubnetIds: 'subnet-1,subnet-2',
  SecurityGroupIds: 'sg-1',
  MigrationSecretArn: SECRET,
  DatabaseUrl: 'postgres://db.internal:5432/shop',
  EcrRepositoryArn: REPOSITORY,
  DefaultImage: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop:latest`,
};
const resolved = resolveTemplate(json, given);
const ofType = (type: string) => Object.values(resolved.resources).filter((r) => r.Type === type);

describe('CodeBuild migration stack', () => {
  it('runs the project in the database VPC with the given subnets and security groups', () => {
    const [project] = ofType('AWS::CodeBuild::Project');
    expect(project?.Properties.VpcConfig).toEqual({
      VpcId: 'vpc-0abc',
      Subnets: ['subnet-1', 'subnet-2'],
      SecurityGroupIds: ['sg-1'],
    });
    expect(project?.Properties.Name).toBe('stepback-migrate');
    expect(project?.Properties.TimeoutInMinutes).toBe('60');
  });

  it('hands the build the migration credentials by Secrets Manager reference only', () => {
    const [project] = ofType('AWS::CodeBuild::Project');
    const environment = project?.Properties.Environment as Record<string, unknown>;
    expect(environment.EnvironmentVariables).toEqual([
      { Name: 'DATABASE_URL', Type: 'PLAINTEXT', Value: 'postgres://db.internal:5432/shop' },
      { Name: 'PGUSER', Type: 'SECRETS_MANAGER', Value: `${SECRET}:username` },
      { Name: 'PGPASSWORD', Type: 'SECRETS_MANAGER', Value: `${SECRET}:password` },
    ]);
    expect(environment.ImagePullCredentialsType).toBe('SERVICE_ROLE');
    expect(environment.PrivilegedMode).toBe(false);
    // A URL with credentials in it is refused at deploy time.
    expect(() =>
      resolveTemplate(json, { ...given, DatabaseUrl: 'postgres://app:hunter2@db.internal/shop' }),
    ).toThrow(/DatabaseUrl/);
  });

  it('writes to its own log group, with retention, kept when the stack goes', () => {
    const [project] = ofType('AWS::CodeBuild::Project');
    expect(project?.Properties.LogsConfig).toEqual({
      CloudWatchLogs: { Status: 'ENABLED', GroupName: '<BuildLogGroup>' },
      S3Logs: { Status: 'DISABLED' },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: { 'Fn::Sub': '/aws/codebuild/${ProjectName}' },
        RetentionInDays: { Ref: 'LogRetentionDays' },
      },
      DeletionPolicy: 'Retain',
    });
    expect(
      resolveTemplate(json, { ...given, LogRetentionDays: '30' }).resources.BuildLogGroup?.Properties,
    ).toEqual({
      LogGroupName: '/aws/codebuild/stepback-migrate',
      RetentionInDays: '30',
    });
  });

  it('gives the service role exactly: its logs, the migration secret, the app image, the VPC ENIs', () => {
    const [role] = ofType('AWS::IAM::Role');
    const policies = role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
    const logGroup = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/stepback-migrate`;
    expect(policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [logGroup, `${logGroup}:log-stream:*`],
      },
      {
        Sid: 'ReadMigrationSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: SECRET,
      },
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullAppImage',
        Effect: 'Allow',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: REPOSITORY,
      },
      {
        Sid: 'VpcNetworkInterfaces',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
        ],
        Resource: '*',
      },
      {
        Sid: 'VpcNetworkInterfacePermission',
        Effect: 'Allow',
        Action: 'ec2:CreateNetworkInterfacePermission',
        Resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*`,
        Condition: {
          StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
          ArnEquals: { 'ec2:Vpc': `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0abc` },
        },
      },
    ]);
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'codebuild.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
    });
    expect(JSON.stringify(role)).not.toMatch(/ManagedPolicyArns/);
    // Without ManifestBucketName, no S3 access at all.
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
  });

  it('given the manifest bucket, lets the service role read the release records under the prefix and nothing more', () => {
    const withStore = resolveTemplate(json, { ...given, ManifestBucketName: 'acme-releases' });
    const policies = Object.values(withStore.resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Roles).toEqual(['<ServiceRole4288B192>']);
    expect(policies[0]?.Properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadReleaseRecords',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-releases/stepback/*',
        },
      ],
    });
  });
});
