/**
 * Every workflow we ship (ready-to-copy in workflows/, reusable and CI in .github/workflows/) passes GitHub's
 * own schema check and the project's rules (rules.ts): no script injection, least permissions, timeouts,
 * pins, a per-environment non-cancelling concurrency group, a gated rollback, and inputs that the called
 * actions really declare.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { diskLookups, kindOf, workflowFiles } from './files.ts';
import { checkWorkflow } from './rules.ts';
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

describe('deploy flow (DESIGN.md §2)', () => {
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
          if ((s.id === 'image' || s.id === 'taskdef' || s.id === 'release') && typeof s.run === 'string') {
            const set = scripts.get(String(s.id)) ?? new Set<string>();
            set.add(s.run);
            scripts.set(String(s.id), set);
          }
    }
    expect([...scripts.keys()].sort()).toEqual(['image', 'release', 'taskdef']);
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
