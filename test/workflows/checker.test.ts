/**
 * The checkers can fail: deliberately bad workflows make the rule checker and GitHub's parser report each
 * problem, and a clean workflow of the same shape reports none (so the rules are not simply always-on).
 */
import { describe, expect, it } from 'vitest';
import { diskLookups } from './files.ts';
import { type ActionInputs, checkWorkflow, type Problem, usesLines } from './rules.ts';
import { workflowSchemaErrors } from './workflow-parser.ts';

const CHECKOUT = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2';
const AWS = 'aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2';

/** A fake set of actions: migrate needs `cluster`; record-release takes `release` and `store`. */
const actionInputs: ActionInputs = (name) =>
  ({
    migrate: new Map([
      ['cluster', true],
      ['release', false],
    ]),
    'record-release': new Map([
      ['release', true],
      ['store', true],
      ['github-token', false],
    ]),
    rollback: new Map([
      ['to-release', true],
      ['dry-run', false],
    ]),
  })[name];

const good = `
name: deploy
on:
  workflow_dispatch:
    inputs:
      environment: { type: environment, default: production }
permissions: {}
concurrency:
  group: deploy-\${{ inputs.environment }}
  cancel-in-progress: false
jobs:
  deploy:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    environment: \${{ inputs.environment }}
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: ${CHECKOUT}
      - uses: ${AWS}
        with:
          role-to-assume: \${{ vars.AWS_ROLE_ARN }}
          aws-region: eu-west-1
      - name: Say where
        env:
          TARGET: \${{ inputs.environment }}
        run: echo "deploying to $TARGET"
      - uses: ./actions/migrate
        with:
          cluster: app
          release: \${{ github.sha }}
  record:
    needs: deploy
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      contents: write
    steps:
      - uses: stepback-dev/stepback/actions/record-release@v1
        with:
          release: v1
          store: github-release://\${{ github.repository }}
          github-token: \${{ github.token }}
`;

const bad = `
name: deploy
on:
  pull_request:
  workflow_dispatch:
    inputs:
      release: { type: string }
permissions: write-all
concurrency:
  group: deploy
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
      - run: echo "\${{ inputs.release }}"
      - run: |
          git checkout \${{ github.head_ref }}
          echo "\${{github.event.pull_request.title}}"
      - run: echo \${{ steps.x.outputs.y }}
      - uses: ./actions/migrate
        with:
          releese: v1
      - uses: ./actions/nonexistent
  publish:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: write
      id-token: write
    steps:
      - uses: ./actions/record-release
        with:
          release: v1
          store: s3://bucket/prefix
`;

const rules = (problems: Problem[]) => problems.map((p) => `${p.rule} @ ${p.where}: ${p.message}`);

describe('rule checker', () => {
  it('finds nothing wrong in a workflow that follows every rule', () => {
    expect(checkWorkflow(good, { actionInputs, kind: 'deploy' })).toEqual([]);
  });

  it('reports every problem in a deliberately bad workflow', () => {
    const found = rules(checkWorkflow(bad, { actionInputs, kind: 'deploy' }));
    const expected: RegExp[] = [
      /^permissions @ \(workflow\): workflow-level permissions grant write/,
      /^pin @ line \d+: actions\/checkout@v4 is not pinned to a full commit SHA/,
      /^pin @ line \d+: aws-actions\/configure-aws-credentials@e3dd.* has no version comment/,
      /^permissions @ build: job has no permissions/,
      /^timeout @ build: job has no timeout-minutes/,
      /^id-token @ build: the job assumes an AWS role over OIDC but lacks id-token: write/,
      /^injection @ build: .*inputs\.release.*\(inputs\.\*\)/,
      /^injection @ build: .*github\.head_ref.*\(github\.head_ref\)/,
      /^injection @ build: .*github\.event\.pull_request\.title.*\(github\.event\.\*\)/,
      /^run-expression @ build: .*steps\.x\.outputs\.y/,
      /^action-input @ build: migrate: with\.releese is not an input/,
      /^action-input @ build: migrate: required input cluster is not given/,
      /^action @ build: uses \.\/actions\/nonexistent but actions\/nonexistent\/action\.yml does not exist/,
      /^contents-write @ publish: contents: write but the job stores no manifest as a GitHub release asset/,
      /^id-token @ publish: id-token: write but the job assumes no AWS role/,
      /^concurrency @ \(workflow\): concurrency group deploy is not per environment/,
      /^concurrency @ \(workflow\): cancel-in-progress must be false/,
    ];
    for (const re of expected)
      expect(
        found.some((f) => re.test(f)),
        `${re} in\n${found.join('\n')}`,
      ).toBe(true);
    // Nothing beyond those: each problem is reported once, and the checker does not invent others.
    expect(found).toHaveLength(expected.length);
  });

  it('lets a release job write contents and take an id-token only to create a release and publish with provenance', () => {
    const release = (run: string) => `
on: { push: { tags: ['v*'] } }
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions: { contents: write, id-token: write }
    steps:
      - run: ${run}
`;
    expect(
      rules(checkWorkflow(release('npm publish --provenance && gh release create "$TAG"'), { actionInputs })),
    ).toEqual([]);
    expect(rules(checkWorkflow(release('npm publish && gh release view "$TAG"'), { actionInputs }))).toEqual([
      'contents-write @ publish: contents: write but the job stores no manifest as a GitHub release asset and creates no release',
      'id-token @ publish: id-token: write but the job assumes no AWS role and publishes no npm provenance',
    ]);
  });

  it('flags a rollback whose apply job has no approval gate and does not wait for the plan', () => {
    const rollback = `
on: workflow_dispatch
permissions: {}
jobs:
  plan:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions: {}
    steps:
      - uses: ./actions/rollback
        with: { to-release: v1, dry-run: 'true' }
  apply:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions: {}
    steps:
      - uses: ./actions/rollback
        with: { to-release: v1 }
`;
    expect(rules(checkWorkflow(rollback, { actionInputs, kind: 'rollback' }))).toEqual([
      'rollback @ apply: apply job has no environment (the approval gate)',
      'rollback @ apply: apply job does not need the plan job',
    ]);
  });

  it('flags a reusable-workflow call with an unknown or missing input', () => {
    const caller = `
on: push
permissions: {}
jobs:
  deploy:
    permissions: { contents: read }
    uses: ./.github/workflows/stepback-deploy.yml
    with: { environment: prod, colour: blue }
`;
    const workflowInputs = () =>
      new Map([
        ['environment', true],
        ['store', true],
      ]);
    expect(rules(checkWorkflow(caller, { actionInputs, workflowInputs }))).toEqual([
      'workflow-input @ deploy: with.colour is not an input of stepback-deploy.yml',
      'workflow-input @ deploy: required input store is not given',
    ]);
  });

  it("checks with: keys against the real actions' action.yml files", () => {
    const text = `
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 1
    permissions: {}
    steps:
      - uses: ./actions/migrate
        with: { release: v1, servce: web }
      - uses: stepback-dev/stepback/actions/rollback@v1
        with: { store: 's3://b/p' }
`;
    expect(rules(checkWorkflow(text, diskLookups))).toEqual([
      'action-input @ a: migrate: with.servce is not an input of the action',
      'action-input @ a: rollback: required input to-release is not given',
    ]);
  });

  it('accepts engine and manage-command on the real actions that take them, and flags a misspelling or an action without them', () => {
    const text = `
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 1
    permissions: {}
    steps:
      - uses: ./actions/rehearse
        with: { engine: django, manage-command: python manage.py }
      - uses: ./actions/record-release
        with: { release: v1, store: 's3://b/p', engine: django, manage-command: python manage.py }
      - uses: ./actions/migrate
        with: { release: v1, engine: django, manage-command: python3 /app/manage.py }
      - uses: ./actions/rollback
        with: { to-release: v1, store: 's3://b/p', engine: django, manage-command: python3 /app/manage.py }
      - uses: ./actions/migrate
        with: { release: v1, engin: django }
      - uses: ./actions/deploy
        with: { task-definition: x, engine: django }
`;
    expect(rules(checkWorkflow(text, diskLookups))).toEqual([
      'action-input @ a: migrate: with.engin is not an input of the action',
      'action-input @ a: deploy: with.engine is not an input of the action',
    ]);
  });

  it("checks the reusable workflows' engine inputs: given ones pass, a misspelled one is flagged", () => {
    const caller = (withs: string) => `
on: push
permissions: {}
jobs:
  deploy:
    permissions: { contents: read, id-token: write }
    uses: ./.github/workflows/stepback-deploy.yml
    with: { environment: prod, aws-region: eu-west-1, role-to-assume: r, ecr-repository: app, cluster: c, service: s, task-family: t, container: app, store: 's3://b/p', ${withs} }
`;
    const ok =
      'engine: django, manage-command: python3 /app/manage.py, checkout-manage-command: python manage.py, python-version: "3.12", requirements: requirements/prod.txt';
    expect(rules(checkWorkflow(caller(ok), diskLookups))).toEqual([]);
    expect(rules(checkWorkflow(caller('engines: django, requirement: r.txt'), diskLookups))).toEqual([
      'workflow-input @ deploy: with.engines is not an input of stepback-deploy.yml',
      'workflow-input @ deploy: with.requirement is not an input of stepback-deploy.yml',
    ]);
  });

  it('flags the Python setup done unsafely: the requirements input inside run:, setup-python by tag or without its version', () => {
    const text = `
on: workflow_call
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 1
    permissions: {}
    steps:
      - uses: actions/setup-python@v5
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065
      - if: \${{ inputs.engine == 'django' }}
        run: python -m pip install -r "\${{ inputs.requirements }}"
      - if: \${{ inputs.engine == 'django' }}
        env:
          REQUIREMENTS: \${{ inputs.requirements }}
        run: python -m pip install -r "$REQUIREMENTS"
`;
    expect(rules(checkWorkflow(text, { actionInputs }))).toEqual([
      'pin @ line 10: actions/setup-python@v5 is not pinned to a full commit SHA',
      'pin @ line 11: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 has no version comment (# vX.Y.Z) saying which release the SHA is',
      `injection @ a: ${['$', '{{ inputs.requirements }}'].join('')} (inputs.*) inside run: is script injection; pass it via env:`,
    ]);
  });

  it('does not mistake github.event_name for the attacker-controlled github.event payload', () => {
    const text = `
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 1
    permissions: {}
    steps:
      - run: echo \${{ github.event_name }}
`;
    expect(checkWorkflow(text, { actionInputs }).map((p) => p.rule)).toEqual(['run-expression']);
  });

  it('reads the pin comment from the raw text', () => {
    expect(usesLines(`steps:\n  - uses: ${CHECKOUT}\n  - uses: 'a/b@v1'\n`)).toEqual([
      { ref: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', comment: 'v4.2.2', line: 2 },
      { ref: 'a/b@v1', comment: undefined, line: 3 },
    ]);
  });
});

describe("GitHub's workflow parser", () => {
  it('accepts the clean workflow', async () => {
    expect(await workflowSchemaErrors('good.yml', good)).toEqual([]);
  });

  it('reports schema errors in a broken workflow', async () => {
    const broken = `
on: pushh
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: echo build
  deploy:
    needs: [buld]
    runs-on: ubuntu-24.04
    timeout-minutes: soon
    steps:
      - runn: echo hi
`;
    const errors = await workflowSchemaErrors('broken.yml', broken);
    for (const fragment of ["'pushh'", "'soon'", "'runn'", "unknown job 'buld'"])
      expect(
        errors.some((e) => e.includes(fragment)),
        `${fragment} in ${errors.join(' | ')}`,
      ).toBe(true);
  });
});
