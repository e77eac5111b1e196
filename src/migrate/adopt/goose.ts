/**
 * goose: `goose_db_version(id, version_id, is_applied, tstamp)`, a log: each apply and each revert adds a
 * row, so a version is applied when its latest row says so. Version 0 is the row goose starts the table with.
 */
import { compareIds, numericKey } from '../layouts/order.ts';
import type { StateReader } from './types.ts';

export const gooseState: StateReader = {
  tool: 'goose',
  table: 'goose_db_version',
  columns: ['version_id', 'is_applied'],
  read: async (client, qualified) => {
    const { rows } = await client.query<{ version: string }>(
      `select version from (
         select distinct on (version_id) version_id::text as version, version_id, is_applied
         from ${qualified} order by version_id, id desc
       ) latest where is_applied and version_id <> 0 order by version_id`,
    );
    return { tool: 'goose', table: qualified, kind: 'each', versions: rows, unsafe: [] };
  },
  versionKey: (version) => numericKey(version),
  compare: compareIds,
};
