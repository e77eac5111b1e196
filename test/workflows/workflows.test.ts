/**
 * Every workflow we ship (ready-to-copy in workflows/, reusable and CI in .github/workflows/) passes GitHub's
 * own schema check and the project's rules (rules.ts): no script injection, least permissions, timeouts,
 * pins, a per-environment non-cancelling concurrency group, a gated rollback, and inputs that the called
 * actions really declare.
 */
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
  }
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
