/**
 * The CodeBuild entry points: valid 0.2 buildspecs, secrets only from Secrets Manager / Parameter Store,
 * shell that bash accepts, and the stepback commands in the order the README's pipeline diagram shows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBuildspec, readBuildspec } from './buildspec-rules.ts';
import { DIGEST, FAKE_STEPBACK, FAMILY_ARN, fakeTools, REGISTRY, SHA, taskDefinition } from './fake-tools.ts';
import { root } from './files.ts';

const DEPLOY = 'workflows/codebuild/buildspec.yml';
const ROLLBACK = 'workflows/codebuild/rollback-buildspec.yml';
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** bash's expansion of the `args` array. */
const ARGS_EXPANSION = ['$', '{args[@]}'].join('');

/** `"$STEPBACK" … pipeline <sub>` invocations (the pinned, verified executable): subcommand and flags, in order. */
function pipelineCalls(path: string): { sub: string; flags: string[] }[] {
  const calls: { sub: string; flags: string[] }[] = [];
  for (const { command } of readBuildspec(read(path)).commands)
    for (const m of command.matchAll(/"\$STEPBACK"\s+(?:--dir\s+\S+\s+)?pipeline\s+([a-z-]+)([^\n]*)/g)) {
      let rest = m[2] ?? '';
      // Flags gathered in a bash array (`args=(…)`, `args+=(…)`) count for the call that expands it.
      if (rest.includes(ARGS_EXPANSION))
        for (const a of command.matchAll(/args\+?=\(([^)]*)\)/g)) rest += ` ${a[1] ?? ''}`;
      calls.push({
        sub: m[1] ?? '',
        flags: [...new Set([...rest.matchAll(/(--[a-z-]+)/g)].map((f) => f[1] ?? ''))],
      });
    }
  return calls;
}

describe.each([DEPLOY, ROLLBACK])('%s', (path) => {
  it('is a valid 0.2 buildspec with secrets only from secrets-manager / parameter-store', () => {
    expect(checkBuildspec(read(path))).toEqual([]);
  });

  it('every command is valid bash (bash -n)', () => {
    for (const { phase, command } of readBuildspec(read(path)).commands) {
      const r = spawnSync('bash', ['-n', '-c', command], { encoding: 'utf8' });
      expect({ phase, command: command.slice(0, 60), stderr: r.stderr }).toEqual({
        phase,
        command: command.slice(0, 60),
        stderr: '',
      });
    }
  });
});

describe('deploy buildspec', () => {
  it('records the release, migrates from the new task definition, then deploys', () => {
    const calls = pipelineCalls(DEPLOY);
    expect(calls.map((c) => c.sub)).toEqual(['record-release', 'migrate', 'deploy']);
    const text = read(DEPLOY);
    expect(text).toMatch(/pipeline migrate[\s\S]*--task-definition "\$TASK_DEFINITION_ARN"/);
  });
});

const FAKE_STEPBACK_SHA256 = createHash('sha256').update(FAKE_STEPBACK).digest('hex');

describe('deploy buildspec, run the way CodeBuild runs it (one shell for every command, fake aws/docker/curl)', () => {
  function runAll(
    prepare: (tools: ReturnType<typeof fakeTools>) => void,
    pinned = FAKE_STEPBACK_SHA256,
    variables: Record<string, string> = {},
    files: Record<string, string> = {},
  ) {
    const tools = fakeTools();
    try {
      // The build's checkout: CodeBuild runs the commands in the source directory.
      const src = join(tools.dir, 'src');
      mkdirSync(src);
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(src, name)), { recursive: true });
        writeFileSync(join(src, name), text);
      }
      tools.writeState('download', FAKE_STEPBACK);
      prepare(tools);
      const spec = readBuildspec(read(DEPLOY));
      const vars = (spec.doc.env as { variables: Record<string, string> }).variables;
      // 0.2 semantics: variables set by one command are seen by the next, across phases; a failing command stops.
      const script =
        spec.commands.map((c) => `${c.command}\n`).join('') +
        'echo "EXPORT RELEASE=$RELEASE IMAGE=$IMAGE TASK_DEFINITION_ARN=$TASK_DEFINITION_ARN"\n';
      const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], {
        encoding: 'utf8',
        cwd: src,
        env: {
          ...tools.env,
          ...vars,
          ...variables,
          STEPBACK_SHA256: pinned,
          AWS_REGION: 'eu-west-1',
          CODEBUILD_RESOLVED_SOURCE_VERSION: SHA,
          CODEBUILD_WEBHOOK_TRIGGER: 'tag/v2.0.0',
        },
      });
      const engines = existsSync(join(tools.state, 'engines')) ? tools.readState('engines') : '';
      return {
        ...r,
        calls: tools.calls(),
        engines: engines.split('\n').filter((l) => l.startsWith('pipeline ')),
      };
    } finally {
      tools.cleanup();
    }
  }

  it('passes the release, image digest and new task definition from one command to the next', () => {
    const r = runAll((t) => t.writeState('td.json', JSON.stringify(taskDefinition(`${REGISTRY}/app:old`))));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const image = `${REGISTRY}/app@${DIGEST}`;
    const arn = `${FAMILY_ARN}:8`;
    expect(r.stdout).toContain(`EXPORT RELEASE=v2.0.0 IMAGE=${image} TASK_DEFINITION_ARN=${arn}`);
    const stepback = r.calls.split('\n').filter((l) => l.startsWith('stepback ') || l.startsWith('curl '));
    expect(stepback).toEqual([
      'curl https://github.com/stepback-dev/stepback/releases/download/v1.0.0/stepback-linux-x64',
      'stepback --version',
      `stepback pipeline record-release --release v2.0.0 --store s3://app-manifests/stepback --migrations-dir migrations --task-definition ${arn} --image ${image}`,
      `stepback pipeline migrate --release v2.0.0 --task-definition ${arn} --executor ecs --cluster app --service app-web --container app --subnets  --security-groups  --timeout-minutes 30`,
      `stepback pipeline deploy --cluster app --service app-web --task-definition ${arn} --release v2.0.0`,
    ]);
    expect(r.calls).not.toMatch(/^npx /m);
    expect(r.calls).toMatch(/docker login --username AWS --password-stdin/);
  });

  const oldTd = (t: ReturnType<typeof fakeTools>) =>
    t.writeState('td.json', JSON.stringify(taskDefinition(`${REGISTRY}/app:old`)));

  it('engine stepback (the default): no pip install, every stepback call runs engine stepback', () => {
    const r = runAll(oldTd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).not.toMatch(/^python/m);
    expect(r.engines).toEqual([
      'pipeline record-release engine=stepback manage=python3 manage.py',
      'pipeline migrate engine=stepback manage=python3 manage.py',
      'pipeline deploy engine=stepback manage=python3 manage.py',
    ]);
  });

  it("engine django: the app's requirements are pip-installed before any stepback pipeline call; record-release starts the checkout's manage.py, migrate the image's", () => {
    const r = runAll(
      oldTd,
      FAKE_STEPBACK_SHA256,
      {
        STEPBACK_ENGINE: 'django',
        STEPBACK_MANAGE_COMMAND: '/usr/local/bin/python3 /app/manage.py',
        CHECKOUT_MANAGE_COMMAND: 'python3 src/manage.py',
        PYTHON_REQUIREMENTS: 'requirements/prod.txt',
      },
      { 'requirements/prod.txt': 'Django==4.2\n' },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.calls.split('\n');
    const pip = lines.indexOf('python -m pip install --disable-pip-version-check -r requirements/prod.txt');
    const firstPipeline = lines.findIndex((l) => l.startsWith('stepback pipeline '));
    expect(pip).toBeGreaterThanOrEqual(0);
    expect(pip).toBeLessThan(firstPipeline);
    expect(r.engines).toEqual([
      'pipeline record-release engine=django manage=python3 src/manage.py',
      'pipeline migrate engine=django manage=/usr/local/bin/python3 /app/manage.py',
      'pipeline deploy engine=django manage=/usr/local/bin/python3 /app/manage.py',
    ]);
  });

  it('engine django without the requirements file, or an unknown engine, stops the build before any AWS call', () => {
    const missing = runAll(oldTd, FAKE_STEPBACK_SHA256, { STEPBACK_ENGINE: 'django' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/No requirements file 'requirements.txt' in the checkout/);
    const unknown = runAll(oldTd, FAKE_STEPBACK_SHA256, { STEPBACK_ENGINE: 'rails' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/STEPBACK_ENGINE must be stepback or django, not 'rails'/);
    for (const r of [missing, unknown]) {
      expect(r.calls).not.toMatch(/^aws /m);
      expect(r.calls).not.toMatch(/^stepback pipeline /m);
    }
  });

  it('refuses to run a downloaded stepback whose sha256 is not the pinned one, before any AWS call', () => {
    const r = runAll(
      (t) => t.writeState('td.json', JSON.stringify(taskDefinition(`${REGISTRY}/app:old`))),
      'ab'.repeat(32),
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /stepback v1\.0\.0 \(stepback-linux-x64\) does not match STEPBACK_SHA256; refusing to run it/,
    );
    expect(r.calls).not.toMatch(/^stepback /m);
    expect(r.calls).not.toMatch(/^aws /m);
  });

  it('stops before any stepback command when the task definition has no such container', () => {
    const r = runAll((t) =>
      t.writeState('td.json', JSON.stringify(taskDefinition(`${REGISTRY}/app:old`, 'web'))),
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/has no container named app/);
    expect(r.calls).not.toMatch(/^stepback pipeline /m);
  });
});

describe('rollback buildspec', () => {
  it('always plans with --dry-run before applying, and applies only when DRY_RUN is false', () => {
    const calls = pipelineCalls(ROLLBACK);
    expect(calls.map((c) => c.sub)).toEqual(['rollback', 'rollback']);
    expect(calls[0]?.flags).toContain('--dry-run');
    expect(calls[1]?.flags).not.toContain('--dry-run');
    const vars = readBuildspec(read(ROLLBACK)).doc.env as { variables: Record<string, string> };
    expect(vars.variables.DRY_RUN).toBe('true');
  });

  it('refuses to start without TO_RELEASE and rejects a DRY_RUN that is not true/false (runs the script)', () => {
    const script = readBuildspec(read(ROLLBACK)).commands.at(-1)?.command ?? '';
    // A fake stepback records what would run, so the script's own checks are exercised without AWS.
    const env = {
      HOME: tmpdir(),
      PATH: process.env.PATH ?? '',
      STEPBACK: 'fake_stepback',
      STEPBACK_STORE: 's3://b/p',
    };
    const fake = 'fake_stepback() { echo "stepback $*"; }\n';
    const run = (extra: Record<string, string>) =>
      spawnSync('bash', ['--noprofile', '--norc', '-c', fake + script], {
        encoding: 'utf8',
        env: { ...env, TO_RELEASE: '', FROM_RELEASE: '', DRY_RUN: 'true', DRAIN: 'false', ...extra },
      });
    const missing = run({});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/Set TO_RELEASE/);
    expect(run({ TO_RELEASE: 'v1', DRY_RUN: 'yes' }).stderr).toMatch(/DRY_RUN must be true or false/);
    const plan = run({ TO_RELEASE: 'v1' });
    expect(plan.status).toBe(0);
    expect(plan.stdout.trim().split('\n')).toHaveLength(1);
    expect(plan.stdout).toMatch(/pipeline rollback --to-release v1 .*--dry-run$/m);
    const apply = run({ TO_RELEASE: 'v1', DRY_RUN: 'false', FROM_RELEASE: 'v2', DRAIN: 'true' });
    const lines = apply.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/--from-release v2 --drain$/);
    expect(apply.stdout).not.toContain('--sources-from-store');
  });

  it('passes --sources-from-store to the plan and the apply only with SOURCES_FROM_STORE=true, off by default', () => {
    const vars = readBuildspec(read(ROLLBACK)).doc.env as { variables: Record<string, string> };
    expect(vars.variables.SOURCES_FROM_STORE).toBe('false');
    const script = readBuildspec(read(ROLLBACK)).commands.at(-1)?.command ?? '';
    const run = (extra: Record<string, string>) =>
      spawnSync(
        'bash',
        ['--noprofile', '--norc', '-c', `fake_stepback() { echo "stepback $*"; }\n${script}`],
        {
          encoding: 'utf8',
          env: {
            HOME: tmpdir(),
            PATH: process.env.PATH ?? '',
            STEPBACK: 'fake_stepback',
            STEPBACK_STORE: 's3://b/p',
            TO_RELEASE: 'v1',
            DRY_RUN: 'false',
            DRAIN: 'false',
            ...extra,
          },
        },
      );
    const on = run({ SOURCES_FROM_STORE: 'true' }).stdout.trim().split('\n');
    expect(on).toHaveLength(2);
    for (const line of on) expect(line).toContain(' --sources-from-store');
    expect(run({ SOURCES_FROM_STORE: 'false' }).stdout).not.toContain('--sources-from-store');
    expect(run({}).stdout).not.toContain('--sources-from-store');
    const bad = run({ SOURCES_FROM_STORE: 'yes' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/SOURCES_FROM_STORE must be true or false/);
    expect(bad.stdout).toBe('');
  });
});

describe('buildspec checker', () => {
  it('reports a plain-text secret, a bad version, an unknown phase and an unassigned export', () => {
    const bad = `
version: 0.1
env:
  variables:
    DATABASE_URL: postgres://app:hunter2@db:5432/app
    GITHUB_TOKEN: ghp_x
  exported-variables: [RELEASE]
phases:
  deploy:
    commands:
      - psql postgres://app:hunter2@db/app -c 'select 1'
`;
    expect(checkBuildspec(bad)).toEqual([
      'version must be 0.2, found 0.1',
      'phases.deploy is not a CodeBuild phase',
      'phases.build is missing',
      'env.variables.DATABASE_URL looks like a secret; use env.secrets-manager or env.parameter-store',
      'env.variables.DATABASE_URL holds a URL with a password',
      'env.variables.GITHUB_TOKEN looks like a secret; use env.secrets-manager or env.parameter-store',
      'env.exported-variables: RELEASE is never assigned',
    ]);
  });

  it('accepts the same secret from secrets-manager', () => {
    const good = `
version: 0.2
env:
  secrets-manager:
    DATABASE_URL: app/migrations:url
phases:
  build:
    commands:
      - echo ok
`;
    expect(checkBuildspec(good)).toEqual([]);
  });
});

// The CLI flags the buildspecs use exist on the real CLI (dist/cli.js is built by the global setup).
describe('pipeline flags exist on the CLI', () => {
  const helps = new Map<string, string>();
  const help = (sub: string) => {
    const known = helps.get(sub);
    if (known !== undefined) return known;
    helps.set(sub, runHelp(sub));
    return helps.get(sub) ?? '';
  };
  const runHelp = (sub: string) => {
    try {
      return execFileSync(process.execPath, [join(root, 'dist/cli.js'), 'pipeline', sub, '--help'], {
        encoding: 'utf8',
      });
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? '');
    }
  };
  for (const path of [DEPLOY, ROLLBACK])
    it(`${path}`, () => {
      for (const call of pipelineCalls(path)) {
        const text = help(call.sub);
        expect(text, `stepback pipeline ${call.sub} exists`).toMatch(
          new RegExp(`Usage: stepback pipeline ${call.sub}\\b`),
        );
        for (const flag of call.flags) expect(text, `pipeline ${call.sub} ${flag}`).toContain(flag);
      }
    });
});
