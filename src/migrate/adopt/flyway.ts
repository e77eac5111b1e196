/**
 * Flyway: `flyway_schema_history`, one row per run script (installed_rank order) with its type, checksum and
 * success. A failed row (PostgreSQL rolls a failed script back, but a non-transactional one may be half
 * done), an undo, or a repeatable migration make the history one stepback cannot take over as a prefix.
 */
import { crc32 } from 'node:zlib';
import { compareIds, numericKey } from '../layouts/order.ts';
import type { StateReader } from './types.ts';

interface HistoryRow {
  version: string | null;
  type: string;
  script: string;
  checksum: number | null;
  success: boolean;
}

export const flywayState: StateReader = {
  tool: 'flyway',
  table: 'flyway_schema_history',
  columns: ['installed_rank', 'version', 'checksum', 'success'],
  read: async (client, qualified) => {
    const { rows } = await client.query<HistoryRow>(
      `select version, type, script, checksum, success from ${qualified} order by installed_rank`,
    );
    const unsafe: string[] = [];
    const applied = new Map<string, number | null>();
    let baseline: string | undefined;
    for (const row of rows) {
      if (!row.success) {
        unsafe.push(
          `${qualified} has a failed row for ${row.script}: repair the schema, run Flyway's repair to remove the failed row, and adopt again`,
        );
        continue;
      }
      if (row.type === 'SCHEMA') continue;
      if (row.type === 'BASELINE' && row.version !== null) {
        baseline = row.version;
        continue;
      }
      if (row.version === null) {
        unsafe.push(
          `${qualified} has applied the repeatable migration ${row.script}, which stepback cannot take over (it has no place in an ordered history); move its SQL into a versioned migration first`,
        );
        continue;
      }
      if (row.type.startsWith('UNDO')) applied.delete(row.version);
      else if (row.type === 'DELETE') applied.delete(row.version);
      else applied.set(row.version, row.checksum);
    }
    const versions = [...applied].map(([version, checksum]) => ({ version, checksum }));
    return {
      tool: 'flyway',
      table: qualified,
      kind: 'each',
      versions,
      ...(baseline !== undefined ? { baseline } : {}),
      unsafe,
    };
  },
  versionKey: (version) => numericKey(version, true),
  compare: (a, b) => compareIds(a, b, true),
  toolChecksum: (source) => flywayChecksum(source.upSql ?? ''),
};

/**
 * Flyway's checksum of a SQL file: CRC-32 of its lines' UTF-8 bytes with the line endings (LF, CRLF, CR)
 * and a leading byte order mark left out, as the signed 32-bit integer it stores.
 */
export function flywayChecksum(text: string): number {
  return crc32(text.replace(/^\uFEFF/, '').replace(/\r\n|\r|\n/g, '')) | 0;
}
