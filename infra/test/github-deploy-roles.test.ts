import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newApp } from '../lib/common.ts';
import { GitHubDeployRolesStack } from '../lib/github-deploy-roles-stack.ts';
import type { Statement } from './support/iam.ts';
import { type Template as Cfn, resolveTemplate } from './support/resolve.ts';

const app = newApp({ cfnValidation: false });
const stack = new GitHubDeployRolesStack(app, 'Roles');
const template = Template.fromStack(stack);
const json = template.toJSON() as Cfn;

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const required = {
  GitHubOrg: 'acme',
  GitHubRepo: 'shop',
  OidcProviderArn: PROVIDER,
  ClusterName: 'prod',
  ServiceName: 'web',
  TaskDefinitionFamily: 'shop-web',
  TaskRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-task`,
  ExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/shop-exec`,
  MigrationLogGroupName: '/ecs/shop-web',
  ManifestBucketName: 'acme-releases',
  EcrRepositoryName: 'shop',
};

type ResolvedRole = {
  Properties: {
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
    MaxSessionDuration: string;
  };
};

function roles(given: Record<string, string> = {}) {
  const resolved = resolveTemplate(json, { ...required, ...given });
  const byPrefix = (prefix: string) =>
    Object.entries(resolved.resources).find(([id]) => id.startsWith(prefix))?.[1] as unknown as ResolvedRole;
  const statements = (role: ResolvedRole) =>
    role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
  const deploy = byPrefix('DeployRole');
  const rollback = byPrefix('RollbackRole');
  const plan = byPrefix('PlanRole');
  return {
    resolved,
    deploy,
    rollback,
    plan,
    deployStatements: statements(deploy),
    rollbackStatements: statements(rollback),
    planStatements: statements(plan),
  };
}

const ecs = `arn:aws:ecs:${REGION}:${ACCOUNT}`;
const expectedStatements = (manifestActions: string | string[], passRoles: string[]): Statement[] => [
  {
    Sid: 'RunMigrationTask',
    Effect: 'Allow',
    Action: 'ecs:RunTask',
    Resource: `${ecs}:task-definition/shop-web:*`,
    Condition: { ArnEquals: { 'ecs:cluster': `${ecs}:cluster/prod` } },
  },
  {
    Sid: 'TagTaskAtRunTask',
    Effect: 'Allow',
    Action: 'ecs:TagResource',
    Resource: `${ecs}:task/prod/*`,
    Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
  },
  {
    Sid: 'TagTaskDefinitionWithRelease',
    Effect: 'Allow',
    Action: 'ecs:TagResource',
    Resource: `${ecs}:task-definition/shop-web:*`,
  },
  {
    Sid: 'WatchAndStopTasks',
    Effect: 'Allow',
    Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
    Resource: `${ecs}:task/prod/*`,
  },
  {
    Sid: 'DeployService',
    Effect: 'Allow',
    Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
    Resource: `${ecs}:service/prod/web`,
  },
  {
    Sid: 'RegisterTaskDefinitions',
    Effect: 'Allow',
    Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
    Resource: '*',
  },
  {
    Sid: 'ReadReleaseTags',
    Effect: 'Allow',
    Action: 'ecs:ListTagsForResource',
    Resource: `${ecs}:task-definition/shop-web:*`,
  },
  {
    Sid: 'PassAppRolesToEcsTasks',
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: passRoles,
    Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  },
  {
    Sid: 'ReadMigrationTaskLogs',
    Effect: 'Allow',
    Action: 'logs:GetLogEvents',
    Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/shop-web:log-stream:*`,
  },
  {
    Sid: 'ManifestObjects',
    Effect: 'Allow',
    Action: manifestActions,
    Resource: 'arn:aws:s3:::acme-releases/stepback/*',
  },
  {
    Sid: 'ListManifests',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: 'arn:aws:s3:::acme-releases',
    Condition: { StringLike: { 's3:prefix': ['stepback/*'] } },
  },
];

/** The deploy workflow's own steps: ECR login, the image push and the digest lookup. */
const ecrStatements: Statement[] = [
  { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
  {
    Sid: 'PushAndFindReleaseImage',
    Effect: 'Allow',
    Action: [
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:CompleteLayerUpload',
      'ecr:DescribeImages',
      'ecr:InitiateLayerUpload',
      'ecr:PutImage',
      'ecr:UploadLayerPart',
    ],
    Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/shop`,
  },
];

describe('GitHub deploy roles stack', () => {
  it('grants the deploy role exactly the calls the actions and the workflow steps make, and nothing else', () => {
    const { deployStatements } = roles();
    expect(deployStatements).toEqual([
      ...expectedStatements(
        ['s3:GetObject', 's3:PutObject'],
        [required.TaskRoleArn, required.ExecutionRoleArn],
      ),
      ...ecrStatements,
    ]);
  });

  it('grants the plan role reads and the status task only: no deploy, registration, task definition tag, record or image', () => {
    const { planStatements } = roles();
    const writes = ['RegisterTaskDefinition', 'UpdateService', 's3:PutObject', 'ecr:'];
    const expected = expectedStatements('s3:GetObject', [required.TaskRoleArn, required.ExecutionRoleArn])
      .filter((st) => st.Sid !== 'TagTaskDefinitionWithRelease')
      .map((st) =>
        st.Sid === 'DeployService'
          ? { ...st, Sid: 'ReadService', Action: 'ecs:DescribeServices' }
          : st.Sid === 'RegisterTaskDefinitions'
            ? { ...st, Sid: 'ReadTaskDefinitions', Action: 'ecs:DescribeTaskDefinition' }
            : st,
      );
    expect(planStatements).toEqual(expected);
    for (const w of writes) expect(JSON.stringify(planStatements)).not.toContain(w);
  });

  it('grants the rollback role the same, except it cannot write manifests', () => {
    const { rollbackStatements } = roles();
    expect(rollbackStatements).toEqual(
      expectedStatements('s3:GetObject', [required.TaskRoleArn, required.ExecutionRoleArn]),
    );
    expect(JSON.stringify(rollbackStatements)).not.toContain('s3:PutObject');
  });

  it('adds the migration task role to PassRole only when it is given', () => {
    const migrationRole = `arn:aws:iam::${ACCOUNT}:role/stepback-migration`;
    const { deployStatements, rollbackStatements, planStatements } = roles({
      MigrationTaskRoleArn: migrationRole,
    });
    for (const statements of [deployStatements, rollbackStatements, planStatements]) {
      expect(statements.find((s) => s.Sid === 'PassAppRolesToEcsTasks')?.Resource).toEqual([
        required.TaskRoleArn,
        required.ExecutionRoleArn,
        migrationRole,
      ]);
    }
  });

  it('uses the manifest prefix given', () => {
    const { deployStatements } = roles({ ManifestPrefix: 'releases/shop' });
    expect(deployStatements.find((s) => s.Sid === 'ManifestObjects')?.Resource).toBe(
      'arn:aws:s3:::acme-releases/releases/shop/*',
    );
    expect(deployStatements.find((s) => s.Sid === 'ListManifests')?.Condition).toEqual({
      StringLike: { 's3:prefix': ['releases/shop/*'] },
    });
    expect(() => roles({ ManifestPrefix: '/leading' })).toThrow(/ManifestPrefix/);
    expect(() => roles({ ManifestPrefix: 'trailing/' })).toThrow(/ManifestPrefix/);
  });

  it('grants CodeBuild StartBuild/BatchGetBuilds/StopBuild and its logs only when a project is named', () => {
    const without = roles();
    expect(Object.values(without.resolved.resources).filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual(
      [],
    );
    expect(JSON.stringify(without.resolved.resources)).not.toContain('codebuild');

    const { resolved } = roles({ CodeBuildProjectName: 'stepback-migrate' });
    const policies = Object.values(resolved.resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    const policy = policies[0]!.Properties as { Roles: string[]; PolicyDocument: { Statement: Statement[] } };
    expect(policy.Roles).toEqual(['<DeployRole885297C3>', '<RollbackRole0EF2EAE4>', '<PlanRole42C4D327>']);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'RunMigrationBuild',
        Effect: 'Allow',
        Action: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'],
        Resource: `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/stepback-migrate`,
      },
      {
        Sid: 'ReadMigrationBuildLogs',
        Effect: 'Allow',
        Action: 'logs:GetLogEvents',
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/stepback-migrate:log-stream:*`,
      },
    ]);
  });

  it("trusts only GitHub OIDC tokens for sts.amazonaws.com from the repository and the role's own environment", () => {
    const { deploy, rollback, plan } = roles();
    const trust = (environment: string) => [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: PROVIDER },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': `repo:acme/shop:environment:${environment}`,
          },
        },
      },
    ];
    expect(deploy.Properties.AssumeRolePolicyDocument.Statement).toEqual(trust('production'));
    expect(rollback.Properties.AssumeRolePolicyDocument.Statement).toEqual(trust('production-rollback'));
    // The dry run runs in the deploy environment, for its variables; it needs no approval.
    expect(plan.Properties.AssumeRolePolicyDocument.Statement).toEqual(trust('production'));
    // No wildcard matching anywhere in the trust: StringEquals only, never StringLike or ForAllValues.
    for (const role of [deploy, rollback, plan]) {
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).not.toMatch(
        /StringLike|ForAllValues|ForAnyValue/,
      );
    }
  });

  it('pins the immutable sub form (repo:OWNER@ID/REPO@ID:…) when the numeric ids are given', () => {
    const { deploy, rollback } = roles({
      GitHubOwnerId: '123',
      GitHubRepoId: '456',
      RollbackEnvironment: 'undo',
    });
    const sub = (role: ResolvedRole) => {
      const equals = role.Properties.AssumeRolePolicyDocument.Statement[0]?.Condition?.StringEquals ?? {};
      return equals['token.actions.githubusercontent.com:sub'];
    };
    expect(sub(deploy)).toBe('repo:acme@123/shop@456:environment:production');
    expect(sub(rollback)).toBe('repo:acme@123/shop@456:environment:undo');
  });

  it('asserts at deploy time that both ids or neither are given, and that the environments differ', () => {
    template.templateMatches({
      Rules: {
        ImmutableSubjectComplete: {
          Assertions: [
            {
              Assert: {
                'Fn::Or': [
                  {
                    'Fn::And': [
                      { 'Fn::Equals': [{ Ref: 'GitHubOwnerId' }, ''] },
                      { 'Fn::Equals': [{ Ref: 'GitHubRepoId' }, ''] },
                    ],
                  },
                  {
                    'Fn::And': [
                      { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'GitHubOwnerId' }, ''] }] },
                      { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'GitHubRepoId' }, ''] }] },
                    ],
                  },
                ],
              },
            },
            {
              Assert: {
                'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeployEnvironment' }, { Ref: 'RollbackEnvironment' }] }],
              },
            },
          ],
        },
        OidcProviderChosen: {
          Assertions: [
            {
              Assert: {
                'Fn::Or': [
                  { 'Fn::Equals': [{ Ref: 'CreateOidcProvider' }, 'true'] },
                  { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'OidcProviderArn' }, ''] }] },
                ],
              },
            },
          ],
        },
      },
    });
  });

  it('creates the OIDC provider only when asked, and then trusts it', () => {
    expect(Object.values(roles().resolved.resources).some((r) => r.Type === 'AWS::IAM::OIDCProvider')).toBe(
      false,
    );
    const { resolved, deploy } = roles({ CreateOidcProvider: 'true', OidcProviderArn: '' });
    expect(resolved.resources.GitHubOidcProvider?.Properties).toEqual({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    expect(deploy.Properties.AssumeRolePolicyDocument.Statement[0]?.Principal).toEqual({
      Federated: '<GitHubOidcProvider.Arn>',
    });
  });

  it('lets the session length be raised for long migrations', () => {
    expect(roles().deploy.Properties.MaxSessionDuration).toBe('3600');
    expect(roles({ MaxSessionDurationSeconds: '21600' }).rollback.Properties.MaxSessionDuration).toBe(
      '21600',
    );
    template.templateMatches({
      Parameters: { MaxSessionDurationSeconds: { MinValue: 3600, MaxValue: 43200 } },
    });
  });

  it('documents every parameter', () => {
    for (const [name, spec] of Object.entries(json.Parameters ?? {})) {
      expect((spec as { Description?: string }).Description, name).toMatch(/\w{3,}/);
    }
  });
});
