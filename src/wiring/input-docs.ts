// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ github.token }}` is a GitHub expression
/**
 * Input documentation shared by the action.yml files and `stepback pipeline --help`.
 * Each action.yml repeats these by hand (GitHub reads only the YAML); test/actions/action-yml.test.ts checks
 * that both agree, input by input.
 */
export interface InputDoc {
  description: string;
  required: boolean;
  default?: string;
}

/** How a release is deployed: the inputs rollback and deploy share (inputs.ts deployInputs). */
const DEPLOY_TARGET_INPUTS: Record<string, InputDoc> = {
  'deploy-target': {
    description:
      'What is deployed: `ecs` (an ECS service) or `file` (a local JSON state file, for trials without AWS).',
    required: false,
    default: 'ecs',
  },
  'state-file': {
    description: 'Deploy-target `file`: the JSON file recording the live release.',
    required: false,
    default: '',
  },
  drain: {
    description:
      'Scale the service to zero before switching (`true`/`false`), for code that cannot run during the switch.',
    required: false,
    default: 'false',
  },
};

/** The executor inputs `migrate` and `rollback` share (the rollback runs its downs the same way). */
const EXECUTOR_INPUTS: Record<string, InputDoc> = {
  executor: {
    description:
      'Where `stepback` runs: `ecs` (a one-off task from the task definition), `codebuild` (a build of codebuild-project) or `runner` (on this runner, which must reach the database).',
    required: false,
    default: 'ecs',
  },
  cluster: {
    description:
      'ECS cluster (name or ARN) of the one-off task and of the service. Required with executor `ecs` (and deploy-target `ecs`).',
    required: false,
    default: '',
  },
  service: {
    description:
      'ECS service. The one-off task copies its network configuration from it when subnets are not given.',
    required: false,
    default: '',
  },
  container: {
    description:
      'Name of the container in the task definition that runs `stepback`; its exit code decides success. Required with executor `ecs`.',
    required: false,
    default: '',
  },
  subnets: {
    description:
      'Comma-separated subnet IDs for the one-off task (awsvpc). Required with executor `ecs` on FARGATE unless `service` is given.',
    required: false,
    default: '',
  },
  'security-groups': {
    description: 'Comma-separated security group IDs for the one-off task.',
    required: false,
    default: '',
  },
  'assign-public-ip': {
    description: 'Give the one-off task a public IP (`true`/`false`), for public subnets without NAT.',
    required: false,
    default: 'false',
  },
  'launch-type': {
    description: 'Launch type of the one-off task: `FARGATE`, `EC2` or `EXTERNAL`.',
    required: false,
    default: 'FARGATE',
  },
  'codebuild-project': {
    description:
      'CodeBuild project that runs `stepback` (the build runs the command passed in). Required with executor `codebuild`.',
    required: false,
    default: '',
  },
  'migrations-dir': {
    description:
      'Executor `runner`: the migrations directory in the checkout (for a rollback: a checkout of the NEWER release, whose down files run).',
    required: false,
    default: 'migrations',
  },
  'runner-command': {
    description:
      'How to start the stepback CLI: inside the image (executors `ecs`, `codebuild`) or on this runner (executor `runner`, e.g. `node tools/stepback.js`). Split on spaces.',
    required: false,
    default: 'npx --no-install stepback',
  },
  'database-url': {
    description:
      'Executor `runner`: PostgreSQL URL (pass a secret; it is masked). Defaults to env DATABASE_URL.',
    required: false,
    default: '',
  },
  'timeout-minutes': {
    description: 'Give up after this many minutes per step (the task or build is stopped), 1-720.',
    required: false,
    default: '30',
  },
  region: {
    description: 'AWS region (default: AWS_REGION from configure-aws-credentials).',
    required: false,
    default: '',
  },
};

export const INPUT_DOCS: Record<string, { description: string; inputs: Record<string, InputDoc> }> = {
  migrate: {
    description:
      'Run `stepback up` once for a release (one-off ECS task, CodeBuild build, or on the runner) and report what it applied.',
    inputs: {
      release: {
        description: 'The release being deployed; recorded with every migration it applies.',
        required: true,
      },
      'task-definition': {
        description:
          "Full ARN of the release's task definition (the new image). Required with executor `ecs`.",
        required: false,
        default: '',
      },
      image: {
        description:
          "Executor `codebuild`: the release's image, used as the build image (default: the project's image).",
        required: false,
        default: '',
      },
      'single-transaction': {
        description: 'Apply all pending migrations in one transaction, all or nothing (`true`/`false`).',
        required: false,
        default: 'false',
      },
      ...EXECUTOR_INPUTS,
    },
  },
  'record-release': {
    description:
      "Store the release's manifest (every migration with checksums, the image digest and the full task definition) and tag the task definition with the release.",
    inputs: {
      release: { description: 'The release name (e.g. the tag, `v1.4.0`).', required: true },
      store: {
        description:
          'Where manifests are kept: `s3://bucket/prefix`, `github-release://owner/repo` or `file:///dir`.',
        required: true,
      },
      'migrations-dir': {
        description: 'The migrations directory (the same files that go into the image).',
        required: false,
        default: 'migrations',
      },
      image: {
        description: 'The image reference by digest, `<registry>/app@sha256:<digest>`.',
        required: false,
        default: '',
      },
      'task-definition': {
        description:
          "Full ARN of the release's registered task definition; its full definition is stored for re-registration.",
        required: false,
        default: '',
      },
      'tag-task-definition': {
        description: 'Tag the task definition with `stepback:release=<release>` (`true`/`false`).',
        required: false,
        default: 'true',
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        required: false,
        default: '${{ github.token }}',
      },
      region: { description: 'AWS region (default: AWS_REGION).', required: false, default: '' },
    },
  },
  rollback: {
    description:
      "Roll back to an older release: plan, run the newer image's down migrations once, then deploy the older task definition and wait until it is stable. Stops before the deploy on any refusal or failure.",
    inputs: {
      'to-release': { description: 'The release to roll back to (the older one).', required: true },
      'from-release': {
        description:
          'The release live now. Default: discovered from the service (the task definition tag `stepback:release`, else the store).',
        required: false,
        default: '',
      },
      store: {
        description:
          'Where manifests are kept: `s3://bucket/prefix`, `github-release://owner/repo` or `file:///dir`.',
        required: true,
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        required: false,
        default: '${{ github.token }}',
      },
      'dry-run': {
        description: 'Plan and report only; change nothing (`true`/`false`).',
        required: false,
        default: 'false',
      },
      ...EXECUTOR_INPUTS,
      ...DEPLOY_TARGET_INPUTS,
    },
  },
  deploy: {
    description:
      'Update a service to a task definition and wait until the new deployment itself is stable (the same code the rollback uses).',
    inputs: {
      'task-definition': { description: 'Full ARN of the task definition to deploy.', required: true },
      release: { description: 'The release name, for logs and the summary.', required: false, default: '' },
      ...DEPLOY_TARGET_INPUTS,
      cluster: {
        description: 'ECS cluster of the service. Required with deploy-target `ecs`.',
        required: false,
        default: '',
      },
      service: {
        description: 'ECS service to update. Required with deploy-target `ecs`.',
        required: false,
        default: '',
      },
      'timeout-minutes': {
        description: 'Give up waiting (per step) after this many minutes, 1-720.',
        required: false,
        default: '30',
      },
      region: { description: 'AWS region (default: AWS_REGION).', required: false, default: '' },
    },
  },
  rehearse: {
    description:
      "Rehearse this release's down migrations in a scratch database before it ships: each new migration up, down, compare the schema, up again; then the whole release down.",
    inputs: {
      'migrations-dir': { description: 'The migrations directory.', required: false, default: 'migrations' },
      release: { description: "This release's name, for the report.", required: false, default: '' },
      since: {
        description:
          'The previous release to start from: a release name in `store`, or a manifest JSON file. Default: an empty database.',
        required: false,
        default: '',
      },
      store: {
        description:
          'Where release manifests are kept (to fetch `since` by name): `s3://\u2026`, `github-release://\u2026` or `file:///\u2026`.',
        required: false,
        default: '',
      },
      'database-url': {
        description:
          "PostgreSQL server for the scratch database (created and dropped; the URL's own database is never touched). Pass a secret; it is masked. Default: env DATABASE_URL.",
        required: false,
        default: '',
      },
      'require-reversible': {
        description: 'Fail when a new migration has no down (`true`/`false`).',
        required: false,
        default: 'false',
      },
      all: {
        description:
          'Rehearse every new migration, even those the cache says were rehearsed (`true`/`false`).',
        required: false,
        default: 'false',
      },
      'cache-file': {
        description:
          'Rehearsal cache file to read and update (default: none, every run rehearses everything new).',
        required: false,
        default: '',
      },
      'github-token': {
        description: 'Token for a `github-release://` store (masked).',
        required: false,
        default: '${{ github.token }}',
      },
    },
  },
};
