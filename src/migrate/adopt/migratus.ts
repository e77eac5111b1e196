/**
 * migratus: `schema_migrations(id bigint, applied timestamp, description)`, one row per applied migration.
 * Its lock is a reserved row (id -1) that a killed run leaves behind.
 */
import { compareIds, numericKey } from '../layouts/order.ts';
import type { StateReader } from './types.ts';

export const migratusState: StateReader = {
  tool: 'migratus',
  table: 'schema_migrations',
  columns: ['id', 'applied', 'description'],
  read: async (client, qualified) => {
    const { rows } = await client.query<{ id: string }>(
      `select id::text as id from ${qualified} order by id`,
    );
    const unsafe = rows.some((r) => r.id === '-1')
      ? [
          `${qualified} holds migratus's lock row (id -1): a migratus run is in progress or was killed. When no run is going on, check the schema against the last migration and delete that row with migratus, then adopt again`,
        ]
      : [];
    const versions = rows.filter((r) => r.id !== '-1').map((r) => ({ version: r.id }));
    return { tool: 'migratus', table: qualified, kind: 'each', versions, unsafe };
  },
  versionKey: (version) => numericKey(version),
  compare: compareIds,
};
