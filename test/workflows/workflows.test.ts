/**
 * Every workflow we ship (ready-to-copy in workflows/, reusable and CI in .github/workflows/) passes GitHub's
 * own schema check and the project's rules (rules.ts): no script injection, least permissions, timeouts,
 * pins, a per-environment non-cancelling concurrency group, a gated rollback, and inputs that the called
 * actions really declare.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diskLookups, kindOf, workflowFiles } from './files.ts';
import { checkWorkflow, usesLines } from './rules.ts';
import { workflowSchemaErrors } from './workflow-parser.ts';

const files = workflowFiles();

describe('workflow files', () => {
  it('include the ready-to-copy, reusable and CI workflows', () => {
    const paths = files.map((f) => f.path);
    for (const expected of [
      'workflows/deploy.yml',
      'workflows/rollback.yml',
      'workflows/release.yml',
      '.github/workflows/stepback-deploy.yml',
      '.github/workflows/stepback-rollback.yml',
      '.github/workflows/ci.yml',
    ])
      expect(paths).toContain(expected);
  });

  describe.each(files)('$path', ({ path, text }) => {
    it("passes GitHub's workflow schema (@actions/workflow-parser)", async () => {
      expect(await workflowSchemaErrors(path, text)).toEqual([]);
    });

    it('follows the project rules', () => {
      expect(checkWorkflow(text, { ...diskLookups, kind: kindOf(path) })).toEqual([]);
    });
  });
});

type Dict = Record<string, unknown>;
const load = (path: string): Dict => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`${path} is missing`);
  return parse(file.text) as Dict;
};
const jobs = (doc: Dict) => doc.jobs as Record<string, Dict>;
const steps = (job: Dict | undefined) => (job?.steps ?? []) as Dict[];
/** The order of our own actions in a job, by action name. */
const ownActions = (job: Dict | undefined) =>
  steps(job)
    .map((s) => (typeof s.uses === 'string' ? /\/actions\/([a-z-]+)/.exec(s.uses)?.[1] : undefined))
    .filter((n): n is string => n !== undefined);

/** The expression that names the task definition the deploy job just registered. */
const NEW_TASK_DEFINITION = ['$', '{{ steps.taskdef.outputs.arn }}'].join('');

describe('deploy flow (the order of README "How it fits in your pipeline")', () => {
  for (const path of ['workflows/deploy.yml', '.github/workflows/stepback-deploy.yml']) {
    it(`${path}: rehearse runs first, then record-release → migrate → deploy, migrating from the new task definition`, () => {
      const doc = load(path);
      const deploy = jobs(doc).deploy;
      expect(deploy?.needs).toBe('rehearse');
      expect(ownActions(jobs(doc).rehearse)).toEqual(['rehearse']);
      expect(ownActions(deploy)).toEqual(['record-release', 'migrate', 'deploy']);
      const ids = steps(deploy).map((s) => s.id);
      const register = ids.indexOf('taskdef');
      const record = steps(deploy).findIndex((s) => String(s.uses).includes('/actions/record-release'));
      expect(register).toBeGreaterThan(ids.indexOf('image'));
      expect(record).toBeGreaterThan(register);
      for (const s of steps(deploy).filter((x) =>
        /\/actions\/(migrate|deploy|record-release)/.test(String(x.uses)),
      ))
        expect((s.with as Dict)['task-definition']).toBe(NEW_TASK_DEFINITION);
    });
  }

  it('build and register scripts are the same in every workflow that has them (one fix fixes all)', () => {
    const scripts = new Map<string, Set<string>>();
    for (const f of files) {
      const doc = parse(f.text) as Dict;
      for (const job of Object.values(jobs(doc) ?? {}))
        for (const s of steps(job))
          if (
            (s.id === 'image' || s.id === 'taskdef' || s.id === 'release' || s.id === 'requirements') &&
            typeof s.run === 'string'
          ) {
            const set = scripts.get(String(s.id)) ?? new Set<string>();
            set.add(s.run);
            scripts.set(String(s.id), set);
          }
    }
    expect([...scripts.keys()].sort()).toEqual(['image', 'release', 'requirements', 'taskdef']);
    for (const [id, set] of scripts) expect({ id, variants: set.size }).toEqual({ id, variants: 1 });
  });
});

const FROM_STORE_INPUT = ['$', '{{ inputs.sources-from-store }}'].join('');
const PLANNED_FROM_RELEASE = ['$', '{{ needs.plan.outputs.from-release }}'].join('');

describe('rollback flow', () => {
  for (const path of ['workflows/rollback.yml', '.github/workflows/stepback-rollback.yml']) {
    it(`${path}: plan is a dry run; apply runs the same rollback behind an environment`, () => {
      const doc = load(path);
      const { plan, apply } = jobs(doc);
      const planStep = steps(plan).find((s) => String(s.uses).includes('/actions/rollback'));
      const applyStep = steps(apply).find((s) => String(s.uses).includes('/actions/rollback'));
      expect(((planStep?.with ?? {}) as Dict)['dry-run']).toBe('true');
      expect(((applyStep?.with ?? {}) as Dict)['dry-run']).toBe('false');
      // Apply reverts from the live release the plan found (and the reviewers saw), not a fresh guess.
      expect(((applyStep?.with ?? {}) as Dict)['from-release']).toBe(PLANNED_FROM_RELEASE);
      expect((plan?.outputs as Dict | undefined)?.['from-release']).toMatch(
        /steps\.plan\.outputs\.from-release/,
      );
      expect(apply?.environment).toBeTruthy();
      expect(apply?.environment).not.toEqual(plan?.environment);
    });

    it(`${path}: sources-from-store is an input (boolean, default false) that the plan and the apply both pass`, () => {
      const doc = load(path);
      const on = doc.on as Dict;
      const trigger = (on.workflow_dispatch ?? on.workflow_call) as { inputs: Record<string, Dict> };
      expect(trigger.inputs['sources-from-store']).toMatchObject({ type: 'boolean', default: false });
      expect(String(trigger.inputs['sources-from-store']?.description)).toMatch(/cannot be pulled/);
      const { plan, apply } = jobs(doc);
      for (const job of [plan, apply]) {
        const step = steps(job).find((s) => String(s.uses).includes('/actions/rollback'));
        expect(((step?.with ?? {}) as Dict)['sources-from-store']).toBe(FROM_STORE_INPUT);
      }
    });
  }
});

describe("stepback's own release (.github/workflows/release.yml)", () => {
  const doc = load('.github/workflows/release.yml');
  const runsOf = (job: Dict | undefined) => steps(job).map((s) => String(s.run ?? ''));

  it('tests the tagged commit read-only, then publishes: sums compared, npm with provenance, the release, the major tag', () => {
    expect((doc.on as Dict).push).toEqual({ tags: ['v*'] });
    const { test, publish } = jobs(doc);
    expect(test?.permissions).toEqual({ contents: 'read' });
    expect(runsOf(test).some((r) => r.includes('bash .ci/run'))).toBe(true);
    expect(runsOf(test).some((r) => r.includes('npm run build:binary'))).toBe(true);
    expect(publish?.needs).toBe('test');
    expect(publish?.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
    const runs = runsOf(publish);
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    const order = [/TESTED_SUMS/, /npm publish --provenance/, /gh release create/, /git\/refs\/tags/].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs[order[2]!]).toMatch(
      /dist\/bin\/stepback-linux-x64 dist\/bin\/stepback-linux-arm64 dist\/bin\/SHA256SUMS/,
    );
  });

  it('moves the major tag only to the newest stable release of that major (runs the script with fake git and gh)', () => {
    const script = runsOf(jobs(doc).publish).find((r) => r.includes('git/refs/tags'))!;
    const move = (tag: string, existing: string[], majorExists = true) => {
      const dir = mkdtempSync(join(tmpdir(), 'stepback-major-'));
      const fakes = {
        git: `case "$1" in ls-remote) for t in ${existing.join(' ')}; do echo "0000 refs/tags/$t"; done ;; rev-parse) echo c0ffee ;; esac`,
        gh: `echo "gh $*" >> "${dir}/calls"; case "$*" in "api repos/o/r/git/refs/tags/v1") exit ${majorExists ? 0 : 1} ;; esac`,
      };
      for (const [name, body] of Object.entries(fakes)) {
        writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
        chmodSync(join(dir, name), 0o755);
      }
      const r = spawnSync('bash', ['-e', '-c', script], {
        encoding: 'utf8',
        env: { PATH: `${dir}:${process.env.PATH}`, TAG: tag, REPO: 'o/r', GH_TOKEN: 'x' },
      });
      expect(r.status, r.stderr).toBe(0);
      const calls = existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      return calls.split('\n').filter((l) => l.includes('-X'));
    };
    expect(move('v1.2.0', ['v1.0.0', 'v1.10.0-rc.1', 'v1.2.0'])).toEqual([
      'gh api -X PATCH repos/o/r/git/refs/tags/v1 -f sha=c0ffee -F force=true',
    ]);
    expect(move('v1.0.0', ['v1.0.0'], false)).toEqual([
      'gh api -X POST repos/o/r/git/refs -f ref=refs/tags/v1 -f sha=c0ffee',
    ]);
    // A patch to an older line, and a pre-release, leave v1 where it is.
    expect(move('v1.1.5', ['v1.1.5', 'v1.2.0'])).toEqual([]);
    expect(move('v1.3.0-rc.1', ['v1.2.0', 'v1.3.0-rc.1'])).toEqual([]);
  });
});

describe('release flow', () => {
  it('workflows/release.yml runs on v* tags, rehearses, then records to the GitHub release', () => {
    const doc = load('workflows/release.yml');
    expect((doc.on as Dict).push).toEqual({ tags: ['v*'] });
    const record = jobs(doc).record;
    expect(record?.needs).toBe('rehearse');
    expect(ownActions(jobs(doc).rehearse)).toEqual(['rehearse']);
    const step = steps(record).find((s) => String(s.uses).includes('/actions/record-release'));
    expect(String(((step?.with ?? {}) as Dict).store)).toMatch(/^github-release:\/\//);
    expect(record?.permissions).toMatchObject({ contents: 'write' });
  });
});

/** Our actions that take the engine inputs, and those of them that read the checkout's migration graph. */
const ENGINE_ACTIONS = /\/actions\/(rehearse|record-release|migrate|rollback)@/;
const CHECKOUT_ACTIONS = /\/actions\/(rehearse|record-release)@/;
const SETUP_PYTHON = /^actions\/setup-python@[0-9a-f]{40}$/;

describe('engine inputs (stepback or django) in the shipped workflows', () => {
  for (const file of files.filter((f) => f.path.startsWith('workflows/') || /stepback-/.test(f.path))) {
    const doc = parse(file.text) as Dict;
    const jobList = Object.entries(jobs(doc) ?? {});
    if (!jobList.some(([, job]) => steps(job).some((s) => ENGINE_ACTIONS.test(String(s.uses))))) continue;

    it(`${file.path}: every rehearse, record-release, migrate and rollback step passes engine and manage-command`, () => {
      for (const [, job] of jobList)
        for (const s of steps(job).filter((x) => ENGINE_ACTIONS.test(String(x.uses)))) {
          const given = (s.with ?? {}) as Dict;
          expect(String(given.engine), String(s.uses)).toMatch(/inputs\.engine|vars\.STEPBACK_ENGINE/);
          expect(String(given['manage-command']), String(s.uses)).toMatch(/manage-command|MANAGE_COMMAND/);
        }
    });

    it(`${file.path}: a job that reads the checkout's graph sets up Python and installs the requirements first, only for engine django`, () => {
      for (const [id, job] of jobList) {
        const list = steps(job);
        const reader = list.findIndex((s) => CHECKOUT_ACTIONS.test(String(s.uses)));
        const python = list.findIndex((s) => SETUP_PYTHON.test(String(s.uses)));
        const pip = list.findIndex((s) => s.id === 'requirements');
        if (reader < 0) {
          expect({ id, python, pip }).toEqual({ id, python: -1, pip: -1 });
          continue;
        }
        expect({ id, before: python >= 0 && python < pip && pip < reader }).toEqual({ id, before: true });
        const engine = String((list[reader]!.with as Dict).engine).replace(/^\$\{\{\s*|\s*\}\}$/g, '');
        for (const s of [list[python]!, list[pip]!])
          expect(String(s.if)).toBe(['$', `{{ ${engine} == 'django' }}`].join(''));
      }
    });
  }

  for (const path of ['.github/workflows/stepback-deploy.yml', '.github/workflows/stepback-rollback.yml'])
    it(`${path}: engine is an input (default stepback) and manage-command one that defaults to the action's own`, () => {
      const inputs = ((load(path).on as Dict).workflow_call as { inputs: Record<string, Dict> }).inputs;
      expect(inputs.engine).toMatchObject({ type: 'string', default: 'stepback' });
      expect(inputs['manage-command']).toMatchObject({ type: 'string', default: '' });
    });

  it('the requirements step installs the named file with pip, and fails naming it when the checkout has none (runs the script)', () => {
    const doc = load('.github/workflows/stepback-deploy.yml');
    const step = steps(jobs(doc).deploy).find((s) => s.id === 'requirements')!;
    const dir = mkdtempSync(join(tmpdir(), 'stepback-req-'));
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'python'), `#!/usr/bin/env bash\necho "python $*" >> "${dir}/calls"\n`);
      chmodSync(join(bin, 'python'), 0o755);
      const run = (requirements: string) =>
        spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', String(step.run)], {
          cwd: dir,
          encoding: 'utf8',
          env: { PATH: `${bin}:${process.env.PATH}`, REQUIREMENTS: requirements },
        });
      const missing = run('requirements.txt');
      expect(missing.status).toBe(1);
      expect(missing.stdout).toMatch(/^::error::No requirements file 'requirements.txt' in the checkout/);
      expect(existsSync(join(dir, 'calls'))).toBe(false);
      writeFileSync(join(dir, 'requirements.txt'), 'Django==4.2\n');
      const ok = run('requirements.txt');
      expect(ok.status, ok.stderr).toBe(0);
      expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe(
        'python -m pip install --disable-pip-version-check -r requirements.txt\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('third-party pins', () => {
  it('each third-party action is pinned to one commit (and one version comment) in every workflow', () => {
    const pins = new Map<string, Set<string>>();
    for (const f of files)
      for (const u of usesLines(f.text)) {
        const at = u.ref.indexOf('@');
        if (u.ref.startsWith('./') || u.ref.startsWith('stepback-dev/') || at < 0) continue;
        const set = pins.get(u.ref.slice(0, at)) ?? new Set<string>();
        set.add(`${u.ref.slice(at + 1)} # ${u.comment}`);
        pins.set(u.ref.slice(0, at), set);
      }
    expect(pins.get('actions/setup-python')).toEqual(
      new Set(['a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0']),
    );
    for (const [action, set] of pins)
      expect({ action, pins: [...set] }).toEqual({ action, pins: [...set].slice(0, 1) });
  });
});
