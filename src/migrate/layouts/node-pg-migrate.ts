/**
 * node-pg-migrate (SQL migrations): one file `<prefix>_<name>.sql` holding `-- Up Migration` and, optionally,
 * `-- Down Migration` (any case, any dashes, as node-pg-migrate's own marker test reads them). The prefix is
 * a number, `Date.now()` milliseconds by default, a 17-digit UTC time (`utc`) or a short index, and
 * node-pg-migrate applies its files in the prefix's numeric order. node-pg-migrate records a migration by its
 * whole name (the file name without `.sql`) in `pgmigrations`. Its JavaScript migrations (the `pgm` builder)
 * cannot run here; SQL files always run inside a transaction.
 */
import type { MigrationSource } from '../types.ts';
import { readEachById } from './order.ts';
import { splitAtMarkers, upAndDown } from './sections.ts';
import { sectionedMigration } from './sql-source.ts';
import type { Layout, LayoutContext } from './types.ts';

const FILE = /^(\d+)_.+\.sql$/;
const MARKER = /^\s*--[\s-]*(up|down)\s+migration/i;
const OPENS = new Set(['up', 'down']);

export const nodePgMigrate: Layout = {
  name: 'node-pg-migrate',
  files: '<timestamp>_<name>.sql with -- Up Migration / -- Down Migration',
  claims: (entry, peek) => FILE.test(entry) && /^\s*--[\s-]*up\s+migration/im.test(peek() ?? ''),
  read: async (entries, ctx) => {
    const files: { entry: string; id: string; file: string }[] = [];
    for (const entry of entries) {
      const m = FILE.exec(entry);
      if (m) files.push({ entry, id: m[1]!, file: entry });
      else
        ctx.problems.push(
          `${entry}: not a node-pg-migrate SQL migration (expected <timestamp>_<name>.sql with -- Up Migration)`,
        );
    }
    // node-pg-migrate reads a 17-digit prefix as a UTC time and every other one as a number: ordered
    // together they are not ordered by their digits, so a directory mixing them is refused, not guessed.
    const utc = files.filter((f) => f.id.length === 17);
    if (utc.length > 0 && utc.length < files.length)
      ctx.problems.push(
        `${utc[0]!.entry} and ${files.find((f) => f.id.length !== 17)!.entry}: prefixes mix node-pg-migrate's utc format (17 digits) with timestamps or indexes, which node-pg-migrate orders by time, not by digits; rename them to one format`,
      );
    return readEachById(
      files,
      ctx.problems,
      {
        tool: 'node-pg-migrate',
        duplicate: (id, a, b) => `duplicate prefix ${id}: ${a}, ${b} (give each migration its own prefix)`,
      },
      (f) => readFile(f.entry, f.id, ctx),
    );
  },
};

function readFile(entry: string, id: string, ctx: LayoutContext): MigrationSource | undefined {
  const file = ctx.read(entry);
  if (!file) return undefined;
  const { sections } = splitAtMarkers(
    file.text,
    (line) => {
      const k = MARKER.exec(line);
      return k ? { kind: k[1]!.toLowerCase(), rest: '' } : null;
    },
    OPENS,
  );
  const labels = { up: '-- Up Migration', down: '-- Down Migration' };
  const steps = upAndDown(file.path, sections, labels, ctx.problems);
  if (!steps) return undefined;
  return sectionedMigration(
    { entry, id, path: file.path },
    steps,
    labels,
    // node-pg-migrate's SQL files have no way to run outside a transaction; stepback's own files do.
    () => true,
    ctx.problems,
    'a stepback migration (-- stepback:no-transaction)',
  );
}
