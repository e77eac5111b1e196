// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The roles GitHub Actions assumes through OIDC: a deploy role for the forward flow, a rollback role for the
 * rollback's apply job, and a plan role for its dry run (which starts one status task and changes nothing).
 * Each is trusted only from one repository *and* one GitHub environment (so approval rules on the environment
 * gate the credentials), and each is allowed exactly the calls its workflow jobs make: stepback's actions and
 * the workflow's own steps (ECR login, image push, the aws CLI). infra/test/workflow-permissions.test.ts derives
 * those calls from the shipped workflows and the action bundles and holds the policies equal to them.
 */
import { Aws, CfnCondition, CfnOutput, type CfnResource, CfnRule, Fn, type StackProps } from 'aws-cdk-lib';
import {
  CfnOIDCProvider,
  type CfnRole,
  FederatedPrincipal,
  Policy,
  PolicyDocument,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledge, patterns, StepbackStack } from './common.ts';
import { codeBuildLogGroupName } from './migration-codebuild-stack.ts';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export type RoleKind = 'deploy' | 'rollback' | 'plan';

const arn = (service: string, resource: string, region = true): string =>
  Fn.sub(
    `arn:\${AWS::Partition}:${service}:${region ? '${AWS::Region}' : ''}:${region ? '${AWS::AccountId}' : ''}:${resource}`,
  );

export class GitHubDeployRolesStack extends StepbackStack {
  readonly deployRole: Role;
  readonly rollbackRole: Role;
  readonly planRole: Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        'stepback: GitHub Actions OIDC deploy, rollback and rollback-plan roles, each pinned to one repository and environment, with least privilege.',
    });

    // --- who may assume the roles ---
    const org = this.param('GitHubOrg', {
      allowedPattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$',
      description: 'GitHub owner (organisation or user) of the repository, e.g. my-org.',
    });
    const repo = this.param('GitHubRepo', {
      allowedPattern: '^[A-Za-z0-9_.-]{1,100}$',
      description: 'Repository name without the owner, e.g. my-app.',
    });
    const ownerId = this.param('GitHubOwnerId', {
      default: '',
      allowedPattern: '^$|^[0-9]+$',
      description:
        "Numeric owner id, for GitHub's immutable sub form (repo:OWNER@OWNER_ID/REPO@REPO_ID:...). Set with GitHubRepoId for repositories created on/after 2026-07-15 or opted in; leave both empty for the name-only form.",
    });
    const repoId = this.param('GitHubRepoId', {
      default: '',
      allowedPattern: '^$|^[0-9]+$',
      description: 'Numeric repository id for the immutable sub form (with GitHubOwnerId).',
    });
    const deployEnv = this.param('DeployEnvironment', {
      default: 'production',
      allowedPattern: '^[^:*?"\\s][^:*?"]{0,254}$',
      description:
        'GitHub environment of the deploy job; only jobs running in it can assume the deploy role.',
    });
    const rollbackEnv = this.param('RollbackEnvironment', {
      default: 'production-rollback',
      allowedPattern: '^[^:*?"\\s][^:*?"]{0,254}$',
      description:
        'GitHub environment of the rollback apply job (give it required reviewers); only it can assume the rollback role. Must differ from DeployEnvironment.',
    });
    const createProvider = this.param('CreateOidcProvider', {
      default: 'false',
      allowedValues: ['true', 'false'],
      description:
        "true creates the account's GitHub OIDC provider (there can be only one per account); false uses OidcProviderArn.",
    });
    const providerArn = this.param('OidcProviderArn', {
      default: '',
      allowedPattern: `^$|^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/${GITHUB_OIDC_HOST.replaceAll('.', '\\.')}$`,
      description: `ARN of the existing ${GITHUB_OIDC_HOST} OIDC provider (required when CreateOidcProvider is false).`,
    });
    const maxSession = this.param('MaxSessionDurationSeconds', {
      type: 'Number',
      default: 3600,
      minValue: 3600,
      maxValue: 43200,
      description:
        'Longest session the roles allow; raise it (and role-duration-seconds) when a migration can outlast one hour, or the wait ends in expired credentials.',
    });

    // --- what they may touch (referenced by name in the Fn::Sub ARNs below) ---
    this.param('ClusterName', {
      allowedPattern: patterns.ecsName,
      description: 'ECS cluster of the app.',
    });
    this.param('ServiceName', {
      allowedPattern: patterns.ecsName,
      description: 'ECS service of the app.',
    });
    this.param('TaskDefinitionFamily', {
      allowedPattern: patterns.ecsName,
      description: "The app's task definition family; the migration task runs from a revision of it.",
    });
    const taskRole = this.param('TaskRoleArn', {
      allowedPattern: patterns.roleArn,
      description: "The app's task role (iam:PassRole for RegisterTaskDefinition and RunTask).",
    });
    const executionRole = this.param('ExecutionRoleArn', {
      allowedPattern: patterns.roleArn,
      description: "The app's task execution role (iam:PassRole for RegisterTaskDefinition and RunTask).",
    });
    const migrationTaskRole = this.param('MigrationTaskRoleArn', {
      default: '',
      allowedPattern: `^$|${patterns.roleArn}`,
      description:
        'The migration task role (output of the migration secret stack) passed as the RunTask taskRoleArn override. Leave empty if migrations run with the app task role.',
    });
    this.param('EcrRepositoryName', {
      allowedPattern: '^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$',
      description:
        'The ECR repository (name, in this account and region) the deploy workflow pushes the app image to.',
    });
    this.param('MigrationLogGroupName', {
      allowedPattern: patterns.logGroupName,
      description:
        "The awslogs group of the migration container (awslogs-group in the app's task definition).",
    });
    this.param('ManifestBucketName', {
      allowedPattern: patterns.bucketName,
      description: 'The manifest bucket (output of the manifest bucket stack).',
    });
    this.param('ManifestPrefix', {
      default: 'stepback',
      allowedPattern: "^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$",
      description:
        'Key prefix of the manifests, without leading or trailing slash: the store URL is s3://BUCKET/PREFIX.',
    });
    const project = this.param('CodeBuildProjectName', {
      default: '',
      allowedPattern: '^$|^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$',
      description:
        'The CodeBuild migration project, when migrations run in CodeBuild. Leave empty to grant no CodeBuild or CodeBuild-log access.',
    });

    const create = new CfnCondition(this, 'CreateProvider', {
      expression: Fn.conditionEquals(createProvider.valueAsString, 'true'),
    });
    const immutable = this.whenGiven('UseImmutableSubject', ownerId);
    const hasMigrationTaskRole = this.whenGiven('HasMigrationTaskRole', migrationTaskRole);
    const hasCodeBuild = this.whenGiven('HasCodeBuildProject', project);

    new CfnRule(this, 'OidcProviderChosen', {
      assertions: [
        {
          assert: Fn.conditionOr(
            Fn.conditionEquals(createProvider.valueAsString, 'true'),
            Fn.conditionNot(Fn.conditionEquals(providerArn.valueAsString, '')),
          ),
          assertDescription: 'Set OidcProviderArn, or CreateOidcProvider=true.',
        },
      ],
    });
    new CfnRule(this, 'ImmutableSubjectComplete', {
      assertions: [
        {
          assert: Fn.conditionOr(
            Fn.conditionAnd(
              Fn.conditionEquals(ownerId.valueAsString, ''),
              Fn.conditionEquals(repoId.valueAsString, ''),
            ),
            Fn.conditionAnd(
              Fn.conditionNot(Fn.conditionEquals(ownerId.valueAsString, '')),
              Fn.conditionNot(Fn.conditionEquals(repoId.valueAsString, '')),
            ),
          ),
          assertDescription:
            'Set both GitHubOwnerId and GitHubRepoId (immutable sub), or neither (name-only sub).',
        },
        {
          assert: Fn.conditionNot(Fn.conditionEquals(deployEnv.valueAsString, rollbackEnv.valueAsString)),
          assertDescription: 'RollbackEnvironment must differ from DeployEnvironment.',
        },
      ],
    });

    const provider = new CfnOIDCProvider(this, 'GitHubOidcProvider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: ['sts.amazonaws.com'],
    });
    provider.cfnOptions.condition = create;
    const federated = Fn.conditionIf(
      create.logicalId,
      provider.attrArn,
      providerArn.valueAsString,
    ).toString();

    const subject = (environment: string): string =>
      Fn.conditionIf(
        immutable.logicalId,
        Fn.join('', [
          'repo:',
          org.valueAsString,
          '@',
          ownerId.valueAsString,
          '/',
          repo.valueAsString,
          '@',
          repoId.valueAsString,
          ':environment:',
          environment,
        ]),
        Fn.join('', ['repo:', org.valueAsString, '/', repo.valueAsString, ':environment:', environment]),
      ).toString();

    const statements = (kind: RoleKind): PolicyStatement[] => [
      new PolicyStatement({
        sid: 'RunMigrationTask',
        actions: ['ecs:RunTask'],
        resources: [arn('ecs', 'task-definition/${TaskDefinitionFamily}:*')],
        conditions: { ArnEquals: { 'ecs:cluster': arn('ecs', 'cluster/${ClusterName}') } },
      }),
      new PolicyStatement({
        sid: 'TagTaskAtRunTask',
        actions: ['ecs:TagResource'],
        resources: [arn('ecs', 'task/${ClusterName}/*')],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
      // The plan only reads: it tags no task definition, registers none and deploys nothing.
      ...(kind === 'plan'
        ? []
        : [
            new PolicyStatement({
              sid: 'TagTaskDefinitionWithRelease',
              actions: ['ecs:TagResource'],
              resources: [arn('ecs', 'task-definition/${TaskDefinitionFamily}:*')],
            }),
          ]),
      new PolicyStatement({
        sid: 'WatchAndStopTasks',
        actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
        resources: [arn('ecs', 'task/${ClusterName}/*')],
      }),
      new PolicyStatement({
        sid: kind === 'plan' ? 'ReadService' : 'DeployService',
        actions: kind === 'plan' ? ['ecs:DescribeServices'] : ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [arn('ecs', 'service/${ClusterName}/${ServiceName}')],
      }),
      // RegisterTaskDefinition and DescribeTaskDefinition support no resource-level permissions: "*" is the only form.
      new PolicyStatement({
        sid: kind === 'plan' ? 'ReadTaskDefinitions' : 'RegisterTaskDefinitions',
        actions:
          kind === 'plan'
            ? ['ecs:DescribeTaskDefinition']
            : ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'ReadReleaseTags',
        actions: ['ecs:ListTagsForResource'],
        resources: [arn('ecs', 'task-definition/${TaskDefinitionFamily}:*')],
      }),
      new PolicyStatement({
        sid: 'PassAppRolesToEcsTasks',
        actions: ['iam:PassRole'],
        resources: [
          taskRole.valueAsString,
          executionRole.valueAsString,
          Fn.conditionIf(
            hasMigrationTaskRole.logicalId,
            migrationTaskRole.valueAsString,
            Aws.NO_VALUE,
          ).toString(),
        ],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
      new PolicyStatement({
        sid: 'ReadMigrationTaskLogs',
        actions: ['logs:GetLogEvents'],
        resources: [arn('logs', 'log-group:${MigrationLogGroupName}:log-stream:*')],
      }),
      new PolicyStatement({
        sid: 'ManifestObjects',
        // The rollback and plan roles only read release records: they never create one, so they cannot rewrite history either.
        actions: kind === 'deploy' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'],
        resources: [arn('s3', '${ManifestBucketName}/${ManifestPrefix}/*', false)],
      }),
      new PolicyStatement({
        sid: 'ListManifests',
        actions: ['s3:ListBucket'],
        resources: [arn('s3', '${ManifestBucketName}', false)],
        conditions: { StringLike: { 's3:prefix': [Fn.sub('${ManifestPrefix}/*')] } },
      }),
      // The deploy workflow's own steps: amazon-ecr-login, `docker push`, `aws ecr describe-images`.
      ...(kind === 'deploy'
        ? [
            new PolicyStatement({
              sid: 'EcrLogin',
              actions: ['ecr:GetAuthorizationToken'],
              resources: ['*'],
            }),
            new PolicyStatement({
              sid: 'PushAndFindReleaseImage',
              actions: [
                'ecr:BatchCheckLayerAvailability',
                'ecr:BatchGetImage',
                'ecr:CompleteLayerUpload',
                'ecr:DescribeImages',
                'ecr:InitiateLayerUpload',
                'ecr:PutImage',
                'ecr:UploadLayerPart',
              ],
              resources: [arn('ecr', 'repository/${EcrRepositoryName}')],
            }),
          ]
        : []),
    ];

    const role = (id: string, kind: RoleKind, environment: string): Role => {
      const r = new Role(this, id, {
        description: `stepback: GitHub Actions ${kind} role (environment-pinned OIDC trust).`,
        assumedBy: new FederatedPrincipal(
          federated,
          {
            StringEquals: {
              [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
              [`${GITHUB_OIDC_HOST}:sub`]: subject(environment),
            },
          },
          'sts:AssumeRoleWithWebIdentity',
        ),
        inlinePolicies: { Stepback: new PolicyDocument({ statements: statements(kind) }) },
      });
      (r.node.defaultChild as CfnRole).maxSessionDuration = maxSession.valueAsNumber;
      return r;
    };
    this.deployRole = role('DeployRole', 'deploy', deployEnv.valueAsString);
    this.rollbackRole = role('RollbackRole', 'rollback', rollbackEnv.valueAsString);
    // The dry run runs in the deploy environment (it needs that environment's variables, not its approval).
    this.planRole = role('PlanRole', 'plan', deployEnv.valueAsString);
    const ecs = 'arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>';
    for (const r of [this.deployRole, this.rollbackRole, this.planRole]) {
      const wildcard = (resource: string, reason: string) =>
        acknowledge(r, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
      wildcard(
        '*',
        'ecr:GetAuthorizationToken (deploy role), ecs:RegisterTaskDefinition and ecs:DescribeTaskDefinition support no resource-level permissions.',
      );
      wildcard(
        `${ecs}:task-definition/<TaskDefinitionFamily>:*`,
        "Every release registers a new revision of the app's one family; revisions are not known in advance.",
      );
      wildcard(
        `${ecs}:task/<ClusterName>/*`,
        'Task ids exist only once RunTask returns; scoped to the app cluster.',
      );
      wildcard(
        'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:<MigrationLogGroupName>:log-stream:*',
        'awslogs stream names carry the task id; scoped to the migration log group.',
      );
      wildcard(
        'arn:<AWS::Partition>:s3:::<ManifestBucketName>/<ManifestPrefix>/*',
        'One manifest object per release under the stepback prefix; release names are not known in advance.',
      );
    }

    const codeBuild = new Policy(this, 'CodeBuildMigration', {
      roles: [this.deployRole, this.rollbackRole, this.planRole],
      statements: [
        new PolicyStatement({
          sid: 'RunMigrationBuild',
          actions: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'],
          resources: [arn('codebuild', 'project/${CodeBuildProjectName}')],
        }),
        new PolicyStatement({
          sid: 'ReadMigrationBuildLogs',
          actions: ['logs:GetLogEvents'],
          resources: [
            arn('logs', `log-group:${codeBuildLogGroupName('${CodeBuildProjectName}')}:log-stream:*`),
          ],
        }),
      ],
    });
    (codeBuild.node.defaultChild as CfnResource).cfnOptions.condition = hasCodeBuild;
    acknowledge(
      codeBuild,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<CodeBuildProjectName>:log-stream:*]',
      'CodeBuild names each log stream after the build id; scoped to the migration project log group.',
    );

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: 'role-to-assume for aws-actions/configure-aws-credentials in the deploy job.',
    });
    new CfnOutput(this, 'PlanRoleArn', {
      value: this.planRole.roleArn,
      description: 'role-to-assume in the rollback plan (dry run) job: reads, and starts one status task.',
    });
    new CfnOutput(this, 'RollbackRoleArn', {
      value: this.rollbackRole.roleArn,
      description: 'role-to-assume in the rollback apply job.',
    });
  }
}
