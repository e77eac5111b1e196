#!/usr/bin/env node
/**
 * The "plain umzug" a team would write themselves: umzug 3.8.3, one pg.Client, a minimal storage (a table of
 * names), `<name>.up.sql` / `<name>.down.sql` files. Each migration runs in its own transaction together with
 * its storage row (BEGIN on `migrating`, COMMIT on `migrated`), the same guarantee the other tools give.
 *
 *   DATABASE_URL=… node umzug-plain.mjs up|down <dir>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Umzug } from 'umzug';

const [command, dir] = process.argv.slice(2);
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();

const storage = {
  async executed() {
    await client.query('CREATE TABLE IF NOT EXISTS umzug_migrations (name text PRIMARY KEY)');
    const { rows } = await client.query('SELECT name FROM umzug_migrations ORDER BY name');
    return rows.map((r) => r.name);
  },
  async logMigration({ name }) {
    await client.query('INSERT INTO umzug_migrations (name) VALUES ($1)', [name]);
  },
  async unlogMigration({ name }) {
    await client.query('DELETE FROM umzug_migrations WHERE name = $1', [name]);
  },
};

const umzug = new Umzug({
  migrations: {
    glob: ['*.up.sql', { cwd: dir }],
    resolve: ({ name, path }) => ({
      name: name.replace(/\.up\.sql$/, ''),
      up: () => client.query(readFileSync(path, 'utf8')),
      down: () => client.query(readFileSync(join(dir, name.replace(/\.up\.sql$/, '.down.sql')), 'utf8')),
    }),
  },
  context: {},
  storage,
  logger: undefined,
});
const begin = () => client.query('BEGIN');
const commit = () => client.query('COMMIT');
umzug.on('migrating', begin);
umzug.on('migrated', commit);
umzug.on('reverting', begin);
umzug.on('reverted', commit);

try {
  const done = command === 'up' ? await umzug.up() : await umzug.down({ to: 0 });
  console.error(`umzug ${command}: ${done.length} migrations`);
} catch (error) {
  await client.query('ROLLBACK').catch(() => {});
  console.error(error);
  process.exitCode = 1;
} finally {
  await client.end();
}
