// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The CodeBuild migration project: runs `stepback up` (or a rollback's down plan) from the release's own image,
 * inside the database's VPC, for teams whose runners cannot reach the database. The pipeline starts it with
 * StartBuild + imageOverride + buildspecOverride; this stack gives it a network path, its own log group, and a
 * service role that can read the migration secret, write its logs and pull the image — and, given the manifest
 * bucket, read the release records (release-records.ts) — nothing else.
 */
import { CfnOutput, Fn, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import { CfnProject } from 'aws-cdk-lib/aws-codebuild';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge, patterns, StepbackStack } from './common.ts';
import { readReleaseRecords } from './release-records.ts';

const RETENTION_DAYS = [
  '1',
  '3',
  '5',
  '7',
  '14',
  '30',
  '60',
  '90',
  '120',
  '150',
  '180',
  '365',
  '400',
  '545',
  '731',
  '1096',
  '1827',
  '2192',
  '2557',
  '2922',
  '3288',
  '3653',
];

/** The log group CodeBuild writes to for project NAME (the deploy roles stack derives the same name). */
export const codeBuildLogGroupName = (project: string): string => `/aws/codebuild/${project}`;

/** The default buildspec: a plain `stepback up`. The pipeline normally overrides it per build. */
const DEFAULT_BUILDSPEC = [
  'version: 0.2',
  'phases:',
  '  build:',
  '    commands:',
  '      - stepback up --json',
  '',
].join('\n');

export class MigrationCodeBuildStack extends StepbackStack {
  readonly role: Role;
  readonly project: CfnProject;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        'stepback: the CodeBuild migration project in the database VPC, its log group, and its least-privilege service role.',
    });

    const projectName = this.param('ProjectName', {
      default: 'stepback-migrate',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$',
      description:
        'CodeBuild project name (the deploy roles stack takes the same value as CodeBuildProjectName).',
    });
    const vpcId = this.param('VpcId', {
      type: 'AWS::EC2::VPC::Id',
      description: "The database's VPC.",
    });
    const subnetIds = this.param('SubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description:
        'Private subnets (in that VPC) with a route to the database and to ECR, Secrets Manager and CloudWatch Logs (NAT or VPC endpoints).',
    });
    const securityGroupIds = this.param('SecurityGroupIds', {
      type: 'List<AWS::EC2::SecurityGroup::Id>',
      description:
        "Security groups for the build's network interface; the database's security group must admit one of them on its port.",
    });
    const secretArn = this.param('MigrationSecretArn', {
      allowedPattern: patterns.secretArn,
      description:
        'Full ARN of the migration database secret (JSON with "username" and "password"; output of the migration secret stack).',
    });
    const databaseUrl = this.param('DatabaseUrl', {
      allowedPattern: '^postgres(ql)?://[^@/\\s]+/[^@\\s]*$',
      constraintDescription: 'must be postgres://HOST[:PORT]/DATABASE[?OPTIONS] without user or password',
      description:
        'postgres://HOST:PORT/DATABASE without credentials; the user and password reach the build as PGUSER/PGPASSWORD from the secret, which pg reads when the URL has none.',
    });
    const repositoryArn = this.param('EcrRepositoryArn', {
      allowedPattern: '^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9._/-]+$',
      description:
        "ARN of the app's ECR repository; the service role pulls the release's image (imageOverride) from it.",
    });
    const defaultImage = this.param('DefaultImage', {
      allowedPattern:
        '^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$',
      description:
        "Image used when a build is started without imageOverride (stepback always overrides it with the release's image), e.g. ACCOUNT.dkr.ecr.REGION.amazonaws.com/app:latest.",
    });
    const computeType = this.param('ComputeType', {
      default: 'BUILD_GENERAL1_SMALL',
      allowedValues: ['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE'],
      description: 'CodeBuild compute type for the migration build.',
    });
    const timeout = this.param('TimeoutMinutes', {
      type: 'Number',
      default: 60,
      minValue: 5,
      maxValue: 2160,
      description:
        'Build timeout in minutes (stepback can lower it per build with timeoutInMinutesOverride).',
    });
    const retention = this.param('LogRetentionDays', {
      type: 'Number',
      default: 365,
      allowedValues: RETENTION_DAYS,
      description: 'Days CloudWatch Logs keeps the migration build logs.',
    });

    const logGroupName = Fn.sub(codeBuildLogGroupName('${ProjectName}'));
    const logGroup = new CfnLogGroup(this, 'BuildLogGroup', {
      logGroupName,
      retentionInDays: retention.valueAsNumber,
    });
    // The log of what a migration did is evidence; keep it when the stack goes.
    logGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const arn = (service: string, resource: string): string =>
      Fn.sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
    this.role = new Role(this, 'ServiceRole', {
      description:
        'stepback: CodeBuild migration service role (migration secret, own logs, app image, VPC ENIs).',
      assumedBy: new ServicePrincipal('codebuild.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      inlinePolicies: {
        MigrationBuild: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'WriteOwnLogs',
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [
                arn('logs', `log-group:${codeBuildLogGroupName('${ProjectName}')}`),
                arn('logs', `log-group:${codeBuildLogGroupName('${ProjectName}')}:log-stream:*`),
              ],
            }),
            new PolicyStatement({
              sid: 'ReadMigrationSecret',
              actions: ['secretsmanager:GetSecretValue'],
              resources: [secretArn.valueAsString],
            }),
            // GetAuthorizationToken only supports "*"; the image itself is pulled from the app repository only.
            new PolicyStatement({
              sid: 'EcrLogin',
              actions: ['ecr:GetAuthorizationToken'],
              resources: ['*'],
            }),
            new PolicyStatement({
              sid: 'PullAppImage',
              actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
              resources: [repositoryArn.valueAsString],
            }),
            // What CodeBuild needs to attach the build to the VPC; these EC2 actions only support "*".
            new PolicyStatement({
              sid: 'VpcNetworkInterfaces',
              actions: [
                'ec2:CreateNetworkInterface',
                'ec2:DeleteNetworkInterface',
                'ec2:DescribeDhcpOptions',
                'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSecurityGroups',
                'ec2:DescribeSubnets',
                'ec2:DescribeVpcs',
              ],
              resources: ['*'],
            }),
            new PolicyStatement({
              sid: 'VpcNetworkInterfacePermission',
              actions: ['ec2:CreateNetworkInterfacePermission'],
              resources: [arn('ec2', 'network-interface/*')],
              conditions: {
                StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
                ArnEquals: { 'ec2:Vpc': arn('ec2', 'vpc/${VpcId}') },
              },
            }),
          ],
        }),
      },
    });

    this.project = new CfnProject(this, 'MigrationProject', {
      name: projectName.valueAsString,
      description: 'stepback: runs database migrations from the release image inside the database VPC.',
      serviceRole: this.role.roleArn,
      artifacts: { type: 'NO_ARTIFACTS' },
      source: { type: 'NO_SOURCE', buildSpec: DEFAULT_BUILDSPEC },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: computeType.valueAsString,
        image: defaultImage.valueAsString,
        // The service role (not CodeBuild's own credentials) pulls the private app image.
        imagePullCredentialsType: 'SERVICE_ROLE',
        privilegedMode: false,
        environmentVariables: [
          { name: 'DATABASE_URL', type: 'PLAINTEXT', value: databaseUrl.valueAsString },
          {
            name: 'PGUSER',
            type: 'SECRETS_MANAGER',
            value: Fn.join(':', [secretArn.valueAsString, 'username']),
          },
          {
            name: 'PGPASSWORD',
            type: 'SECRETS_MANAGER',
            value: Fn.join(':', [secretArn.valueAsString, 'password']),
          },
        ],
      },
      vpcConfig: {
        vpcId: vpcId.valueAsString,
        subnets: subnetIds.valueAsList,
        securityGroupIds: securityGroupIds.valueAsList,
      },
      logsConfig: {
        cloudWatchLogs: { status: 'ENABLED', groupName: logGroup.ref },
        s3Logs: { status: 'DISABLED' },
      },
      timeoutInMinutes: timeout.valueAsNumber,
    });
    // The VPC permissions CodeBuild checks at project creation are inline in the role, so they exist by then.

    // A rollback's fallback runs the newer release's downs here from the store (`down --sources-from`).
    readReleaseRecords(this, this.role);

    const wildcard = (resource: string, reason: string) =>
      acknowledge(this.role, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
    wildcard(
      '*',
      'ecr:GetAuthorizationToken and the EC2 describe/ENI actions CodeBuild needs in a VPC support only "*".',
    );
    wildcard(
      'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*',
      'The ENI is created per build; limited to CodeBuild as authorized service and to the database VPC.',
    );
    wildcard(
      'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<ProjectName>:log-stream:*',
      'CodeBuild names each log stream after the build id; scoped to this project log group.',
    );
    acknowledge(
      this,
      'CloudFormation-Validate::W2509',
      'MigrationSecretArn is the ARN of a secret, not a secret value; NoEcho would only hide it from operators.',
    );
    acknowledge(
      this.project,
      'AwsSolutions-CB4',
      'No artifacts and no S3 logs: nothing is stored that a customer KMS key would protect; logs go to CloudWatch.',
    );
    acknowledge(
      this.project,
      'AwsSolutions-CB5',
      "The build must run the app's own image: it carries the migrations and the stepback CLI of that release.",
    );

    new CfnOutput(this, 'MigrationProjectName', { value: this.project.ref });
    new CfnOutput(this, 'MigrationLogGroupName', { value: logGroup.ref });
    new CfnOutput(this, 'ServiceRoleArn', { value: this.role.roleArn });
  }
}
