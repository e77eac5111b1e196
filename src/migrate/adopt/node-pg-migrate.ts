/**
 * node-pg-migrate: `pgmigrations(id serial, name varchar, run_on timestamp)`, one row per applied migration,
 * named by its whole file name without the extension (`1700000000000_create-users`), not by a version.
 * node-pg-migrate deletes the row when it reverts a migration, so the rows are what is applied.
 */
import type { StateReader } from './types.ts';

export const nodePgMigrateState: StateReader = {
  tool: 'node-pg-migrate',
  table: 'pgmigrations',
  columns: ['id', 'name', 'run_on'],
  read: async (client, qualified) => {
    // node-pg-migrate's own reading order.
    const { rows } = await client.query<{ version: string }>(
      `select name as version from ${qualified} order by run_on, id`,
    );
    return { tool: 'node-pg-migrate', table: qualified, kind: 'each', versions: rows, unsafe: [] };
  },
  recordsName: true,
  versionKey: (name) => name,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};
