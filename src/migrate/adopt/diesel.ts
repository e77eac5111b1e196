/**
 * diesel: `__diesel_schema_migrations(version, run_on)`, one row per applied migration; the version is the
 * folder's timestamp without its separators (`2016-08-15-133237_create_users` → `20160815133237`).
 */
import { compareIds } from '../layouts/order.ts';
import type { StateReader } from './types.ts';

const digits = (id: string) => id.replace(/\D/g, '').replace(/^0+(?=\d)/, '');

export const dieselState: StateReader = {
  tool: 'diesel',
  table: '__diesel_schema_migrations',
  columns: ['version', 'run_on'],
  read: async (client, qualified) => {
    const { rows } = await client.query<{ version: string }>(
      `select version::text as version from ${qualified} order by version`,
    );
    return { tool: 'diesel', table: qualified, kind: 'each', versions: rows, unsafe: [] };
  },
  versionKey: digits,
  compare: (a, b) => compareIds(digits(a), digits(b)),
};
