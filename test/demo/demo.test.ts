/**
 * `npm run demo` is the README's first command: run it as users do (against the test server's
 * DATABASE_URL) and check that its story ends in the three proofs and the verdict, and that it cleans up.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withAdmin } from '../support/pg.ts';

const root = resolve(import.meta.dirname, '../..');

describe('npm run demo', () => {
  it('ships v1 and v2, rolls back to v1, proves schema, data and live release, and drops its database', async () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], {
      cwd: root,
      env: process.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.stderr).not.toMatch(/demo failed/);
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/revert 3, keep 3/);
    expect(out).toMatch(/^ok {4}live release is v1 /m);
    expect(out).toMatch(/^ok {4}schema matches release v1 as deployed$/m);
    expect(out).toMatch(
      /^ok {4}users\.full_name is back as v1 left it: Ada Lovelace, Grace Brewster Hopper, Edsger Dijkstra, Barbara Liskov$/m,
    );
    expect(out).toMatch(/Verdict: rollback v2 → v1 verified/);

    const database = /database {2}(\S+)/.exec(out)?.[1];
    expect(database).toMatch(/^stepback_demo_/);
    const left = await withAdmin(
      async (c) => (await c.query('select 1 from pg_database where datname = $1', [database])).rowCount,
    );
    expect(left).toBe(0);
  }, 300_000);
});
