/**
 * migratus (Clojure): `<id>-<name>.up.sql` and `.down.sql`, statements separated by `--;;` lines (SQL
 * comments, so the file runs as written), `-- :disable-transaction` at the top to run outside a
 * transaction. Ids are numbers, ordered by value. Code migrations (`.edn`) cannot run here.
 */
import type { MigrationSource } from '../types.ts';
import { orderByNumericId } from './order.ts';
import { pairEntries } from './pairs.ts';
import { sqlMigration, stepOfFile } from './sql-source.ts';
import type { Layout } from './types.ts';

const FILE = /^(\d+)-([^.]+)\.(up|down)\.sql$/;
const DISABLE_TRANSACTION = /^\s*--\s*:disable-transaction\b/;

export const migratus: Layout = {
  name: 'migratus',
  files: '<id>-<name>.up.sql + <id>-<name>.down.sql',
  claims: (entry) => FILE.test(entry) || /^\d+-[^.]+\.edn$/.test(entry),
  read: async (entries, ctx) => {
    const pairs = pairEntries(
      entries,
      (entry) => {
        const m = FILE.exec(entry);
        return m ? { base: `${m[1]}-${m[2]}`, role: m[3] as 'up' | 'down' } : null;
      },
      (entry) =>
        ctx.problems.push(
          entry.endsWith('.edn')
            ? `${entry}: a migratus code migration; stepback runs SQL migrations only (rewrite it as .up.sql/.down.sql)`
            : `${entry}: not a migratus migration (expected <id>-<name>.up.sql or .down.sql)`,
        ),
    );
    const ordered = orderByNumericId(
      pairs.map((p) => ({ ...p, id: p.base.slice(0, p.base.indexOf('-')), file: p.up ?? p.down! })),
      ctx.problems,
      { tool: 'migratus' },
    );
    const sources: MigrationSource[] = [];
    const seen = new Map<string, string>();
    for (const pair of ordered) {
      const other = seen.get(pair.id);
      if (other !== undefined) {
        ctx.problems.push(`duplicate id ${pair.id}: ${other}, ${pair.base}`);
        continue;
      }
      seen.set(pair.id, pair.base);
      if (!pair.up) {
        ctx.problems.push(`${pair.down}: a down without an up (no ${pair.base}.up.sql)`);
        continue;
      }
      const up = ctx.read(pair.up);
      const down = pair.down ? ctx.read(pair.down) : null;
      if (!up || down === undefined) continue;
      const transactional = (text: string) => !DISABLE_TRANSACTION.test(text);
      const source = sqlMigration(
        { name: pair.base, id: pair.id, layout: 'sql-files', upPath: up.path, downPath: down?.path ?? null },
        stepOfFile(up, transactional(up.text)),
        down ? stepOfFile(down, transactional(down.text)) : null,
        ctx.problems,
        ':disable-transaction',
      );
      if (source) sources.push(source);
    }
    return sources;
  },
};
