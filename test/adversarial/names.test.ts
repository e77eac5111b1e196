/**
 * One name grammar everywhere a name enters (src/core/names.ts): a migration name or a release name that one
 * part refuses is refused by every part — manifests and plans read from JSON, a migrations directory, the
 * CLI's `--release`, the actions' inputs, the stores' keys — and always before anything connects or is
 * written. Also the two usage errors that were reported as something else: `--out` into a missing
 * directory (was exit 1, "a migration failed") and a runner-command written for a shell (was "exited 1").
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest-schema.ts';
import { isMigrationName, isReleaseName } from '../../src/core/names.ts';
import { parsePlan } from '../../src/core/plan-schema.ts';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { planRollback } from '../../src/core/rollback-plan.ts';
import { loadMigrations } from '../../src/migrate/sources.ts';
import { checkReleaseName } from '../../src/stores/common.ts';
import { parseInputs } from '../../src/wiring/inputs.ts';
import { allowSlowProcesses, migrationsDir, runCli } from '../cli/cli.ts';

allowSlowProcesses();

const sha = (c: string) => `sha256:${c.repeat(64)}`;
const migration = (name: string) => ({
  name,
  checksum: sha('a'),
  downChecksum: sha('b'),
  reversible: true,
  transactional: true,
});
const manifest = (release: string, names: string[]) =>
  buildManifest({ release, createdAt: new Date('2026-11-21T10:00:00Z'), migrations: names.map(migration) });

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    return (error as { problems?: string[] }).problems ?? [String(error)];
  }
  throw new Error('accepted');
}

const TRAVERSAL = '9999_zz/../../../../etc/passwd';
/** No database listens here: a refusal that comes first never tries it. */
const NO_DATABASE = 'postgres://u@127.0.0.1:1/none';

describe('a migration name outside the grammar is refused wherever it enters', () => {
  it('a manifest naming a path: plan exits 2 naming the field and the name, and writes no plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepback-names-'));
    writeFileSync(join(dir, 'v1.json'), JSON.stringify(manifest('v1', ['0001_a'])));
    writeFileSync(join(dir, 'v2.json'), JSON.stringify(manifest('v2', ['0001_a', TRAVERSAL])));
    const out = join(dir, 'plan.json');
    const run = await runCli([
      'plan',
      '--from',
      join(dir, 'v2.json'),
      '--to',
      join(dir, 'v1.json'),
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`migrations[1].name: ${JSON.stringify(TRAVERSAL)} is not a migration name`);
    expect(run.stdout).not.toContain('plan written');
  });

  it.each([
    ['a slash', '0002_a/b'],
    ['a parent segment', '..'],
    ['a space', '0002_a b'],
    ['a newline', '0002_a\nb'],
    ['a leading dot', '.0002_a'],
    ['256 characters', `0002_${'x'.repeat(251)}`],
  ])('%s: refused in a manifest, its dependencies and targets, and in a plan', (_label, bad) => {
    const m = manifest('v2', ['0001_a', bad]);
    expect(problemsOf(() => parseManifest(JSON.parse(JSON.stringify(m))))).toContainEqual(
      expect.stringMatching(/^migrations\[1\]\.name: .* is not a migration name: it must/),
    );
    const plan = planRollback({
      newer: manifest('v2', ['0001_a', '0002_ok']),
      older: manifest('v1', ['0001_a']),
    });
    if (!plan.ok) throw new Error('plan refused');
    const edited = JSON.parse(JSON.stringify(plan.plan));
    edited.revert[0].name = bad;
    edited.keep = [bad.replace('0002', '0001')];
    const problems = problemsOf(() => parsePlan(edited));
    expect(problems).toContainEqual(expect.stringMatching(/^revert\[0\]\.name: .* is not a migration name/));
    expect(problems).toContainEqual(expect.stringMatching(/^keep\[0\]: .* is not a migration name/));
  });

  it.each([
    ['a shell word', 'shop;rm -rf'],
    ['a leading digit', '1shop'],
    ['a dot', 'shop.x'],
    ['a newline', 'shop\nx'],
  ])(
    "an app label with %s is refused in a Django manifest's targets and in a plan's targets",
    (_label, bad) => {
      const m = JSON.parse(JSON.stringify(manifest('v2', ['shop.0001_a'])));
      m.engine = 'django';
      m.targets = { [bad]: 'shop.0001_a' };
      expect(problemsOf(() => parseManifest(m))).toContainEqual(
        expect.stringMatching(
          /^targets(\.|\[").*: .* is not an app label: it must use only letters, digits and _/,
        ),
      );
      const plan = planRollback({
        newer: manifest('v2', ['0001_a', '0002_ok']),
        older: manifest('v1', ['0001_a']),
      });
      if (!plan.ok) throw new Error('plan refused');
      const edited = JSON.parse(JSON.stringify(plan.plan));
      edited.targets = [{ app: bad, migration: null }];
      expect(problemsOf(() => parsePlan(edited))).toContainEqual(
        expect.stringMatching(/^targets\[0\]\.app: .* is not an app label/),
      );
    },
  );

  it('names every layout and engine writes are inside it', () => {
    for (const name of [
      '0001_create_users',
      '20240101000000_add_index',
      '2024-01-01T10.00_x',
      'V1_1__Add_table',
      'accounts.0001_initial',
      'app.0002_auto_20240101_1000',
      '1-add-users',
    ])
      expect(isMigrationName(name), name).toBe(true);
  });

  it('a directory file whose name is outside the grammar (dbmate reads any file name): exit 2 before connecting', async () => {
    const dir = migrationsDir({
      '20240101000000_add users.sql':
        '-- migrate:up\ncreate table t (id int);\n-- migrate:down\ndrop table t;\n',
    });
    await expect(loadMigrations(dir)).rejects.toMatchObject({
      problems: [expect.stringMatching(/^"20240101000000_add users": is not a migration name/)],
    });
    const run = await runCli(['--dir', dir, 'up'], { env: { DATABASE_URL: NO_DATABASE } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).not.toMatch(/cannot connect/);
  });
});

describe('one release-name rule: the CLI, the actions, the manifests, the plans and the stores agree', () => {
  const migrateInputs =
    (release: string, extra: Record<string, string> = {}) =>
    (name: string) =>
      ({ release, executor: 'runner', ...extra })[name] ?? '';
  const accepts = {
    inputs: (r: string) => {
      try {
        parseInputs('migrate', migrateInputs(r));
        return true;
      } catch {
        return false;
      }
    },
    manifest: (r: string) => {
      try {
        parseManifest(JSON.parse(JSON.stringify(manifest(r, ['0001_a']))));
        return true;
      } catch {
        return false;
      }
    },
    plan: (r: string) => {
      const made = planRollback({ newer: manifest('v2', ['0001_a']), older: manifest('v1', ['0001_a']) });
      if (!made.ok) throw new Error('plan refused');
      try {
        parsePlan({ ...JSON.parse(JSON.stringify(made.plan)), from: { ...made.plan.from, release: r } });
        return true;
      } catch (error) {
        return !(error as { problems?: string[] }).problems?.some((p) => p.startsWith('from.release'));
      }
    },
    store: (r: string) => {
      try {
        checkReleaseName(r);
        return true;
      } catch {
        return false;
      }
    },
  };

  it.each(
    (
      [
        ['v1.2.0', true],
        ['v1.2.0+build.5', true],
        ['2026-11-21_main-abc1234', true],
        ['v1/rc', false],
        ['../v1', false],
        ['v1..2', false],
        ['v1 beta', false],
        ['v1\nv2', false],
        ['-v1', false],
        ['x'.repeat(200), true],
        ['x'.repeat(201), false],
        ['x'.repeat(10_000), false],
      ] satisfies [string, boolean][]
    ).map(([release, ok]: [string, boolean]) => [
      release.length > 40 ? `${release.length} characters` : release,
      release,
      ok,
    ]),
  )('%j: accepted everywhere or nowhere', (_label, release: string, ok: boolean) => {
    expect(isReleaseName(release)).toBe(ok);
    for (const [where, accept] of Object.entries(accepts)) expect(accept(release), where).toBe(ok);
  });

  it.each([
    ['a newline', 'v1\nrm -rf /'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ])(
    '`up --release` with %s: exit 2 before connecting, nothing recorded, one bounded line',
    async (_l, release) => {
      const dir = migrationsDir({ '0001_ok.up.sql': 'select 1;\n' });
      const run = await runCli(['--dir', dir, 'up', '--release', release, '--json'], {
        env: { DATABASE_URL: NO_DATABASE },
      });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/--release ".*"( \(\d+ characters\))? is not a release name: it must/);
      expect(run.stderr).not.toMatch(/cannot connect/);
      expect(run.stderr.length).toBeLessThan(1000);
      const env = await runCli(['--dir', dir, 'up'], {
        env: { DATABASE_URL: NO_DATABASE, STEPBACK_RELEASE: release },
      });
      expect(env.code, env.stderr).toBe(2);
      expect(env.stderr).toMatch(/STEPBACK_RELEASE ".*"( \(\d+ characters\))? is not a release name/);
    },
  );

  it('`manifest --release` outside the rule: exit 2, no manifest written', async () => {
    const dir = migrationsDir({ '0001_ok.up.sql': 'select 1;\n' });
    const run = await runCli(['--dir', dir, 'manifest', '--release', 'v1/../../x']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('an action input quoting a 10,000-character release keeps its message short', () => {
    const problems = problemsOf(() => parseInputs('migrate', migrateInputs('x'.repeat(10_000))));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^release: must use only letters/);
    expect(problems[0]!.length).toBeLessThan(400);
  });
});

describe('`--out` into a directory that does not exist is a usage error', () => {
  it('manifest --out: exit 2 naming the directory (not 1, "a migration failed")', async () => {
    const dir = migrationsDir({ '0001_ok.up.sql': 'select 1;\n' });
    const missing = join(dir, 'no-such-dir');
    const run = await runCli(['--dir', dir, 'manifest', '--release', 'v1', '--out', join(missing, 'm.json')]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`the directory ${missing} does not exist`);
  });

  it('plan --out: exit 2 naming the directory, before the manifests are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepback-names-'));
    const missing = join(dir, 'gone');
    const run = await runCli([
      'plan',
      '--from',
      'v2.json',
      '--to',
      'v1.json',
      '--out',
      join(missing, 'p.json'),
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`the directory ${missing} does not exist`);
  });
});

describe('a runner-command written for a shell is refused when the inputs are parsed', () => {
  const withCommand = (command: string) => (name: string) =>
    ({ release: 'v1', executor: 'runner', 'runner-command': command })[name] ?? '';

  it.each([
    ['npm ci && npx stepback', '&&'],
    ['cat x | stepback', 'pipe'],
    ['cd /app; stepback', 'command separator'],
    ['$(which stepback)', 'command substitution'],
    ['`which stepback`', 'command substitution'],
    ['stepback > /tmp/log', 'redirection'],
    ["node 'dist/cli.js'", 'quoting'],
    ['$HOME/bin/stepback', 'variable'],
    ['npm ci\nnpx stepback', 'several lines'],
  ])('%j: names the construct, says there is no shell and what to do', (command, construct) => {
    const problems = problemsOf(() => parseInputs('migrate', withCommand(command)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^runner-command: holds /);
    expect(problems[0]).toContain(construct);
    expect(problems[0]).toContain('run without a shell');
    expect(problems[0]).toContain('exec stepback "$@"');
  });

  it('words, paths and flags are accepted; so is the default', () => {
    for (const command of [
      '',
      'stepback',
      'node dist/cli.js',
      '/usr/local/bin/stepback --wait 30',
      'npx --no-install stepback',
    ])
      expect(() => parseInputs('migrate', withCommand(command)), command).not.toThrow();
  });
});
