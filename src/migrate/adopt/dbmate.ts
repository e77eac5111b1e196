/** dbmate: `schema_migrations(version varchar)`, one row per applied migration, the version as its file has it. */
import type { StateReader } from './types.ts';

export const dbmateState: StateReader = {
  tool: 'dbmate',
  table: 'schema_migrations',
  columns: ['version'],
  read: async (client, qualified) => {
    const { rows } = await client.query<{ version: string }>(
      `select version::text as version from ${qualified} order by version`,
    );
    return { tool: 'dbmate', table: qualified, kind: 'each', versions: rows, unsafe: [] };
  },
  // dbmate compares versions as text, as it writes them.
  versionKey: (version) => version,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};
