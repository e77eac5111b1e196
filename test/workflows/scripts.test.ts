/**
 * The shell steps of the deploy workflows, run for real under bash with fake `aws` and `docker` on PATH
 * (the test/workflows scripts in one place: the "same in every workflow" test makes this cover all copies).
 * What matters: a first run builds, pushes and registers; a re-run of the same commit reuses both, so it
 * records the same release; other AWS errors fail instead of rebuilding; every run script is valid bash.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DIGEST,
  FAMILY_ARN,
  type FakeTools,
  fakeTools,
  REGISTRY,
  SHA,
  taskDefinition,
} from './fake-tools.ts';
import { workflowFiles } from './files.ts';

type Dict = Record<string, unknown>;
const files = workflowFiles();
const deploy = parse(files.find((f) => f.path === 'workflows/deploy.yml')?.text ?? '') as {
  jobs: Record<string, { steps: Dict[] }>;
};
const script = (id: string): string => {
  const step = deploy.jobs.deploy?.steps.find((s) => s.id === id);
  if (typeof step?.run !== 'string') throw new Error(`no run step ${id}`);
  return step.run;
};

const IMAGE = `${REGISTRY}/app@${DIGEST}`;
const imageEnv = { REGISTRY, REPOSITORY: 'app', DOCKER_CONTEXT: '.' };

let tools: FakeTools;
let output: string;
beforeEach(() => {
  tools = fakeTools();
  output = join(tools.dir, 'output');
  writeFileSync(output, '');
});
afterEach(() => tools.cleanup());

function run(id: string, env: Record<string, string>) {
  // As the runner runs a bash step (`bash --noprofile --norc -eo pipefail`).
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script(id)], {
    encoding: 'utf8',
    env: { ...tools.env, GITHUB_SHA: SHA, GITHUB_OUTPUT: output, RUNNER_TEMP: tools.dir, ...env },
  });
}
const outputs = () =>
  Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const calls = () => tools.calls();

describe('release name step', () => {
  it('names a branch build after the commit and a tag build after the tag', () => {
    expect(run('release', { GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main' }).status).toBe(0);
    expect(outputs()).toEqual({ name: 'sha-0123456789ab' });
    writeFileSync(output, '');
    expect(run('release', { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1.4.0' }).status).toBe(0);
    expect(outputs()).toEqual({ name: 'v1.4.0' });
  });

  it('refuses a tag name that could not be a release name, writing no output', () => {
    const r = run('release', { GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v1;$(id)' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/::error::Release name/);
    expect(outputs()).toEqual({});
  });
});

describe('build and push step', () => {
  it('builds and pushes a new commit and outputs the image by digest', () => {
    const r = run('image', imageEnv);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(calls()).toMatch(`docker build --tag ${REGISTRY}/app:${SHA} .`);
    expect(calls()).toMatch(`docker push ${REGISTRY}/app:${SHA}`);
    expect(outputs()).toEqual({ image: IMAGE });
  });

  it('reuses the image a previous attempt pushed for the same commit (no second build)', () => {
    tools.writeState('image-digest', DIGEST);
    const r = run('image', imageEnv);
    expect(r.status).toBe(0);
    expect(calls()).not.toMatch(/docker/);
    expect(outputs()).toEqual({ image: IMAGE });
  });

  it('fails on any ECR error other than "not found", without building', () => {
    tools.writeState('denied', '');
    const r = run('image', imageEnv);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/AccessDeniedException/);
    expect(calls()).not.toMatch(/docker/);
    expect(outputs()).toEqual({});
  });
});

describe('register task definition step', () => {
  const env = { TASK_FAMILY: 'app', CONTAINER: 'app', IMAGE };

  it('registers a new revision with only the app container image changed', () => {
    tools.writeState('td.json', JSON.stringify(taskDefinition(`${REGISTRY}/app@sha256:${'00'.repeat(32)}`)));
    const r = run('taskdef', env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(outputs()).toEqual({ arn: `${FAMILY_ARN}:8` });
    const registered = JSON.parse(tools.readState('registered.json')) as Dict;
    // Read-only fields of DescribeTaskDefinition are not accepted by RegisterTaskDefinition.
    for (const key of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities'])
      expect(registered).not.toHaveProperty(key);
    expect(registered.containerDefinitions).toEqual([
      { name: 'app', image: IMAGE, essential: true },
      { name: 'sidecar', image: 'public.ecr.aws/sidecar:1', essential: false },
    ]);
    expect(registered).toMatchObject({ family: 'app', networkMode: 'awsvpc', cpu: '256', memory: '512' });
  });

  it('reuses the newest revision when it already runs this exact image (a re-run records the same release)', () => {
    tools.writeState('td.json', JSON.stringify(taskDefinition(IMAGE)));
    const r = run('taskdef', env);
    expect(r.status).toBe(0);
    expect(calls()).not.toMatch(/register-task-definition/);
    expect(outputs()).toEqual({ arn: `${FAMILY_ARN}:7` });
  });

  it('fails, naming the family and container, when the container is not in the task definition', () => {
    tools.writeState('td.json', JSON.stringify(taskDefinition(IMAGE, 'web')));
    const r = run('taskdef', env);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/::error::Task definition family app has no container named app/);
    expect(calls()).not.toMatch(/register-task-definition/);
    expect(outputs()).toEqual({});
  });
});

describe('every run: script in every workflow', () => {
  it('is valid bash (bash -n)', () => {
    let count = 0;
    for (const f of files) {
      const doc = parse(f.text) as { jobs?: Record<string, { steps?: Dict[] }> };
      for (const [job, def] of Object.entries(doc.jobs ?? {}))
        for (const step of def.steps ?? [])
          if (typeof step.run === 'string') {
            count++;
            const r = spawnSync('bash', ['-n', '-c', step.run], { encoding: 'utf8' });
            expect({ file: f.path, job, stderr: r.stderr }).toEqual({ file: f.path, job, stderr: '' });
          }
    }
    expect(count).toBeGreaterThan(0);
  });
});
