// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ github.token }}` is a GitHub expression
/**
 * Input documentation shared by the action.yml files and `stepback pipeline --help`: the words for each
 * action and input, here; whether an input is required and its default, from its schema in inputs.ts (what
 * '' parses to), so neither is written twice. Each action.yml repeats the result by hand (GitHub reads only
 * the YAML); test/actions/action-yml.test.ts checks that they agree, input by input, defaults included.
 */
import { TOOL_NAMES } from '../migrate/adopt/tools.ts';
import { type ActionName, actionInputs } from './inputs.ts';

/** An input in words. */
interface InputText {
  description: string;
  /** The action.yml default when it is a workflow expression the runner fills in (the CLI has none). */
  actionDefault?: string;
}

/** An input as action.yml declares it. */
export interface InputDoc {
  description: string;
  required: boolean;
  default?: string;
}

/** How a release is deployed: the inputs rollback and deploy share (inputs.ts deployInputs). */
const DEPLOY_TARGET_INPUTS: Record<string, InputText> = {
  'deploy-target': {
    description:
      'What is deployed: `ecs` (an ECS service) or `file` (a local JSON state file, for trials without AWS).',
  },
  'state-file': {
    description: 'Deploy-target `file`: the JSON file recording the live release.',
  },
  drain: {
    description:
      'Scale the service to zero before switching (`true`/`false`), for code that cannot run during the switch.',
  },
};

/** Which engine's migrations a step handles (inputs.ts engineInputs). */
const ENGINE_INPUTS: Record<string, InputText> = {
  engine: {
    description:
      "Whose migrations these are: `stepback` (stepback's own files, run by the stepback CLI in the image) or `django` (the project's Django migrations, run through the image's own `manage.py shell -c`; no Node or stepback needed in the image). Must match the engine the releases were recorded with.",
  },
  'manage-command': {
    description:
      "Engine `django`: how to start the project's manage.py where the run happens (the image's working directory, or this runner's for record-release and executor `runner`), e.g. `/usr/bin/python3 /app/manage.py`. Quotes group words.",
  },
};

/** The executor inputs `migrate` and `rollback` share (the rollback runs its downs the same way). */
const EXECUTOR_INPUTS: Record<string, InputText> = {
  ...ENGINE_INPUTS,
  executor: {
    description:
      'Where `stepback` runs: `ecs` (a one-off task from the task definition), `codebuild` (a build of codebuild-project) or `runner` (on this runner, which must reach the database).',
  },
  cluster: {
    description:
      'ECS cluster (name or ARN) of the one-off task and of the service. Required with executor `ecs` (and deploy-target `ecs`).',
  },
  service: {
    description:
      'ECS service. The one-off task copies its network configuration from it when subnets are not given.',
  },
  container: {
    description:
      'Name of the container in the task definition that runs `stepback`; its exit code decides success. Required with executor `ecs`.',
  },
  subnets: {
    description:
      'Comma-separated subnet IDs for the one-off task (awsvpc). Required with executor `ecs` on FARGATE unless `service` is given.',
  },
  'security-groups': {
    description: 'Comma-separated security group IDs for the one-off task.',
  },
  'assign-public-ip': {
    description: 'Give the one-off task a public IP (`true`/`false`), for public subnets without NAT.',
  },
  'launch-type': {
    description: 'Launch type of the one-off task: `FARGATE`, `EC2` or `EXTERNAL`.',
  },
  'task-role-arn': {
    description:
      "IAM role the one-off migration task runs as (RunTask `overrides.taskRoleArn`), e.g. the migration task role from infra/ (`MigrationTaskRoleArn`); the deploy and rollback roles need `iam:PassRole` on it, which the infra/ roles stack grants when given the same ARN. Empty: the task definition's task role. Executor `ecs` only.",
  },
  'entry-point-runs-command': {
    description:
      'Executor `ecs`: the migration container\'s task definition `entryPoint` runs its arguments (it ends in `exec "$@"`, e.g. after fetching a secret), so stepback\'s command may run through it (`true`/`false`). Without it, a container with an entry point other than `["env"]` is refused before any task starts: RunTask overrides only the command, which becomes the arguments of an entry point that may start the app instead.',
  },
  'codebuild-project': {
    description:
      'CodeBuild project that runs `stepback` (the build runs the command passed in). Required with executor `codebuild`.',
  },
  'migrations-dir': {
    description:
      'Executor `runner`: the migrations directory in the checkout (for a rollback: a checkout of the NEWER release, whose down files run).',
  },
  'runner-command': {
    description:
      'How to start the stepback CLI: inside the image (executors `ecs`, `codebuild`) or on this runner (executor `runner`, e.g. `node tools/stepback.js`). Split on spaces and run without a shell, so `&&`, `|`, `;`, `$`, quotes and redirections are refused: put shell steps in a script that ends with `exec stepback "$@"`. Default: the first of `node_modules/.bin/stepback`, `stepback` on PATH (the standalone executable) and `npx --no-install --offline stepback`, through `sh -c`.',
  },
  'database-url': {
    description:
      'Executor `runner`: PostgreSQL URL (pass a secret; it is masked). Defaults to env DATABASE_URL.',
  },
  'timeout-minutes': {
    description: 'Give up after this many minutes per step (the task or build is stopped), 1-720.',
  },
  region: {
    description: 'AWS region (default: AWS_REGION from configure-aws-credentials).',
  },
};

const WORDS: Record<ActionName, { description: string; inputs: Record<string, InputText> }> = {
  migrate: {
    description:
      'Run `stepback up` once for a release (one-off ECS task, CodeBuild build, or on the runner) and report what it applied.',
    inputs: {
      release: {
        description: 'The release being deployed; recorded with every migration it applies.',
      },
      'task-definition': {
        description:
          "Full ARN of the release's task definition (the new image). Required with executor `ecs`.",
      },
      image: {
        description:
          "Executor `codebuild`: the release's image, used as the build image (default: the project's image).",
      },
      'single-transaction': {
        description: 'Apply all pending migrations in one transaction, all or nothing (`true`/`false`).',
      },
      adopt: {
        description:
          "Before applying, take over the history of the tool that migrated this database until now (`stepback up --adopt`: golang-migrate, migratus, dbmate, goose, Flyway, diesel, node-pg-migrate), only when stepback's state tables do not exist yet; later runs adopt nothing and say so. A refusal (exit 3) applies nothing (`true`/`false`).",
      },
      'adopt-from': {
        description: `With \`adopt\`: the tool whose state table to read when the database has several (${TOOL_NAMES.map((t) => `\`${t}\``).join(', ')}). Default: the one found.`,
      },
      ...EXECUTOR_INPUTS,
    },
  },
  'record-release': {
    description:
      "Store the release's manifest (every migration with checksums, the image digest and the full task definition) and tag the task definition with the release.",
    inputs: {
      release: { description: 'The release name (e.g. the tag, `v1.4.0`).' },
      store: {
        description:
          'Where manifests are kept: `s3://bucket/prefix`, `github-release://owner/repo` or `file:///dir`.',
      },
      'migrations-dir': {
        description: 'The migrations directory (the same files that go into the image).',
      },
      image: {
        description: 'The image reference by digest, `<registry>/app@sha256:<digest>`.',
      },
      'task-definition': {
        description:
          "Full ARN of the release's registered task definition; its full definition is stored for re-registration.",
      },
      'tag-task-definition': {
        description: 'Tag the task definition with `stepback:release=<release>` (`true`/`false`).',
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        actionDefault: '${{ github.token }}',
      },
      region: { description: 'AWS region (default: AWS_REGION).' },
      engine: {
        description:
          "Whose migrations these are: `stepback` (the files of migrations-dir, stored with the manifest as the release's source bundle) or `django` (the graph as this checkout's Django loads it, through manage-command: the job needs Python with the app's requirements installed; no source bundle is stored, as Django migrations are code).",
      },
      'manage-command': ENGINE_INPUTS['manage-command']!,
    },
  },
  rollback: {
    description:
      "Roll back to an older release: plan, run the newer image's down migrations once, then deploy the older task definition and wait until it is stable. Stops before the deploy on any refusal or failure.",
    inputs: {
      'to-release': { description: 'The release to roll back to (the older one).' },
      'from-release': {
        description:
          'The release live now. Default: discovered from the service (the task definition tag `stepback:release`, else the store).',
      },
      store: {
        description:
          'Where manifests are kept: `s3://bucket/prefix`, `github-release://owner/repo` or `file:///dir`.',
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        actionDefault: '${{ github.token }}',
      },
      'dry-run': {
        description: 'Plan and report only; change nothing (`true`/`false`).',
      },
      'sources-from-store': {
        description:
          "When the newer release's image cannot be pulled (ECS: CannotPullContainerError; CodeBuild: the build fails in PROVISIONING pulling its image), run the status and its downs in the older release's task definition instead (CodeBuild: the older release's recorded image), the downs from the newer release's source bundle in `store` (`true`/`false`). The older image's stepback must support `down --sources-from`, and the role it runs as must be able to read the store.",
      },
      ...EXECUTOR_INPUTS,
      ...DEPLOY_TARGET_INPUTS,
    },
  },
  deploy: {
    description:
      'Update a service to a task definition and wait until the new deployment itself is stable (the same code the rollback uses).',
    inputs: {
      'task-definition': {
        description:
          'Full ARN of the task definition to deploy. Required with deploy-target `ecs`; deploy-target `file` records it when given.',
      },
      release: {
        description:
          'The release name, for logs and the summary; deploy-target `file` records it as live (required there without task-definition).',
      },
      ...DEPLOY_TARGET_INPUTS,
      cluster: {
        description: 'ECS cluster of the service. Required with deploy-target `ecs`.',
      },
      service: {
        description: 'ECS service to update. Required with deploy-target `ecs`.',
      },
      'timeout-minutes': {
        description: 'Give up waiting (per step) after this many minutes, 1-720.',
      },
      region: { description: 'AWS region (default: AWS_REGION).' },
    },
  },
  rehearse: {
    description:
      "Rehearse this release's down migrations in a scratch database before it ships: each new migration up, down, compare the schema, up again; then the whole release down.",
    inputs: {
      'migrations-dir': { description: 'The migrations directory.' },
      release: { description: "This release's name, for the report." },
      since: {
        description:
          'The previous release to start from: a release name in `store`, or a manifest JSON file. Default: an empty database.',
      },
      store: {
        description:
          'Where release manifests are kept (to fetch `since` by name): `s3://\u2026`, `github-release://\u2026` or `file:///\u2026`.',
      },
      'database-url': {
        description:
          "PostgreSQL server for the scratch database (created and dropped; the URL's own database is never touched). Pass a secret; it is masked. Default: env DATABASE_URL.",
      },
      'require-reversible': {
        description: 'Fail when a new migration has no down (`true`/`false`).',
      },
      all: {
        description:
          'Rehearse every new migration, even those the cache says were rehearsed (`true`/`false`).',
      },
      'cache-file': {
        description:
          'Rehearsal cache file to read and update (default: none, every run rehearses everything new).',
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        actionDefault: '${{ github.token }}',
      },
      engine: {
        description:
          "Whose migrations these are: `stepback` (the files of migrations-dir) or `django` (the project's Django migrations, each made by this checkout's Django through manage-command, one `manage.py shell` pointed at the scratch database: the job needs Python with the app's requirements installed; migrations-dir and cache-file are not read, and `since` must be a Django release's manifest).",
      },
      'manage-command': {
        description:
          "Engine `django`: how to start this checkout's manage.py on the runner, from the job's working directory, e.g. `python manage.py` (after actions/setup-python). Quotes group words.",
      },
    },
  },
};

/** An input's default as action.yml writes it: the value '' parses to, or none for a required input. */
function schemaDefault(schema: { safeParse(raw: string): { success: boolean; data?: unknown } }): {
  required: boolean;
  default?: string;
} {
  const parsed = schema.safeParse('');
  if (!parsed.success) return { required: true };
  const value = parsed.data;
  return {
    required: false,
    default: value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value),
  };
}

function documented(name: ActionName): { description: string; inputs: Record<string, InputDoc> } {
  const { description, inputs: words } = WORDS[name];
  const schemas = actionInputs[name] as Record<string, Parameters<typeof schemaDefault>[0]>;
  const undocumented = Object.keys(schemas).filter((input) => !(input in words));
  const unparsed = Object.keys(words).filter((input) => !(input in schemas));
  if (undocumented.length > 0 || unparsed.length > 0)
    throw new Error(
      `inputs of ${name}: without words ${undocumented.join(', ') || '-'}; without a schema ${unparsed.join(', ') || '-'}`,
    );
  const inputs: Record<string, InputDoc> = {};
  for (const [input, text] of Object.entries(words)) {
    const fromSchema = schemaDefault(schemas[input]!);
    inputs[input] = {
      description: text.description,
      ...fromSchema,
      ...(text.actionDefault !== undefined ? { default: text.actionDefault } : {}),
    };
  }
  return { description, inputs };
}

/** Every action's description and inputs, as its action.yml declares them. */
export const INPUT_DOCS = Object.fromEntries(
  (Object.keys(WORDS) as ActionName[]).map((name) => [name, documented(name)]),
) as Record<ActionName, { description: string; inputs: Record<string, InputDoc> }>;
