/**
 * The scratch database a rehearsal runs in. Given a server URL: a fresh database created on that server and
 * dropped afterwards (the URL's own database is never touched). Without one: an embedded PostgreSQL
 * (embedded-server.ts), started in a temporary folder and removed.
 *
 * `recreate()` drops and creates the scratch database again: the rehearsal's way back to a clean state
 * after a down that left the schema broken.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { UsageError } from '../core/errors.ts';
import { passwordOf, redactSecrets, redactUrl } from '../core/redact.ts';
import { startEmbeddedPostgres } from './embedded-server.ts';

/** Back to an empty database: every user schema dropped, `public` made again (much faster than dropping the database, which forces a checkpoint). */
export const RESET_SCHEMAS_SQL = `do $reset$ declare s record; begin
  for s in select nspname from pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema' loop
    execute format('drop schema %I cascade', s.nspname);
  end loop;
  create schema public;
  grant usage on schema public to public;
end $reset$`;

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
