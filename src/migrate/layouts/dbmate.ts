/**
 * dbmate: one file `<version>_<name>.sql` holding `-- migrate:up` and, optionally, `-- migrate:down`; an
 * option `transaction:false` on a marker line runs that step outside a transaction. dbmate applies its
 * files in file-name order (the version is text in its state table), so this layout does too.
 */
import type { MigrationSource } from '../types.ts';
import { type Section, splitAtMarkers, upAndDown } from './sections.ts';
import { sectionedMigration } from './sql-source.ts';
import type { Layout } from './types.ts';

const FILE = /^(\d+)_.*\.sql$/;
const MARKER = /^--\s*migrate:(up|down)(?:\s+(.*?))?\s*$/;
const OPENS = new Set(['up', 'down']);

/** The marker line's options: `transaction:false`; anything else is a problem (dbmate knows no others). */
function transactionOption(where: string, section: Section, problems: string[]): boolean {
  let transactional = true;
  for (const option of section.marker!.rest.split(/\s+/).filter(Boolean)) {
    const [key, value] = option.split(':');
    if (key === 'transaction' && (value === 'false' || value === 'true')) transactional = value === 'true';
    else problems.push(`${where}: unknown option ${option} on its -- migrate:${section.marker!.kind} line`);
  }
  return transactional;
}

export const dbmate: Layout = {
  name: 'dbmate',
  files: '<version>_<name>.sql with -- migrate:up / -- migrate:down',
  claims: (entry, peek) => FILE.test(entry) && /^--\s*migrate:up\b/m.test(peek() ?? ''),
  read: async (entries, ctx) => {
    const sources: MigrationSource[] = [];
    const versions = new Map<string, string>();
    // The entries come in file-name order: dbmate's order.
    for (const entry of entries) {
      const m = FILE.exec(entry);
      if (!m) {
        ctx.problems.push(`${entry}: not a dbmate migration (expected <version>_<name>.sql)`);
        continue;
      }
      const version = m[1]!;
      const other = versions.get(version);
      if (other !== undefined) {
        ctx.problems.push(`duplicate version ${version}: ${other}, ${entry}`);
        continue;
      }
      versions.set(version, entry);
      const file = ctx.read(entry);
      if (!file) continue;
      const { sections } = splitAtMarkers(
        file.text,
        (line) => {
          const k = MARKER.exec(line);
          return k ? { kind: k[1]!, rest: k[2] ?? '' } : null;
        },
        OPENS,
      );
      const labels = { up: '-- migrate:up', down: '-- migrate:down' };
      const steps = upAndDown(file.path, sections, labels, ctx.problems);
      if (!steps) continue;
      const source = sectionedMigration(
        { entry, id: version, path: file.path },
        steps,
        labels,
        (section) => transactionOption(file.path, section, ctx.problems),
        ctx.problems,
        'transaction:false',
      );
      if (source) sources.push(source);
    }
    return sources;
  },
};
