/**
 * Opening the runner's one connection. Connection and authentication failures become one clear line with a
 * hint naming host, database and user, never the password; `--wait` retries while the server starts.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { UsageError } from '../core/errors.ts';
import { passwordOf, redactSecrets, redactUrl } from '../core/redact.ts';

export interface ConnectOptions {
  databaseUrl: string | undefined;
  applicationName: string;
  /** Keep retrying transient failures (server starting, refusing, unresolvable host) this long. */
  waitMs: number;
  clock: Clock;
  log: (line: string) => void;
}

/** Failures that a starting server or network produces; worth retrying under --wait. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03', // cannot_connect_now: the database system is starting up
  '53300', // too_many_connections
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (/timeout|terminated unexpectedly/i.test((error as Error)?.message ?? '')) return 'ETIMEDOUT';
  return undefined;
}

function hintFor(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
      return 'is PostgreSQL running and reachable at that host and port? Pass --wait SECONDS to wait while it starts';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve; check the host in DATABASE_URL';
    case '28P01':
    case '28000':
      return 'authentication failed; check the user and password in DATABASE_URL (and pg_hba.conf)';
    case '3D000':
      return 'the database does not exist; create it or fix its name in DATABASE_URL';
    case '57P03':
      return 'the server is still starting; pass --wait SECONDS';
    default:
      return 'check DATABASE_URL (or --database-url) and that the server accepts connections';
  }
}

/**
 * Ends the session without waiting for the server's side of the close. pg's end() resolves only once the
 * backend has exited and closed the socket, several milliseconds of every CLI run; by now every transaction
 * has finished and the lock is released, so the Terminate message (written before the socket closes, the
 * bytes in order) is all the server needs. Falls back to waiting if pg's socket is not where it used to be.
 */
export async function disconnect(client: pg.Client): Promise<void> {
  const ended = client.end().catch(() => {});
  const socket = (client as unknown as { connection?: { stream?: { destroySoon?: () => void } } }).connection
    ?.stream;
  socket?.destroySoon?.();
  await ended;
}

const URL_HINT = 'use a URL: postgres://user:password@host:5432/dbname (percent-encode special characters)';

/**
 * Refuses a connection string stepback does not take, before anything is sent or printed, with a message
 * that never echoes it (a malformed one may hold its password anywhere): a libpq keyword string
 * (`host=… dbname=…`, which pg would read as a database name), a URL of another database, or anything that
 * is not a `postgres://` / `postgresql://` URL with a host.
 */
export function checkDatabaseUrl(url: string): void {
  const text = url.trim();
  if (/^[a-z_]+\s*=/i.test(text)) {
    throw new UsageError(
      'DATABASE_URL is a libpq keyword/value string (host=… dbname=…), which stepback does not read; its text is not shown',
      { hint: URL_HINT },
    );
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme === undefined) {
    throw new UsageError(
      'DATABASE_URL is not a URL starting with postgres:// or postgresql://; its text is not shown, as it may hold a password',
      { hint: URL_HINT },
    );
  }
  if (!/^postgres(ql)?$/i.test(scheme)) {
    throw new UsageError(`DATABASE_URL is a ${scheme}:// URL; stepback migrates PostgreSQL only`, {
      hint: URL_HINT,
    });
  }
  try {
    new URL(text);
  } catch {
    throw new UsageError(
      'DATABASE_URL is not a valid URL; its text is not shown, as it may hold a password',
      {
        hint: URL_HINT,
      },
    );
  }
}

interface PassfileEntry {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

/** The entries of the libpq password file (PGPASSFILE, else ~/.pgpass); empty when there is none. */
function passfileEntries(env: Record<string, string | undefined>): PassfileEntry[] {
  const path = env.PGPASSFILE ?? (homedir() ? join(homedir(), '.pgpass') : undefined);
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const entries: PassfileEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || line.trim() === '') continue;
    // hostname:port:database:username:password, with \: and \\ escaped.
    const fields: string[] = [];
    let field = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\' && i + 1 < line.length) field += line[++i];
      else if (c === ':' && fields.length < 4) {
        fields.push(field);
        field = '';
      } else field += c;
    }
    fields.push(field);
    const [host, port, database, user, password] = fields;
    if (fields.length === 5 && password)
      entries.push({ host: host!, port: port!, database: database!, user: user!, password });
  }
  return entries;
}

/** The passfile's passwords, so no output can carry one. */
export function passfileSecrets(env: Record<string, string | undefined>): string[] {
  return passfileEntries(env).map((e) => e.password);
}

/**
 * The passfile's password for a connection, libpq's rule (the first entry whose fields match, `*` matching
 * anything). Read here rather than by pg, whose own passfile support is deprecated (and warns).
 */
function passfilePassword(
  env: Record<string, string | undefined>,
  target: { host: string; port: string; database: string; user: string },
): string | undefined {
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  const match = (pattern: string, value: string) => pattern === '*' || pattern === value;
  return passfileEntries(env).find(
    (e) =>
      match(e.host, host) &&
      match(e.port, target.port) &&
      match(e.database, target.database) &&
      match(e.user, target.user),
  )?.password;
}

export async function connect(options: ConnectOptions): Promise<pg.Client> {
  const url = options.databaseUrl;
  if (!url) {
    throw new UsageError('no database to connect to', {
      hint: 'set DATABASE_URL or pass --database-url postgres://user:password@host:5432/dbname',
    });
  }
  checkDatabaseUrl(url);
  const secret = passwordOf(url);
  const make = (): pg.Client => {
    try {
      return new pg.Client({
        connectionString: url,
        application_name: options.applicationName,
        connectionTimeoutMillis: 10_000,
      });
    } catch (error) {
      throw new UsageError(
        `DATABASE_URL is not a valid connection string (${redactSecrets((error as Error).message, [secret])}): ${redactUrl(url)}`,
        { hint: URL_HINT },
      );
    }
  };
  const deadline = options.clock.now() + options.waitMs;
  let attempt = 0;
  for (;;) {
    const client = make();
    // null: neither the URL nor PGPASSWORD gave one, and pg would read the passfile itself (and warn).
    const withPassword = client as unknown as { password: unknown };
    if (withPassword.password === null) {
      const found = passfilePassword(process.env, {
        host: client.host,
        port: String(client.port),
        database: client.database ?? '',
        user: client.user ?? '',
      });
      if (found !== undefined) withPassword.password = found;
    }
    const where = `${client.host}:${client.port}, database "${client.database}", user "${client.user}"`;
    // Errors after connecting (server shutdown, network loss) must not crash the process unhandled.
    client.on('error', () => {});
    try {
      await client.connect();
      if (attempt > 0) options.log(`connected to ${where}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      const code = errorCode(error);
      const reason = redactSecrets((error as Error)?.message ?? String(error), [secret]);
      if (code !== undefined && TRANSIENT.has(code) && options.clock.now() < deadline) {
        if (attempt === 0)
          options.log(
            `waiting for PostgreSQL at ${where} (${reason}); up to ${Math.round(options.waitMs / 1000)} s`,
          );
        attempt++;
        await options.clock.sleep(Math.min(1000, Math.max(50, deadline - options.clock.now())));
        continue;
      }
      throw new UsageError(`cannot connect to PostgreSQL at ${where}: ${reason || code || 'unknown error'}`, {
        hint: hintFor(code),
      });
    }
  }
}
