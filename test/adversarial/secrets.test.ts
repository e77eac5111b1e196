/**
 * A planted password never reaches any output channel, whatever shape the connection string has and
 * wherever the password comes from (the URL, PGPASSWORD, a passfile): stdout, stderr, the JSON result, the
 * events table, and the migrate action's annotations, summary and outputs. A malformed or foreign
 * connection string is refused (exit 2) with a message that does not echo it.
 * Under the CI server's trust authentication the server ignores the password, so it can be planted anywhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowSlowProcesses, type CliRun, jsonLine, migrationsDir, runCli } from '../cli/cli.ts';
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
