/**
 * stepback's own layout, which also reads golang-migrate and diesel directories as they are: `<id>_<name>`
 * as `.up.sql`/`.down.sql` files (golang-migrate), `<id>_<name>/up.sql` + `down.sql` folders (diesel), or a
 * `.js`/`.mjs`/`.ts` module exporting up/down, mixed freely. Ids are numbers (dots, dashes and a `T` allowed
 * inside, for timestamps), ordered by value. `-- stepback:no-transaction` in a SQL file's leading comments.
 */
import { statSync } from 'node:fs';
import { hasNoTransactionMarker } from '../sql-text.ts';
import type { MigrationLayout, MigrationSource } from '../types.ts';
import { importModule } from './module-loader.ts';
import { orderByNumericId } from './order.ts';
import { readSourceFile } from './read.ts';
import { sqlMigration, stepOfFile } from './sql-source.ts';
import type { Layout, LayoutContext } from './types.ts';

/** `<id>_<name>`: the id is digits (dots, dashes and a `T` allowed inside, for timestamps). */
export const STEPBACK_NAME = /^(\d(?:[\d.T-]*\d)?)_([A-Za-z0-9][A-Za-z0-9_-]*)$/;
const SQL_PAIR = /^(.*)\.(up|down)\.sql$/;
const MODULE_EXT = /\.(js|mjs|ts)$/;
/** migratus names its pairs `<id>-<name>`; those are its files, not ours. */
const MIGRATUS_PAIR = /^\d+-[^_]*\.(up|down)\.sql$/;

interface Candidate {
  name: string;
  id: string;
  layout: MigrationLayout;
  upPath?: string;
  downPath?: string;
  entries: string[];
}

export const stepback: Layout = {
  name: 'stepback',
  files: '<id>_<name>.up.sql + .down.sql, <id>_<name>/up.sql + down.sql, <id>_<name>.{js,mjs,ts}',
  claims: (entry) =>
    (SQL_PAIR.test(entry) && !MIGRATUS_PAIR.test(entry)) ||
    (MODULE_EXT.test(entry) && !entry.endsWith('.d.ts')),
  read: async (entries, ctx) => {
    const candidates = collectCandidates(entries, ctx);
    const chosen = oneLayoutPerMigration(candidates, ctx.problems);
    const ordered = orderByNumericId(
      chosen.map((c) => ({ ...c, file: c.name })),
      ctx.problems,
      { tool: 'golang-migrate' },
    );
    duplicateIds(ordered, ctx.problems);
    const sources: MigrationSource[] = [];
    for (const candidate of ordered) {
      const source = await readCandidate(candidate, ctx.problems);
      if (source) sources.push(source);
    }
    return sources;
  },
};

/** Groups the entries by migration name and file shape; names that do not parse become problems. */
function collectCandidates(entries: readonly string[], ctx: LayoutContext): Map<string, Candidate[]> {
  const { problems } = ctx;
  const byName = new Map<string, Candidate[]>();
  const add = (name: string, layout: MigrationLayout, entry: string, role: 'up' | 'down') => {
    const list = byName.get(name) ?? [];
    let candidate = list.find((c) => c.layout === layout);
    if (!candidate) {
      candidate = { name, id: STEPBACK_NAME.exec(name)![1]!, layout, entries: [] };
      list.push(candidate);
      byName.set(name, list);
    }
    candidate.entries.push(entry);
    const path = ctx.pathOf(entry);
    if (role === 'up') candidate.upPath = path;
    else candidate.downPath = path;
  };

  for (const entry of entries) {
    const sql = SQL_PAIR.exec(entry);
    if (sql) {
      const [, base, role] = sql as unknown as [string, string, 'up' | 'down'];
      if (!STEPBACK_NAME.test(base)) {
        problems.push(`${entry}: name is not <id>_<name>.${role}.sql (e.g. 0001_create_users.${role}.sql)`);
        continue;
      }
      add(base, 'sql-files', entry, role);
      continue;
    }
    if (entry.endsWith('.sql')) {
      problems.push(`${entry}: SQL files must be named <id>_<name>.up.sql or <id>_<name>.down.sql`);
      continue;
    }
    const mod = MODULE_EXT.exec(entry);
    if (mod) {
      const base = entry.slice(0, -mod[0].length);
      if (!STEPBACK_NAME.test(base)) {
        problems.push(`${entry}: name is not <id>_<name>${mod[0]} (e.g. 0001_create_users${mod[0]})`);
        continue;
      }
      add(base, 'module', entry, 'up');
      continue;
    }
    const folder = folderEntries(entry, ctx);
    if (!folder) continue;
    if (folder.includes('up.sql')) add(entry, 'sql-folder', `${entry}/up.sql`, 'up');
    if (folder.includes('down.sql')) add(entry, 'sql-folder', `${entry}/down.sql`, 'down');
    if (!folder.includes('up.sql')) {
      if (folder.includes('down.sql'))
        problems.push(`${entry}/down.sql: a down without an up (no ${entry}/up.sql)`);
      else problems.push(`${entry}/: folder has no up.sql`);
    }
  }
  return byName;
}

/** A `<id>_<name>/` folder's entries; anything else (or an unreadable folder) is a problem. */
function folderEntries(entry: string, ctx: LayoutContext): string[] | undefined {
  const full = ctx.pathOf(entry);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch (error) {
    ctx.problems.push(`${entry}: cannot read (${(error as Error).message})`);
    return undefined;
  }
  if (!isDir) {
    ctx.problems.push(
      `${entry}: not a migration (expected .up.sql/.down.sql files, <id>_<name>/ folders or .js/.mjs/.ts modules)`,
    );
    return undefined;
  }
  if (!STEPBACK_NAME.test(entry)) {
    ctx.problems.push(`${entry}/: folder name is not <id>_<name> (e.g. 0001_create_users)`);
    return undefined;
  }
  try {
    return ctx.listFolder(full);
  } catch (error) {
    ctx.problems.push(`${entry}/: cannot read (${(error as Error).message})`);
    return undefined;
  }
}

/** One file shape per migration; a down needs its up. */
function oneLayoutPerMigration(byName: Map<string, Candidate[]>, problems: string[]): Candidate[] {
  const chosen: Candidate[] = [];
  for (const [name, list] of byName) {
    const first = list[0]!;
    if (list.length > 1 || (first.layout === 'module' && first.entries.length > 1)) {
      const files = list.flatMap((c) => c.entries).join(', ');
      problems.push(`${name}: defined more than once in different layouts (${files}); keep one`);
      continue;
    }
    if (!first.upPath) {
      if (first.layout === 'sql-files')
        problems.push(`${first.entries.join(', ')}: a down without an up (no ${name}.up.sql)`);
      continue;
    }
    chosen.push(first);
  }
  return chosen;
}

/** One migration per id (in order, so equal ids are neighbours). */
function duplicateIds(ordered: readonly Candidate[], problems: string[]): void {
  for (let i = 0; i < ordered.length; ) {
    let j = i + 1;
    while (j < ordered.length && ordered[j]!.id === ordered[i]!.id) j++;
    if (j - i > 1)
      problems.push(
        `duplicate id ${ordered[i]!.id}: ${ordered
          .slice(i, j)
          .map((c) => c.name)
          .join(', ')}`,
      );
    i = j;
  }
}

async function readCandidate(candidate: Candidate, problems: string[]): Promise<MigrationSource | undefined> {
  const { name, id } = candidate;
  const upPath = candidate.upPath!;
  const up = readSourceFile(upPath, problems);
  if (candidate.layout === 'module') {
    if (!up) return undefined;
    const mod = await importModule(upPath, problems);
    if (!mod) return undefined;
    const reversible = typeof mod.down === 'function';
    const exact = up.exactChecksum ? { exactChecksum: up.exactChecksum } : {};
    return {
      name,
      id,
      layout: 'module',
      upPath,
      downPath: reversible ? upPath : null,
      checksum: up.checksum,
      downChecksum: reversible ? up.checksum : null,
      ...exact,
      ...(reversible && up.exactChecksum ? { exactDownChecksum: up.exactChecksum } : {}),
      reversible,
      transactional: mod.transaction !== false,
      downTransactional: mod.transaction !== false,
      module: mod,
    };
  }
  const downPath = candidate.downPath ?? null;
  const down = downPath ? readSourceFile(downPath, problems) : null;
  if (!up || down === undefined) return undefined;
  return sqlMigration(
    { name, id, layout: candidate.layout, upPath, downPath },
    stepOfFile(up, !hasNoTransactionMarker(up.text)),
    down ? stepOfFile(down, !hasNoTransactionMarker(down.text)) : null,
    problems,
    'stepback:no-transaction',
  );
}
