// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${Name} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The migration database credentials, kept apart from the app's. Migrations need DDL rights the serving app
 * should not hold, so they get their own database user and their own secret: readable by the migration task
 * role (and, in its own stack, the CodeBuild migration role) and explicitly denied to the app's task role.
 * Given the manifest bucket, the migration task role may also read the release records under its prefix:
 * a rollback whose newer image cannot be pulled runs `down --plan --sources-from s3://…` in the older image,
 * which reads the newer release's manifest and source bundle itself.
 */
import { Aws, CfnCondition, CfnOutput, Fn, type StackProps } from 'aws-cdk-lib';
import {
  ArnPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnResourcePolicy, CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge, patterns, StepbackStack } from './common.ts';
import { readReleaseRecords } from './release-records.ts';

export class MigrationSecretStack extends StepbackStack {
  readonly migrationTaskRole: Role;
  /** The secret's ARN: the created secret, or ExistingSecretArn. */
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description:
        'stepback: the migration database secret, a migration task role that can read it, and an explicit deny for the app task role.',
    });

    const existingSecretArn = this.param('ExistingSecretArn', {
      default: '',
      allowedPattern: `^$|${patterns.secretArn}`,
      description:
        'Full ARN of an existing secret (JSON with "username" and "password", e.g. an RDS-managed secret) holding the migration user. Leave empty to create one with a generated password.',
    });
    const username = this.param('MigrationDbUsername', {
      default: 'stepback_migrator',
      allowedPattern: '^[a-z_][a-z0-9_]{0,62}$',
      description:
        'Database user stored in a created secret (ignored with ExistingSecretArn). Create this PostgreSQL role with the generated password and DDL rights.',
    });
    const appTaskRoleArn = this.param('AppTaskRoleArn', {
      allowedPattern: patterns.roleArn,
      description:
        "ARN of the app's ECS task role (the serving containers). The secret's resource policy denies it every secretsmanager action.",
    });

    const appExecutionRoleArn = this.param('AppExecutionRoleArn', {
      default: '',
      allowedPattern: `^$|${patterns.roleArn}`,
      description:
        "ARN of the app's task execution role, denied as well (it resolves a task definition's secrets, so it must not be able to hand this one to the app). Leave empty to deny only AppTaskRoleArn.",
    });

    const existing = this.whenGiven('UseExistingSecret', existingSecretArn);
    const denyExecutionRole = this.whenGiven('DenyAppExecutionRole', appExecutionRoleArn);
    const create = new CfnCondition(this, 'CreateSecret', {
      expression: Fn.conditionNot(existing),
    });

    const secret = new CfnSecret(this, 'MigrationSecret', {
      description: 'stepback: credentials of the database user that runs migrations (not the app user).',
      generateSecretString: {
        secretStringTemplate: Fn.toJsonString({ username: username.valueAsString }),
        generateStringKey: 'password',
        passwordLength: 32,
        // URL-safe characters only, so the password can also be written into a postgres:// URL unescaped.
        excludePunctuation: true,
      },
    });
    secret.cfnOptions.condition = create;
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Rotating a database password needs a rotation Lambda in the database VPC; use ExistingSecretArn with an RDS-managed (rotated) secret for rotation.',
    );

    this.secretArn = Fn.conditionIf(
      existing.logicalId,
      existingSecretArn.valueAsString,
      secret.ref,
    ).toString();

    // The explicit statement that keeps the serving app away from the migration credentials, whatever its
    // identity policy says (an explicit Deny in a resource policy wins over any Allow).
    new CfnResourcePolicy(this, 'MigrationSecretPolicy', {
      secretId: this.secretArn,
      blockPublicPolicy: true,
      resourcePolicy: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'DenyAppRoles',
            effect: Effect.DENY,
            principals: [
              new ArnPrincipal(appTaskRoleArn.valueAsString),
              new ArnPrincipal(
                Fn.conditionIf(
                  denyExecutionRole.logicalId,
                  appExecutionRoleArn.valueAsString,
                  Aws.NO_VALUE,
                ).toString(),
              ),
            ],
            actions: ['secretsmanager:*'],
            resources: ['*'],
          }),
        ],
      }),
    });

    acknowledge(this, 'CloudFormation-Validate::W2509', 'ExistingSecretArn is an ARN, not a secret value.');
    acknowledge(
      this,
      'CloudFormation-Validate::W1001',
      'The output takes the created secret only under CreateSecret (Fn::If), and ExistingSecretArn otherwise.',
    );
    acknowledge(
      this,
      'CloudFormation-Validate::W1030',
      'SecretId takes ExistingSecretArn only when it is non-empty (Fn::If); otherwise the created secret.',
    );

    this.migrationTaskRole = new Role(this, 'MigrationTaskRole', {
      description:
        'stepback: task role for the one-off migration task (RunTask overrides.taskRoleArn); reads only the migration secret and, given the manifest bucket, the release records.',
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Fn.sub('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*'),
          },
        },
      }),
      inlinePolicies: {
        ReadMigrationSecret: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'ReadMigrationSecret',
              actions: ['secretsmanager:GetSecretValue'],
              resources: [this.secretArn],
            }),
          ],
        }),
      },
    });

    readReleaseRecords(this, this.migrationTaskRole);

    new CfnOutput(this, 'MigrationSecretArn', {
      value: this.secretArn,
      description: 'For the CodeBuild stack (MigrationSecretArn) and the migration task.',
    });
    new CfnOutput(this, 'MigrationTaskRoleArn', {
      value: this.migrationTaskRole.roleArn,
      description:
        'Pass as the migration task role (RunTask taskRoleArn override) and to the deploy roles stack.',
    });
  }
}
