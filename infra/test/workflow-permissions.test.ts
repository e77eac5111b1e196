/**
 * The roles in the committed CloudFormation grant exactly what the shipped workflows call: no AccessDenied on
 * a first real run, and nothing more. What a job calls is derived, not listed: each workflow job's steps
 * (third-party actions, `aws …` commands and `docker push` in `run:` scripts, and stepback's own actions,
 * whose AWS SDK commands are read from what esbuild puts into each action's bundle). The role a job assumes
 * is read from its `role-to-assume`. Both are compared with the role's statements in
 * infra/cloudformation/StepbackGitHubDeployRoles.template.json, resolved as CloudFormation would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Statement } from './support/iam.ts';
import { resolveTemplate, type Template } from './support/resolve.ts';

const root = resolve(import.meta.dirname, '../..');
// The build script itself, so the scan sees exactly the bundles `npm run build` writes (a path in a variable:
// the script is plain JavaScript without type declarations).
const buildScript = join(root, 'scripts/build.mjs');
const { actionEntry, bundleOptions } = (await import(buildScript)) as {
  actionEntry(name: string): string;
  bundleOptions(options: { entry: string; name: string; outdir: string }): esbuild.BuildOptions;
};
const template = JSON.parse(
  readFileSync(join(root, 'infra/cloudformation/StepbackGitHubDeployRoles.template.json'), 'utf8'),
) as Template;

// ---------------------------------------------------------------------------------------------------------
// What a step calls.

/** Third-party actions the workflows use, and the IAM actions each calls with the job's credentials. */
const THIRD_PARTY: Record<string, string[]> = {
  'actions/checkout': [],
  'actions/setup-node': [],
  // Installs Python for a Django project's record-release and rehearse: no AWS call.
  'actions/setup-python': [],
  // Assumes the role: authorized by the role's trust policy, not by its permissions.
  'aws-actions/configure-aws-credentials': [],
  // Calls ecr:GetAuthorizationToken and logs docker in with the token.
  'aws-actions/amazon-ecr-login': ['ecr:GetAuthorizationToken'],
};

/** `docker push` to an ECR repository: the layer upload calls, the image put, and the manifest read. */
const DOCKER_PUSH = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];

/** AWS CLI service names → IAM prefixes. */
const CLI_SERVICES: Record<string, string> = { ecr: 'ecr', ecs: 'ecs', logs: 'logs', s3api: 's3' };

/** IAM actions a call needs besides its own, with what makes it so. */
const ALSO_NEEDS: Record<string, string[]> = {
  // The task definition names the app's task and execution roles; ECS checks they may be passed.
  'ecs:RunTask': ['iam:PassRole', 'ecs:TagResource'], // stepback tags each task it starts (ecs-executor.ts)
  'ecs:RegisterTaskDefinition': ['iam:PassRole'],
};

/** SDK commands whose IAM action is not `<prefix>:<Operation>`. */
const SDK_ACTION: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
  's3:HeadBucket': 's3:ListBucket',
  's3:HeadObject': 's3:GetObject',
  // The SDK's S3 Express middleware bundles it; it runs only against directory buckets (`…--x-s3`), and the
  // manifest bucket (StepbackManifestBucket) is a general-purpose bucket.
  's3:CreateSession': '',
  // stepback describes task definitions with include: ['TAGS'] (task-definitions.ts), which also needs this.
  'ecs:DescribeTaskDefinition': 'ecs:DescribeTaskDefinition+ecs:ListTagsForResource',
};

const SDK_PACKAGES: Record<string, string> = {
  'client-ecs': 'ecs',
  'client-codebuild': 'codebuild',
  'client-cloudwatch-logs': 'logs',
  s3: 's3',
};
/** Clients the SDK's credential providers use to obtain credentials (authorized by trust, not by the role). */
const CREDENTIAL_CLIENTS = new Set(['client-sts', 'client-sso', 'client-sso-oidc', 'nested-clients']);

const withImplied = (actions: Iterable<string>): string[] => {
  const out = new Set<string>();
  for (const a of actions) for (const x of [a, ...(ALSO_NEEDS[a] ?? [])]) out.add(x);
  return [...out].sort();
};

/** The IAM actions of every AWS SDK command esbuild puts into an action's bundle. */
async function bundledCalls(action: string): Promise<string[]> {
  const built = await esbuild.build({
    ...bundleOptions({ entry: actionEntry(action), name: action, outdir: join(root, '.sdk-scan') }),
    write: false,
    metafile: true,
    minify: false,
  });
  const actions = new Set<string>();
  for (const output of Object.values(built.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m =
        /@aws-sdk\/(client-[a-z0-9-]+|nested-clients)\/dist-[a-z]+\/(?:submodules\/[a-z0-9-]+\/)?commands\/(\w+)Command\.js$/.exec(
          input,
        );
      if (!m || bytesInOutput === 0) continue;
      const [, pkg, operation] = m as unknown as [string, string, string];
      const short = pkg === 'client-s3' ? 's3' : pkg;
      if (CREDENTIAL_CLIENTS.has(pkg)) continue;
      const prefix = SDK_PACKAGES[short];
      if (!prefix)
        throw new Error(`${action}: bundles ${pkg} ${operation}; add the client's IAM prefix here`);
      const plain = `${prefix}:${operation}`;
      for (const a of (SDK_ACTION[plain] ?? plain).split('+')) if (a) actions.add(a);
    }
  }
  return withImplied(actions);
}

/**
 * Calls an action's bundle holds but that the action, as the workflows run it, never makes (its bundle shares
 * the flows' modules with the other actions). Each is proven by a flow test: rollback never writes a release
 * record (test/pipeline/rollback.test.ts keeps the store read-only), and a dry run changes nothing (the
 * dry-run case of test/e2e/rollback-fails-halfway.test.ts sees none of these calls).
 */
const NEVER: Record<string, string[]> = {
  rollback: ['s3:PutObject'],
  'rollback dry-run': ['s3:PutObject', 'ecs:UpdateService', 'ecs:RegisterTaskDefinition'],
};

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const OWN_ACTION = /^(?:\.\/actions\/|stepback-dev\/stepback\/actions\/)([a-z0-9-]+)(?:@.+)?$/;

/** The IAM actions of a `run:` script: `aws <service> <command>` and `docker push`. */
function scriptCalls(script: string): string[] {
  const out: string[] = [];
  // Continuation lines joined, comments dropped: one command per line.
  const text = script.replace(/\\\n\s*/g, ' ').replace(/^\s*#.*$/gm, '');
  for (const m of text.matchAll(/(?:^|[\s;|&$(`])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)/g)) {
    const [, service, command] = m as unknown as [string, string, string];
    const prefix = CLI_SERVICES[service];
    if (!prefix) throw new Error(`aws ${service} ${command}: add the service's IAM prefix here`);
    const op = command.replace(/(^|-)([a-z])/g, (_x, _d, c: string) => c.toUpperCase());
    out.push(`${prefix}:${op}`);
  }
  if (/(?:^|[\s;|&(])docker\s+push\b/m.test(text)) out.push(...DOCKER_PUSH);
  return withImplied(out);
}

interface Job {
  file: string;
  job: string;
  role: string;
  calls: string[];
}

const ROLE_BY_VARIABLE: Record<string, (environment: string) => string> = {
  // One variable name, per GitHub environment: the rollback environment holds the rollback role's ARN.
  'vars.AWS_ROLE_ARN': (env) => (env.endsWith('-rollback') ? 'RollbackRole' : 'DeployRole'),
  'vars.AWS_PLAN_ROLE_ARN': () => 'PlanRole',
  'inputs.role-to-assume': () => 'DeployRole',
  'inputs.plan-role-to-assume': () => 'PlanRole',
  'inputs.rollback-role-to-assume': () => 'RollbackRole',
};

/** A GitHub expression of the shapes the workflows use: `'lit'`, `inputs.X` (its default), `format('…{0}…', inputs.X)`, `a || b`. */
function evaluate(expr: string, value: (input: string) => string): string {
  for (const alt of expr.split('||').map((a) => a.trim())) {
    const literal = /^'(.*)'$/.exec(alt);
    const input = /^inputs\.([\w-]+)$/.exec(alt);
    const format = /^format\('(.*)',\s*inputs\.([\w-]+)\)$/.exec(alt);
    const v = literal
      ? literal[1]!
      : input
        ? value(input[1]!)
        : format
          ? format[1]!.replace('{0}', value(format[2]!))
          : undefined;
    if (v === undefined) throw new Error(`cannot evaluate \`${alt}\` here`);
    if (v !== '') return v;
  }
  return '';
}

/** The environment a job runs in, inputs taking their defaults. */
function environmentOf(job: Dict, inputs: Dict): string {
  const raw = isDict(job.environment) ? String(job.environment.name ?? '') : String(job.environment ?? '');
  const value = (name: string) => {
    const spec = inputs[name];
    return isDict(spec) && spec.default !== undefined ? String(spec.default) : '';
  };
  return raw.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, expr: string) => evaluate(expr, value));
}

async function jobsOf(file: string): Promise<Job[]> {
  const doc = parse(readFileSync(join(root, file), 'utf8')) as Dict;
  const on = isDict(doc.on) ? doc.on : {};
  const inputs = {
    ...(isDict(on.workflow_dispatch) && isDict(on.workflow_dispatch.inputs)
      ? on.workflow_dispatch.inputs
      : {}),
    ...(isDict(on.workflow_call) && isDict(on.workflow_call.inputs) ? on.workflow_call.inputs : {}),
  };
  const jobs: Job[] = [];
  for (const [id, job] of Object.entries(isDict(doc.jobs) ? doc.jobs : {})) {
    if (!isDict(job) || !Array.isArray(job.steps)) continue;
    let role: string | undefined;
    const calls = new Set<string>();
    for (const step of job.steps as Dict[]) {
      const uses = typeof step.uses === 'string' ? step.uses : undefined;
      const withs = isDict(step.with) ? step.with : {};
      if (typeof step.run === 'string') for (const c of scriptCalls(step.run)) calls.add(c);
      if (!uses) continue;
      const own = OWN_ACTION.exec(uses);
      if (own) {
        const name = own[1]!;
        const dryRun = String(withs['dry-run'] ?? 'false') === 'true';
        const executor = String(withs.executor ?? 'ecs');
        const never = new Set(NEVER[dryRun ? `${name} dry-run` : name] ?? []);
        for (const c of await callsOf(name)) {
          // CodeBuild is called only by the codebuild executor.
          if (c.startsWith('codebuild:') && executor !== 'codebuild') continue;
          // A rehearsal talks to its database only; AWS only to read `since` from an s3:// store.
          if (name === 'rehearse' && !(String(withs.store ?? '').startsWith('s3://') && c.startsWith('s3:')))
            continue;
          if (!never.has(c)) calls.add(c);
        }
        continue;
      }
      const repo = uses.replace(/@.*$/, '');
      const known = THIRD_PARTY[repo];
      if (!known) throw new Error(`${file} ${id}: ${repo} is not known here; add the IAM actions it calls`);
      for (const c of known) calls.add(c);
      if (repo === 'aws-actions/configure-aws-credentials') {
        const expr = /^\$\{\{\s*([\w.-]+)\s*\}\}$/.exec(String(withs['role-to-assume'] ?? ''))?.[1];
        const pick = expr ? ROLE_BY_VARIABLE[expr] : undefined;
        if (!pick)
          throw new Error(
            `${file} ${id}: role-to-assume ${String(withs['role-to-assume'])} names no known role`,
          );
        role = pick(environmentOf(job, inputs));
      }
    }
    if (role) jobs.push({ file, job: id, role, calls: [...calls].sort() });
    else expect([...calls], `${file} ${id} calls AWS without assuming a role`).toEqual([]);
  }
  return jobs;
}

const bundleCache = new Map<string, Promise<string[]>>();
const callsOf = (action: string) => {
  if (!bundleCache.has(action)) bundleCache.set(action, bundledCalls(action));
  return bundleCache.get(action)!;
};

const workflowFiles = () =>
  ['workflows', '.github/workflows'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => `${dir}/${f}`),
  );

// ---------------------------------------------------------------------------------------------------------
// What the template grants.

const parameters = {
  GitHubOrg: 'acme',
  GitHubRepo: 'shop',
  OidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
  ClusterName: 'prod',
  ServiceName: 'web',
  TaskDefinitionFamily: 'shop-web',
  TaskRoleArn: 'arn:aws:iam::111122223333:role/shop-task',
  ExecutionRoleArn: 'arn:aws:iam::111122223333:role/shop-exec',
  MigrationLogGroupName: '/ecs/shop-web',
  ManifestBucketName: 'acme-releases',
  EcrRepositoryName: 'shop',
};

function granted(given: Record<string, string> = {}): Record<string, string[]> {
  const resolved = resolveTemplate(template, { ...parameters, ...given });
  const out: Record<string, Set<string>> = {};
  const add = (roleRef: unknown, statements: Statement[]) => {
    const id = String(roleRef)
      .replace(/^<|>$/g, '')
      .replace(/[0-9A-F]{8}$/, '');
    out[id] ??= new Set();
    for (const s of statements) if (s.Effect === 'Allow') for (const a of [s.Action].flat()) out[id].add(a);
  };
  for (const [id, r] of Object.entries(resolved.resources)) {
    const props = r.Properties as Dict;
    if (r.Type === 'AWS::IAM::Role')
      add(
        id,
        ((props.Policies as Dict[] | undefined) ?? []).flatMap(
          (p) => (p.PolicyDocument as Dict).Statement as Statement[],
        ),
      );
    if (r.Type === 'AWS::IAM::Policy')
      for (const role of props.Roles as string[])
        add(role, (props.PolicyDocument as Dict).Statement as Statement[]);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

// ---------------------------------------------------------------------------------------------------------

describe('the GitHub roles grant what the shipped workflows call', () => {
  it('each role: exactly the union of what the jobs assuming it call, across every shipped workflow', async () => {
    const jobs = (await Promise.all(workflowFiles().map(jobsOf))).flat();
    const needed: Record<string, Set<string>> = {};
    for (const j of jobs) {
      const set = needed[j.role] ?? new Set<string>();
      for (const c of j.calls) set.add(c);
      needed[j.role] = set;
    }
    const grants = granted();
    // Every role the template creates is assumed by some job, and every job's role exists.
    expect(Object.keys(needed).sort()).toEqual(Object.keys(grants).sort());
    for (const [role, calls] of Object.entries(needed))
      expect(
        grants[role],
        `${role} (jobs: ${jobs
          .filter((j) => j.role === role)
          .map((j) => `${j.file}#${j.job}`)
          .join(', ')})`,
      ).toEqual([...calls].sort());
  });

  it("a job never calls what its role lacks (per job, so a job's own gap is named)", async () => {
    const grants = granted();
    for (const file of workflowFiles())
      for (const j of await jobsOf(file)) {
        const missing = j.calls.filter((c) => !grants[j.role]!.includes(c));
        expect(missing, `${file}#${j.job} as ${j.role}`).toEqual([]);
      }
  });

  it('with a CodeBuild project, the roles that run migrations gain exactly the CodeBuild calls the actions bundle', async () => {
    const codebuild = (await Promise.all(['migrate', 'rollback'].map(callsOf)))
      .flat()
      .filter((c) => c.startsWith('codebuild:'));
    expect(codebuild.length).toBeGreaterThan(0);
    const without = granted();
    const withProject = granted({ CodeBuildProjectName: 'stepback-migrate' });
    for (const role of ['DeployRole', 'RollbackRole', 'PlanRole'])
      expect(
        withProject[role]!.filter((a) => !without[role]!.includes(a)),
        role,
      ).toEqual([...new Set(codebuild)].sort());
  });

  it('derives the calls from the steps: ECR for the image push, the aws CLI commands, and the bundles', async () => {
    expect(
      scriptCalls('aws ecr describe-images --repository-name "$R" \\\n  --image-ids x\ndocker push "$I"'),
    ).toEqual([...DOCKER_PUSH, 'ecr:DescribeImages'].sort());
    expect(scriptCalls('arn="$(aws ecs register-task-definition --cli-input-json x)"')).toEqual([
      'ecs:RegisterTaskDefinition',
      'iam:PassRole',
    ]);
    expect(() => scriptCalls('aws s3 cp a b')).toThrow(/aws s3 cp/);
    expect(await callsOf('deploy')).toEqual(
      expect.arrayContaining(['ecs:DescribeServices', 'ecs:UpdateService']),
    );
  });
});
