// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newApp } from '../lib/common.ts';
import { MigrationSecretStack } from '../lib/migration-secret-stack.ts';
import { decide, type Statement } from './support/iam.ts';
import { type Template as Cfn, resolveTemplate } from './support/resolve.ts';

const app = newApp({ cfnValidation: false });
const stack = new MigrationSecretStack(app, 'Secret');
const template = Template.fromStack(stack);
const json = template.toJSON() as Cfn;

const APP_TASK_ROLE = 'arn:aws:iam::111122223333:role/app-task';
const APP_EXECUTION_ROLE = 'arn:aws:iam::111122223333:role/app-execution';
const EXISTING = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-1234-AbCdEf';
const MIGRATION_ROLE = '<MigrationTaskRole7F23D565.Arn>';

function policiesOf(resource: { Properties: Record<string, unknown> }): Statement[] {
  const policies = (resource.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

describe('migration secret stack', () => {
  it('creates a generated, URL-safe secret for the migration user unless an existing one is given', () => {
    const created = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE });
    const secret = Object.values(created.resources).find((r) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secret?.Properties.GenerateSecretString).toEqual({
      ExcludePunctuation: true,
      GenerateStringKey: 'password',
      PasswordLength: 32,
      SecretStringTemplate: '{"username":"stepback_migrator"}',
    });
    expect(created.outputs.MigrationSecretArn).toBe('<MigrationSecret>');

    const existing = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, ExistingSecretArn: EXISTING });
    expect(Object.values(existing.resources).some((r) => r.Type === 'AWS::SecretsManager::Secret')).toBe(
      false,
    );
    expect(existing.outputs.MigrationSecretArn).toBe(EXISTING);
    expect(existing.resources.MigrationSecretPolicy?.Properties.SecretId).toBe(EXISTING);
  });

  it("explicitly denies the app's task role (and, when given, its execution role) every action on the secret", () => {
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      BlockPublicPolicy: true,
      ResourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyAppRoles',
            Effect: 'Deny',
            Action: 'secretsmanager:*',
            Resource: '*',
            Principal: {
              AWS: [
                { Ref: 'AppTaskRoleArn' },
                {
                  'Fn::If': ['DenyAppExecutionRole', { Ref: 'AppExecutionRoleArn' }, { Ref: 'AWS::NoValue' }],
                },
              ],
            },
          },
        ],
      },
    });
    const both = resolveTemplate(json, {
      AppTaskRoleArn: APP_TASK_ROLE,
      AppExecutionRoleArn: APP_EXECUTION_ROLE,
    });
    const policy = both.resources.MigrationSecretPolicy?.Properties.ResourcePolicy as {
      Statement: Statement[];
    };
    expect(policy.Statement[0]?.Principal).toEqual({ AWS: [APP_TASK_ROLE, APP_EXECUTION_ROLE] });
    const one = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE });
    const onePolicy = one.resources.MigrationSecretPolicy?.Properties.ResourcePolicy as {
      Statement: Statement[];
    };
    expect(onePolicy.Statement[0]?.Principal).toEqual({ AWS: [APP_TASK_ROLE] });
  });

  it('the migration task role can read the secret; the app role cannot, even with secretsmanager:* on *', () => {
    for (const given of [{}, { ExistingSecretArn: EXISTING }] as Record<string, string>[]) {
      const resolved = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, ...given });
      const secretArn = resolved.outputs.MigrationSecretArn as string;
      const policyResource = resolved.resources.MigrationSecretPolicy;
      if (!policyResource) throw new Error('no resource policy on the secret');
      const resourcePolicy = (policyResource.Properties.ResourcePolicy as { Statement: Statement[] })
        .Statement;
      const migrationRole = Object.values(resolved.resources).find((r) => r.Type === 'AWS::IAM::Role')!;
      const read = { action: 'secretsmanager:GetSecretValue', resource: secretArn };

      expect(decide({ ...read, principal: MIGRATION_ROLE }, policiesOf(migrationRole), resourcePolicy)).toBe(
        'allow',
      );
      // The worst case for the app: its own identity policy allows everything in Secrets Manager.
      const generous: Statement[] = [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }];
      expect(decide({ ...read, principal: APP_TASK_ROLE }, generous, resourcePolicy)).toBe('explicit-deny');
      expect(
        decide(
          { action: 'secretsmanager:DescribeSecret', resource: secretArn, principal: APP_TASK_ROLE },
          generous,
          resourcePolicy,
        ),
      ).toBe('explicit-deny');
      // And nothing in this stack grants the app role anything: no IAM resource mentions it except the Deny.
      const mentions = Object.entries(resolved.resources)
        .filter(([id]) => id !== 'MigrationSecretPolicy')
        .filter(([, r]) => JSON.stringify(r).includes(APP_TASK_ROLE));
      expect(mentions).toEqual([]);
    }
  });

  it('gives the migration task role exactly one statement, trusted only by ECS tasks of this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*',
                },
              },
            },
          },
        ],
      },
    });
    const resolved = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, ExistingSecretArn: EXISTING });
    const role = Object.values(resolved.resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    expect(policiesOf(role)).toEqual([
      {
        Sid: 'ReadMigrationSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: EXISTING,
      },
    ]);
  });

  it('lets the migration task role read the release records under the prefix, and only that, when given the bucket', () => {
    const without = resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE });
    expect(Object.values(without.resources).filter((r) => r.Type === 'AWS::IAM::Policy')).toEqual([]);

    const resolved = resolveTemplate(json, {
      AppTaskRoleArn: APP_TASK_ROLE,
      ManifestBucketName: 'acme-releases',
      ManifestPrefix: 'shop/stepback',
    });
    const policies = Object.values(resolved.resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    expect(policies).toHaveLength(1);
    const policy = policies[0]!;
    expect(policy.Properties.Roles).toEqual(['<MigrationTaskRole7F23D565>']);
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual([
      {
        Sid: 'ReadReleaseRecords',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::acme-releases/shop/stepback/*',
      },
    ]);
    const role = Object.values(resolved.resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    const identity = [...policiesOf(role), ...statements];
    const can = (action: string, resource: string) =>
      decide({ principal: MIGRATION_ROLE, action, resource }, identity, []);
    // What `down --plan --sources-from s3://acme-releases/shop/stepback` reads: the manifest, then the bundle.
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-releases/shop/stepback/v2.json')).toBe('allow');
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-releases/shop/stepback/sources/v2.json')).toBe('allow');
    // Nothing else: no write, no listing, no other prefix or bucket.
    expect(can('s3:PutObject', 'arn:aws:s3:::acme-releases/shop/stepback/v2.json')).toBe('implicit-deny');
    expect(can('s3:ListBucket', 'arn:aws:s3:::acme-releases')).toBe('implicit-deny');
    expect(can('s3:GetObject', 'arn:aws:s3:::acme-releases/other/v2.json')).toBe('implicit-deny');
    expect(can('s3:GetObject', 'arn:aws:s3:::other-bucket/shop/stepback/v2.json')).toBe('implicit-deny');
  });

  it('rejects parameter values outside the allowed patterns', () => {
    expect(() => resolveTemplate(json, { AppTaskRoleArn: 'app-task' })).toThrow(/AppTaskRoleArn/);
    expect(() =>
      resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, ExistingSecretArn: 'my-secret' }),
    ).toThrow(/ExistingSecretArn/);
    expect(() =>
      resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, MigrationDbUsername: 'Robert"); drop' }),
    ).toThrow(/MigrationDbUsername/);
    expect(() =>
      resolveTemplate(json, { AppTaskRoleArn: APP_TASK_ROLE, ManifestBucketName: 'Not_A_Bucket' }),
    ).toThrow(/ManifestBucketName/);
  });
});
