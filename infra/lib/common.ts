/**
 * What every stepback stack shares: a synthesizer that writes no bootstrap version rule or assets (the
 * committed templates deploy with plain `aws cloudformation deploy`), no analytics metadata (the output must be
 * byte-for-byte stable), and small helpers that keep parameters and acknowledgements uniform.
 */
import {
  App,
  CfnCondition,
  CfnParameter,
  type CfnParameterProps,
  CliCredentialsStackSynthesizer,
  Fn,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

export interface AppOptions {
  outdir?: string;
  /**
   * CDK's built-in CloudFormation validation at synth (on by default, as in the synth script). Tests turn it off:
   * it is the slowest part of synthesis and the synth script and CI already run it on the same templates.
   */
  cfnValidation?: boolean;
}

/** An App without tree metadata or analytics, so synthesis output depends on the code only. */
export function newApp(options: AppOptions = {}): App {
  return new App({
    analyticsReporting: false,
    treeMetadata: false,
    builtinCloudFormationValidation: options.cfnValidation ?? true,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
}

/** A stack with stable, bootstrap-free synthesis. Every input is a CloudFormation parameter. */
export class StepbackStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { description: string }) {
    super(scope, id, {
      ...props,
      analyticsReporting: false,
      // Emits no BootstrapVersion parameter or rule (unlike the default synthesizer), so the committed templates
      // deploy anywhere with plain CloudFormation; `cdk deploy` uses the caller's own credentials (no bootstrap
      // roles) and only needs the bootstrap bucket to upload the template.
      synthesizer: new CliCredentialsStackSynthesizer(),
    });
  }

  /** A parameter whose logical id is exactly `id`, so `Fn.sub('${Id}')` and `--parameter-overrides Id=…` work. */
  param(id: string, props: CfnParameterProps & { description: string }): CfnParameter {
    return new CfnParameter(this, id, { type: 'String', ...props });
  }

  /** A condition that holds when an optional (empty-by-default) parameter was given a value. */
  whenGiven(id: string, parameter: CfnParameter): CfnCondition {
    return new CfnCondition(this, id, {
      expression: Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, '')),
    });
  }
}

/** Record a cdk-nag finding as accepted on `scope`, with the one-line reason a reviewer reads. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

// Patterns shared by the parameters (CloudFormation AllowedPattern is a Java regex over the whole value).
export const patterns = {
  roleArn: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$',
  secretArn: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$',
  ecsName: '^[A-Za-z0-9_-]{1,255}$',
  logGroupName: '^[A-Za-z0-9_/.#-]{1,512}$',
  bucketName: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
} as const;
