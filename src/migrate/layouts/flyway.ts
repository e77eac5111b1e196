/**
 * Flyway (SQL migrations): `V<version>__<description>.sql`, with an optional undo file
 * `U<version>__<description>.sql` as its down. Versions are dotted numbers (`1_2` is `1.2`) compared part by
 * part by value, so 1.2.10 runs after 1.2.9, and 1.0 is the same version as 1. A `V….sql.conf` file with
 * `executeInTransaction=false` runs the step outside a transaction. Repeatable `R__` migrations re-run
 * whenever they change, which has no down and no place in an ordered history: they are refused.
 */
import type { MigrationSource } from '../types.ts';
import { orderByNumericId } from './order.ts';
import { sqlMigration, stepOfFile } from './sql-source.ts';
import type { Layout, LayoutContext } from './types.ts';

const FILE = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const CONF = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql\.conf$/;
const REPEATABLE = /^R__.+\.sql$/;
const CLAIMED = /^[VUR][\d._]*__.+\.sql(\.conf)?$/;

/** `1_2_10` → `1.2.10`, Flyway's version as it records it. */
export function flywayVersion(raw: string): string {
  return raw.replace(/_/g, '.');
}

interface Versioned {
  id: string;
  file: string;
  v?: string;
  u?: string;
}

export const flyway: Layout = {
  name: 'flyway',
  files: 'V<version>__<description>.sql + optional U<version>__<description>.sql',
  claims: (entry) => CLAIMED.test(entry),
  read: async (entries, ctx) => {
    const byVersion = new Map<string, Versioned>();
    const confs = new Set<string>();
    for (const entry of entries) {
      if (REPEATABLE.test(entry)) {
        ctx.problems.push(
          `${entry}: a Flyway repeatable migration; it re-runs whenever it changes and has no down, so stepback cannot order or revert it (move its SQL into a versioned V…__ migration, or keep applying it with Flyway)`,
        );
        continue;
      }
      if (CONF.test(entry)) {
        confs.add(entry);
        continue;
      }
      const m = FILE.exec(entry);
      if (!m) {
        ctx.problems.push(`${entry}: not a Flyway migration (expected V<version>__<description>.sql)`);
        continue;
      }
      const version = flywayVersion(m[2]!);
      const slot = byVersion.get(version) ?? { id: version, file: entry };
      const role = m[1] === 'V' ? 'v' : 'u';
      if (slot[role]) ctx.problems.push(`duplicate version ${version}: ${slot[role]}, ${entry}`);
      else slot[role] = entry;
      byVersion.set(version, slot);
    }
    const sources: MigrationSource[] = [];
    for (const slot of orderByNumericId([...byVersion.values()], ctx.problems, {
      missingIsZero: true,
      tool: 'Flyway',
    })) {
      if (!slot.v) {
        ctx.problems.push(`${slot.u}: an undo file without its versioned migration (no V${slot.id}__….sql)`);
        continue;
      }
      const source = readVersioned(slot, confs, ctx);
      if (source) sources.push(source);
    }
    for (const conf of confs)
      if (![...byVersion.values()].some((s) => conf === `${s.v}.conf` || conf === `${s.u}.conf`))
        ctx.problems.push(`${conf}: configures a migration that is not in the directory`);
    return sources;
  },
};

function readVersioned(
  slot: Versioned,
  confs: ReadonlySet<string>,
  ctx: LayoutContext,
): MigrationSource | undefined {
  const up = ctx.read(slot.v!);
  const down = slot.u ? ctx.read(slot.u) : null;
  if (!up || down === undefined) return undefined;
  const transactional = (entry: string) => {
    if (!confs.has(`${entry}.conf`)) return true;
    const conf = ctx.read(`${entry}.conf`);
    const setting = /^\s*executeInTransaction\s*=\s*(\S+)\s*$/m.exec(conf?.text ?? '');
    if (setting && setting[1] !== 'true' && setting[1] !== 'false')
      ctx.problems.push(`${entry}.conf: executeInTransaction must be true or false, not ${setting[1]}`);
    return setting?.[1] !== 'false';
  };
  return sqlMigration(
    {
      name: slot.v!.slice(0, -'.sql'.length),
      id: slot.id,
      layout: 'sql-files',
      upPath: up.path,
      downPath: down?.path ?? null,
    },
    stepOfFile(up, transactional(slot.v!)),
    down ? stepOfFile(down, transactional(slot.u!)) : null,
    ctx.problems,
    'executeInTransaction=false',
  );
}
