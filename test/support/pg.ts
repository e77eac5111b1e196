/**
 * Per-test databases on the admin server from the global setup. Each test file creates the databases it
 * needs and drops them afterwards, so files can run in parallel on one server.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

export function adminUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set; the global setup should have provided one');
  return url;
}

export interface TestDatabase {
  /** Connection URL of the new database, carrying `password`. */
  url: string;
  name: string;
  /**
   * The password inside `url`. Under trust auth (the CI server) the server ignores it, so tests can still
   * assert that it never reaches any output.
   */
  password: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `sb_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  if (!url.password) url.password = `pw-${randomBytes(6).toString('hex')}`;
  return {
    url: url.toString(),
    name,
    password: decodeURIComponent(url.password),
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}

/**
 * `fresh(label)` for a test file: each call creates a database, and all of them are dropped after the file's
 * tests (vitest's afterAll, registered here).
 */
export function databasesForThisFile(): (label: string) => Promise<TestDatabase> {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });
  return async (label) => {
    const db = await createTestDatabase(label);
    dbs.push(db);
    return db;
  };
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Run `fn` with a client on `url`, closing it afterwards. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
