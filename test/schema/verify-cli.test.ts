import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, runCli } from '../cli/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('verify_cli');
  dir = migrationsDir({
    '0001_users.up.sql': 'create table users (id int primary key, email text not null);',
    '0001_users.down.sql': 'drop table users;',
    '0002_email_idx.up.sql': 'create index users_email_idx on users (email);',
    '0002_email_idx.down.sql': '-- forgets the index\nselect 1;',
  });
});
afterAll(async () => {
  await db?.drop();
});

const env = () => ({ DATABASE_URL: db.url });

describe('stepback verify', () => {
  it('matches after up, reports the difference after a broken down, and refuses an unknown release', async () => {
    const up1 = await runCli(['up', '--dir', dir, '--to', '0001_users', '--release', 'v1'], {
      env: env(),
      password: db.password,
    });
    expect(up1.code).toBe(0);
    const ok = await runCli(['verify', '--release', 'v1', '--json'], { env: env(), password: db.password });
    expect(ok.stderr).toContain('schema matches release v1 as deployed');
    expect(JSON.parse(ok.stdout)).toMatchObject({
      format: 'stepback/verify@1',
      release: 'v1',
      matches: true,
    });
    expect(ok.code).toBe(0);

    expect(
      (await runCli(['up', '--dir', dir, '--release', 'v2'], { env: env(), password: db.password })).code,
    ).toBe(0);
    const down = await runCli(['down', '--dir', dir, '--to', '0001_users'], {
      env: env(),
      password: db.password,
    });
    expect(down.code).toBe(0);

    const bad = await runCli(['verify', '--release', 'v1', '--json'], { env: env(), password: db.password });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('schema differs from release v1 as deployed (1 difference)');
    expect(bad.stderr).toContain('index users_email_idx: unexpected');
    expect(JSON.parse(bad.stdout)).toMatchObject({
      matches: false,
      differences: ['index users_email_idx: unexpected'],
    });

    const none = await runCli(['verify', '--release', 'v9'], { env: env(), password: db.password });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no fingerprint recorded for release v9');
  });

  it('records the fingerprint in the configured stepback schema', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = await client.query('select release from public.stepback_fingerprints order by release');
      expect(rows.rows.map((r) => r.release)).toEqual(['v1', 'v2']);
    } finally {
      await client.end();
    }
  });
});
