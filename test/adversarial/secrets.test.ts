/**
 * A planted password never reaches any output channel, whatever shape the connection string has and
 * wherever the password comes from (the URL, PGPASSWORD, a passfile): stdout, stderr, the JSON result, the
 * events table, the migrate action's annotations, summary and outputs — nor any record: a release manifest
 * (the task definition it keeps, with the password in plain `environment` or `command` in every form), a
 * plan written by `plan --out`, and the rollback action's outputs (GITHUB_OUTPUT) and summary. A malformed
 * or foreign connection string is refused (exit 2) with a message that does not echo it.
 * Under the CI server's trust authentication the server ignores the password, so it can be planted anywhere.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EcsTaskDefinitions } from '../../src/aws/task-definitions.ts';
import { redactTaskDefinition } from '../../src/core/task-definition-secrets.ts';
import { loadReleaseSources } from '../../src/pipeline/local/sources.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { recordRelease } from '../../src/pipeline/record-release.ts';
import { FileStore } from '../../src/stores/file-store.ts';
import { clientsFor, registerTd } from '../aws/helpers.ts';
import {
  allowSlowProcesses,
  applyWithApi,
  type CliRun,
  jsonLine,
  migrationsDir,
  runCli,
} from '../cli/cli.ts';
import { startAwsSim } from '../sim/index.ts';
import { adminUrl, databasesForThisFile, type TestDatabase, withClient } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();
const root = resolve(import.meta.dirname, '../..');

const PASSWORD = 'Pl4nted-Secr3t-value';

/** The password, and every long piece of it (a redactor that masks all but a letter still leaks it). */
function expectNoSecret(text: string, password = PASSWORD): void {
  expect(text).not.toContain(password);
  expect(text).not.toContain(password.slice(1));
  expect(text).not.toContain(password.slice(0, -1));
  expect(text).not.toContain(encodeURIComponent(password).slice(1));
}

function expectRunClean(run: CliRun, password = PASSWORD): void {
  expectNoSecret(run.stdout, password);
  expectNoSecret(run.stderr, password);
}

async function eventsText(db: TestDatabase): Promise<string> {
  return withClient(db.url, async (c) =>
    JSON.stringify((await c.query('select error, detail from stepback_events')).rows),
  );
}

/** A migration whose error message echoes `secret` back (as a failing ALTER ROLE … PASSWORD could). */
const echoing = (secret: string) => ({
  '0001_ok.up.sql': 'create table ok (id int);\n',
  '0002_echo.up.sql': `select '${secret}'::int;\n`,
});

describe('malformed and foreign connection strings are refused without echoing them', () => {
  const server = new URL(adminUrl());
  const hostPort = `${server.hostname}:${server.port || 5432}`;
  it.each([
    ['no scheme', `tester:${PASSWORD}@${hostPort}/postgres`],
    ['no scheme, leading //', `//tester:${PASSWORD}@${hostPort}/postgres`],
    ['one slash', `postgres:/tester:${PASSWORD}@${hostPort}/postgres`],
    [
      'libpq keyword string',
      `host=${server.hostname} port=${server.port || 5432} password=${PASSWORD} dbname=postgres`,
    ],
    ['another database', `mysql://tester:${PASSWORD}@${hostPort}/postgres`],
  ])('%s: exit 2, the refusal says what is wrong, no piece of the password anywhere', async (_label, url) => {
    const dir = migrationsDir({ '0001_ok.up.sql': 'select 1;\n' });
    for (const args of [
      ['--database-url', url, '--dir', dir, 'up', '--json'],
      ['--dir', dir, 'status', '--json'],
    ]) {
      const run = await runCli(args, { env: { DATABASE_URL: url } });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/DATABASE_URL is (a libpq keyword|not a URL|a mysql:\/\/ URL)/);
      expectRunClean(run);
    }
  });
});

describe('every password source is redacted in every channel', () => {
  it('the URL password echoed by a SQL error: masked on stderr, in the JSON result and in the events table', async () => {
    const db = await freshDb('secret_url');
    const run = await runCli(['--dir', migrationsDir(echoing(db.password)), 'up', '--json'], {
      env: { DATABASE_URL: db.url },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('***');
    expectRunClean(run, db.password);
    expectNoSecret(await eventsText(db), db.password);
  });

  it('PGPASSWORD echoed by a SQL error: masked everywhere too', async () => {
    const db = await freshDb('secret_pgpassword');
    const url = new URL(db.url);
    url.password = '';
    const run = await runCli(['--dir', migrationsDir(echoing(db.password)), 'up', '--json'], {
      env: { DATABASE_URL: url.toString(), PGPASSWORD: db.password },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('***');
    expectRunClean(run, db.password);
    expectNoSecret(await eventsText(db), db.password);
  });

  it('a passfile password (read by stepback, so pg does not warn) echoed by a SQL error: masked everywhere too', async () => {
    const db = await freshDb('secret_passfile');
    const url = new URL(db.url);
    url.password = '';
    const passfile = join(mkdtempSync(join(tmpdir(), 'stepback-pgpass-')), 'pgpass');
    const escaped = db.password.replace(/[\\:]/g, '\\$&');
    writeFileSync(passfile, `# a comment\nelsewhere:*:*:*:not-this-one\n*:*:${db.name}:*:${escaped}\n`, {
      mode: 0o600,
    });
    const run = await runCli(['--dir', migrationsDir(echoing(db.password)), 'up', '--json'], {
      env: { DATABASE_URL: url.toString(), PGPASSFILE: passfile },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(jsonLine(run).failed?.name).toBe('0002_echo');
    expectRunClean(run, db.password);
    expectNoSecret(await eventsText(db), db.password);
  });

  it('the migrate action with a malformed database-url: annotations, summary, outputs and logs stay clean', async () => {
    const server = new URL(adminUrl());
    const run = await runAction('migrate', {
      inputs: {
        release: 'v1',
        executor: 'runner',
        'runner-command': `${process.execPath} ${join(root, 'dist/cli.js')}`,
        'migrations-dir': migrationsDir({ '0001_ok.up.sql': 'select 1;\n' }),
        'database-url': `tester:${PASSWORD}@${server.hostname}:${server.port || 5432}/postgres`,
      },
    });
    expect(run.exitCode).not.toBe(0);
    const stdout = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [stdout, run.stderr, run.summary, run.errors.join('\n'), JSON.stringify(run.outputs)])
      expectNoSecret(text);
  });
});

/** Every shape a connection string with `password` can take in a task definition's plain text. */
function passwordForms(password: string, host: string): Record<string, string> {
  return {
    DB_URL: `postgres://app:${encodeURIComponent(password)}@${host}/app`,
    DB_NO_SCHEME: `app:${password}@${host}/app`,
    DB_LEADING_SLASHES: `//app:${password}@${host}/app`,
    DB_ONE_SLASH: `postgres:/app:${password}@${host}/app`,
    DB_QUERY: `postgres://app@${host}/app?sslmode=disable&password=${encodeURIComponent(password)}`,
    DB_KEYWORDS: `host=${host} password=${password} dbname=app`,
    PGPASSWORD: password,
    START: `PGPASSWORD=${password} stepback up`,
  };
}

describe('records carry no password: manifests, plans, the rollback action', () => {
  it('a task definition with the password in plain text, every form, in environment and command', () => {
    const forms = passwordForms(PASSWORD, 'db:5432');
    const { taskDefinition, redacted } = redactTaskDefinition({
      family: 'app',
      containerDefinitions: [
        {
          name: 'app',
          environment: Object.entries(forms).map(([name, value]) => ({ name, value })),
          command: ['stepback', '--database-url', forms.DB_NO_SCHEME!, 'up'],
          entryPoint: ['sh', '-c', `${forms.START} --database-url ${forms.DB_URL}`],
        },
      ],
    });
    expectNoSecret(JSON.stringify(taskDefinition));
    expect(redacted).toEqual([
      ...Object.keys(forms).map((name) => `container app: environment ${name}`),
      'container app: command[2]',
      'container app: entryPoint[2]',
    ]);
  });

  it('record-release, plan --out and the rollback action, with the database password planted everywhere', async () => {
    const db = await freshDb('secret_records');
    const sim = await startAwsSim();
    try {
      const server = new URL(db.url);
      const forms = passwordForms(db.password, `${server.hostname}:${server.port || 5432}`);
      const v1 = { '0001_a.up.sql': 'create table a (id int);', '0001_a.down.sql': 'drop table a;' };
      const v2 = { ...v1, '0002_b.up.sql': 'create table b (id int);', '0002_b.down.sql': 'drop table b;' };
      const dirs = { v1: migrationsDir(v1), v2: migrationsDir(v2) };
      const storeDir = mkdtempSync(join(tmpdir(), 'stepback-store-'));
      const store = new FileStore(storeDir);
      const taskDefinitions = new EcsTaskDefinitions((await clientsFor(sim)).ecs, memoryLog());
      const arns: Record<string, string> = {};
      const logs: string[] = [];
      for (const release of ['v1', 'v2'] as const) {
        arns[release] = registerTd(sim, {
          image: `app:${release}`,
          environment: { ...forms, DATABASE_URL: db.url },
          command: ['stepback', '--database-url', db.url, 'up'],
        });
        const log = memoryLog();
        const { migrations, sources } = await loadReleaseSources(dirs[release], release);
        await recordRelease(
          { release, migrations, sources, now: new Date(), taskDefinitionArn: arns[release] },
          { store, taskDefinitions },
          log,
        );
        logs.push(log.text());
      }
      for (const file of readdirSync(storeDir, { recursive: true, withFileTypes: true }))
        if (file.isFile())
          expectNoSecret(readFileSync(join(file.parentPath, file.name), 'utf8'), db.password);
      expect(readFileSync(join(storeDir, 'v2.json'), 'utf8')).toContain('STEPBACK-REDACTED');
      for (const text of logs) expectNoSecret(text, db.password);
      expect(logs[1]).toContain('container app: environment DB_NO_SCHEME');

      const planFile = join(mkdtempSync(join(tmpdir(), 'stepback-plan-')), 'plan.json');
      const plan = await runCli(
        ['plan', '--from', 'v2', '--to', 'v1', '--store', `file://${storeDir}`, '--out', planFile, '--json'],
        { env: { DATABASE_URL: db.url } },
      );
      expect(plan.code, plan.stderr).toBe(0);
      expectRunClean(plan, db.password);
      expectNoSecret(readFileSync(planFile, 'utf8'), db.password);

      await applyWithApi(db.url, dirs.v2, 'v2');
      const stateFile = join(mkdtempSync(join(tmpdir(), 'stepback-live-')), 'live.json');
      writeFileSync(
        stateFile,
        JSON.stringify({
          taskDefinitionArn: arns.v2,
          release: 'v2',
          deployedAt: '2026-11-21T10:00:00.000Z',
          history: [],
        }),
      );
      const rollback = await runAction('rollback', {
        inputs: {
          'to-release': 'v1',
          store: `file://${storeDir}`,
          executor: 'runner',
          'runner-command': `${process.execPath} ${join(root, 'dist/cli.js')}`,
          'migrations-dir': dirs.v2,
          'database-url': db.url,
          'deploy-target': 'file',
          'state-file': stateFile,
        },
      });
      expect(rollback.exitCode, rollback.stderr).toBe(0);
      expect(rollback.outputs.status).toBe('rolled-back');
      expect(rollback.outputs.plan).toContain('0002_b');
      const stdout = rollback.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      for (const text of [
        stdout,
        rollback.stderr,
        rollback.summary,
        rollback.errors.join('\n'),
        JSON.stringify(rollback.outputs),
        readFileSync(stateFile, 'utf8'),
      ])
        expectNoSecret(text, db.password);
    } finally {
      await sim.close();
    }
  });
});
