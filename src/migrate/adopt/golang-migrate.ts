/** golang-migrate: `schema_migrations(version bigint, dirty boolean)`, one row holding the current version. */
import { compareIds, numericKey } from '../layouts/order.ts';
import type { StateReader } from './types.ts';

export const golangMigrate: StateReader = {
  tool: 'golang-migrate',
  table: 'schema_migrations',
  columns: ['version', 'dirty'],
  read: async (client, qualified) => {
    const { rows } = await client.query<{ version: string; dirty: boolean }>(
      `select version::text as version, dirty from ${qualified}`,
    );
    const unsafe: string[] = [];
    if (rows.length > 1)
      unsafe.push(
        `${qualified} has ${rows.length} rows; golang-migrate keeps exactly one (the current version)`,
      );
    const row = rows[0];
    if (row?.dirty)
      unsafe.push(
        `${qualified} is dirty at version ${row.version}: that migration failed halfway under golang-migrate. Repair the schema by hand, then mark it with golang-migrate's force (to ${row.version} if it is now fully applied, or to the version before it), and adopt again`,
      );
    // Version -1 is golang-migrate's "nothing applied" after a full down.
    const versions = row && row.version !== '-1' ? [{ version: row.version }] : [];
    return { tool: 'golang-migrate', table: qualified, kind: 'latest', versions, unsafe };
  },
  versionKey: (version) => numericKey(version),
  compare: compareIds,
};
