/**
 * Runs once before all test files: makes sure a PostgreSQL admin URL and a Node 24 binary exist, and hands
 * both to the workers through the environment (workers are forked after this runs, so they inherit it).
 *
 * PostgreSQL: `DATABASE_URL` when set (CI and developers with a server), otherwise an embedded PostgreSQL
 * started here and stopped at teardown, so `npm test` works on a fresh machine. An unreachable
 * `DATABASE_URL` fails the run: a missing database is never a skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { describeError } from '../../src/core/errors.ts';
import { startEmbeddedPostgres } from '../../src/rehearse/embedded-server.ts';

const root = resolve(import.meta.dirname, '../..');

async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const where = new URL(url);
    where.password = '';
    throw new Error(
      `DATABASE_URL (${where.host}) is not reachable: ${(error as Error).message}. Start PostgreSQL or unset DATABASE_URL to use an embedded one.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Node 24 (the Actions runtime) installed outside node_modules/.bin, where it would shadow the system node. */
function ensureNode24(): string {
  if (process.env.STEPBACK_NODE24 && existsSync(process.env.STEPBACK_NODE24))
    return process.env.STEPBACK_NODE24;
  const prefix = join(root, 'node_modules/.cache/stepback-node24');
  const bin = join(prefix, 'node_modules/node/bin/node');
  if (!existsSync(bin)) {
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, 'node@24.21.0'],
      {
        stdio: 'ignore',
      },
    );
  }
  return bin;
}

export default async function setup(): Promise<() => Promise<void>> {
  // Tests spawn the built CLI (the artifact users ship), so build it fresh first.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { stdio: 'inherit' });
  let stop: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    await assertReachable(process.env.DATABASE_URL);
  } else if (process.env.STEPBACK_REQUIRE_DATABASE) {
    throw new Error('STEPBACK_REQUIRE_DATABASE is set but DATABASE_URL is not');
  } else {
    const embedded = await startEmbeddedPostgres(() => {}).catch((error: unknown) => {
      // One line with what to do, instead of a stack trace through vitest's setup.
      process.stderr.write(`npm test: ${describeError(error)}\n`);
      process.exit(2);
    });
    process.env.DATABASE_URL = embedded.adminUrl;
    stop = embedded.stop;
  }
  process.env.STEPBACK_NODE24 = ensureNode24();
  return async () => {
    await stop?.();
  };
}
