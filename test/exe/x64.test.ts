/**
 * The linux-x64 executable as a user's image runs it: no `node` anywhere on PATH. A release's whole life
 * against the real PostgreSQL — up with every layout (SQL files, folders, .ts/.mjs/.js modules), status,
 * manifest, verify, plan, down by plan, rehearse — and no output ever carries the password (runCli checks).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowSlowProcesses, jsonLine, root, runCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { executables, pathWithoutNode, pinnedInputs } from './executables.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();
const layouts = join(root, 'test/fixtures/layouts/migrations');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

let exe: string;
let path: string;
// The build (or waiting for another file's) takes minutes on a loaded 2-core machine.
beforeAll(() => {
  exe = executables()['linux-x64'];
  path = pathWithoutNode();
}, 900_000);

const run = (args: string[], db?: TestDatabase, cwd?: string) =>
  runCli(cwd ? ['--dir', join(cwd, 'migrations'), ...args] : args, {
    executable: exe,
    env: { PATH: path, ...(db ? { DATABASE_URL: db.url } : {}) },
    ...(db ? { password: db.password } : {}),
  });

describe('the linux-x64 executable without Node', () => {
  it('has no node on its PATH', () => {
    expect(readdirSync(path)).toEqual([]);
    expect(() => execFileSync('node', ['--version'], { env: { PATH: path }, stdio: 'ignore' })).toThrow(
      /ENOENT/,
    );
  });

  it('prints the package version, the commit it was built from, and the Node inside it', async () => {
    const result = await run(['--version']);
    expect(result.code, result.stderr).toBe(0);
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    expect(result.stdout.trim()).toMatch(
      new RegExp(
        `^${pkg.version.replaceAll('.', '\\.')} \\(executable, commit ${head}(\\+dirty)?, Node v${pinnedInputs.node.replaceAll('.', '\\.')}, linux-x64\\)$`,
      ),
    );
  });

  it('applies, reports, records, verifies, plans, reverts and rehearses a release', async () => {
    const db = await freshDb('exe_x64');
    const work = mkdtempSync(join(tmpdir(), 'stepback-exe-x64-'));
    const migrations = join(work, 'migrations');
    cpSync(layouts, migrations, { recursive: true });

    const v1 = await run(['up', '--release', 'v1', '--json'], db, work);
    expect(v1.code, v1.stderr).toBe(0);
    expect(jsonLine(v1).applied.map((a) => a.name)).toEqual([
      '0001_users',
      '0002_posts',
      '0003_seed_posts',
      '0004_tags',
      '0005_posts_title_idx',
      '0006_audit',
    ]);
    await withClient(db.url, async (c) => {
      // The TypeScript and ES module migrations really ran inside the executable.
      expect((await c.query('select title from posts')).rows).toEqual([{ title: 'hello from ts' }]);
      expect((await c.query('select name from tags order by 1')).rows.map((r) => r.name)).toEqual(['a', 'b']);
      const rows = await c.query('select distinct runner_version from stepback_migrations');
      expect(rows.rows).toEqual([{ runner_version: pkg.version }]);
    });
    const m1 = await run(['manifest', '--release', 'v1', '--out', join(work, 'v1.json')], undefined, work);
    expect(m1.code, m1.stderr).toBe(0);

    writeFileSync(join(migrations, '0007_extra.up.sql'), 'create table extra (id int);\n');
    writeFileSync(join(migrations, '0007_extra.down.sql'), 'drop table extra;\n');
    const v2 = await run(['up', '--release', 'v2', '--json'], db, work);
    expect(v2.code, v2.stderr).toBe(0);
    expect(jsonLine(v2).applied.map((a) => a.name)).toEqual(['0007_extra']);
    const m2 = await run(['manifest', '--release', 'v2', '--out', join(work, 'v2.json')], undefined, work);
    expect(m2.code, m2.stderr).toBe(0);

    const status = await run(['status', '--json'], db, work);
    expect(status.code, status.stderr).toBe(0);
    const state = JSON.parse(status.stdout);
    expect(state.applied.map((a: { name: string; release: string }) => [a.name, a.release]).at(-1)).toEqual([
      '0007_extra',
      'v2',
    ]);
    expect(state.pending).toEqual([]);
    writeFileSync(join(work, 'status.json'), status.stdout);

    const verify = await run(['verify', '--release', 'v2', '--json'], db, work);
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ release: 'v2', matches: true });

    const rehearse = await run(
      ['rehearse', '--since', join(work, 'v1.json'), '--release', 'v2', '--no-cache', '--json'],
      db,
      work,
    );
    expect(rehearse.code, rehearse.stderr).toBe(0);
    expect(rehearse.stderr).toMatch(/0007_extra: ok/);

    const plan = await run([
      'plan',
      '--from',
      join(work, 'v2.json'),
      '--to',
      join(work, 'v1.json'),
      '--status',
      join(work, 'status.json'),
      '--out',
      join(work, 'plan.json'),
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(existsSync(join(work, 'plan.json'))).toBe(true);

    const down = await run(['down', '--plan', join(work, 'plan.json'), '--json'], db, work);
    expect(down.code, down.stderr).toBe(0);
    const reverted = jsonLine(down);
    expect(reverted.reverted.map((r) => r.name)).toEqual(['0007_extra']);
    expect(reverted.verification).toMatchObject({ release: 'v1', matches: true });
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('public.extra') as t`)).rows[0].t).toBeNull();
    });
  });

  it('reports a refused connection without the password', async () => {
    const db = await freshDb('exe_x64_refused');
    const url = new URL(db.url);
    url.port = '1';
    const result = await runCli(['--dir', layouts, 'status'], {
      executable: exe,
      env: { PATH: path, DATABASE_URL: url.toString() },
      password: db.password,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ECONNREFUSED|connect/);
  });
});
