/**
 * Reads a migrations directory in any of the three layouts (DESIGN.md §3) into MigrationSource[], in name
 * order. Every problem in the directory is collected and thrown together as one UsageError, so the operator
 * fixes them in one pass.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checksumOf } from '../core/checksum.ts';
import { UsageError } from '../core/errors.ts';
import type { ManifestMigration } from '../core/manifest-core.ts';
import { countStatements, hasNoTransactionMarker } from './sql-text.ts';
import type { MigrationModule, MigrationSource } from './types.ts';

/** `<id>_<name>`: the id is digits (dots, dashes and a `T` allowed inside, for timestamps). */
const NAME = /^(\d(?:[\d.T-]*\d)?)_([A-Za-z0-9][A-Za-z0-9_-]*)$/;
const MODULE_EXT = /\.(js|mjs|ts)$/;
/** Files that are documentation or tooling, never migrations. */
const IGNORED = /^(\.|readme|license|changelog)|\.(md|txt|d\.ts|map)$/i;

interface Candidate {
  name: string;
  layout: MigrationSource['layout'];
  upPath?: string;
  downPath?: string;
  entries: string[];
}

export async function loadMigrations(dir: string): Promise<MigrationSource[]> {
  const problems: string[] = [];
  let entries: string[];
  try {
    // Names in code-unit order. A name tells a migration file; only other entries (folders?) get a stat.
    entries = readdirSync(dir).sort();
  } catch (error) {
    throw new UsageError(`cannot read the migrations directory ${dir}: ${(error as Error).message}`, {
      hint: 'pass --dir (or set STEPBACK_DIR) to the folder holding your migrations',
    });
  }

  // join(dir, entry) for a listed entry, without normalizing the whole path again for each of thousands.
  const base = join(dir, '.');
  const under = (entry: string) =>
    base === '.' ? entry : base.endsWith(sep) ? base + entry : base + sep + entry;
  const byName = new Map<string, Candidate[]>();
  const add = (name: string, layout: Candidate['layout'], entry: string, role: 'up' | 'down') => {
    const list = byName.get(name) ?? [];
    let candidate = list.find((c) => c.layout === layout);
    if (!candidate) {
      candidate = { name, layout, entries: [] };
      list.push(candidate);
      byName.set(name, list);
    }
    candidate.entries.push(entry);
    const path = under(entry);
    if (role === 'up') candidate.upPath = path;
    else candidate.downPath = path;
  };

  for (const entry of entries) {
    if (IGNORED.test(entry)) continue;
    const sql = /^(.*)\.(up|down)\.sql$/.exec(entry);
    if (sql) {
      const [, base, role] = sql as unknown as [string, string, 'up' | 'down'];
      if (!NAME.test(base)) {
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
      if (!NAME.test(base)) {
        problems.push(`${entry}: name is not <id>_<name>${mod[0]} (e.g. 0001_create_users${mod[0]})`);
        continue;
      }
      add(base, 'module', entry, 'up');
      continue;
    }
    const full = under(entry);
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch (error) {
      problems.push(`${entry}: cannot read (${(error as Error).message})`);
      continue;
    }
    if (!isDir) {
      problems.push(
        `${entry}: not a migration (expected .up.sql/.down.sql files, <id>_<name>/ folders or .js/.mjs/.ts modules)`,
      );
      continue;
    }
    if (!NAME.test(entry)) {
      problems.push(`${entry}/: folder name is not <id>_<name> (e.g. 0001_create_users)`);
      continue;
    }
    let inner: string[] = [];
    try {
      inner = readdirSync(full);
    } catch (error) {
      problems.push(`${entry}/: cannot read (${(error as Error).message})`);
      continue;
    }
    if (inner.includes('up.sql')) add(entry, 'sql-folder', `${entry}/up.sql`, 'up');
    if (inner.includes('down.sql')) add(entry, 'sql-folder', `${entry}/down.sql`, 'down');
    if (!inner.includes('up.sql')) {
      if (inner.includes('down.sql'))
        problems.push(`${entry}/down.sql: a down without an up (no ${entry}/up.sql)`);
      else problems.push(`${entry}/: folder has no up.sql`);
    }
  }

  // One layout per migration, one migration per id.
  const ids = new Map<string, string[]>();
  const chosen: Candidate[] = [];
  for (const [name, list] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
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
    const id = NAME.exec(name)![1]!;
    ids.set(id, [...(ids.get(id) ?? []), name]);
    chosen.push(first);
  }
  for (const [id, names] of ids) {
    if (names.length > 1) problems.push(`duplicate id ${id}: ${names.join(', ')}`);
  }

  const sources: MigrationSource[] = [];
  for (const candidate of chosen) {
    const source = await readCandidate(candidate, problems);
    if (source) sources.push(source);
  }
  if (problems.length > 0) {
    throw new UsageError(`the migrations directory ${dir} has ${problems.length} problem(s)`, {
      problems,
      hint: 'fix every listed file; names are <id>_<name>, e.g. 0001_create_users.up.sql',
    });
  }
  return sources;
}

/**
 * One buffer for every read: each file is hashed and decoded before the next is read, so none needs a buffer
 * (or the fstat readFileSync makes) of its own, which adds up over thousands of small files.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** A file's text and the checksum of its exact bytes. */
function readSource(path: string, problems: string[]): { text: string; checksum: string } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const grown = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(grown, 0, 0, length);
        scratch = grown;
      }
      const room = scratch.length - length;
      const n = readSync(fd, scratch, length, room, null);
      length += n;
      // A regular file reads short only at its end: no second read (a syscall per file) to see 0 bytes.
      if (n < room) break;
    }
    const bytes = scratch.subarray(0, length);
    return { text: bytes.toString('utf8'), checksum: checksumOf(bytes) };
  } catch (error) {
    problems.push(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function readCandidate(candidate: Candidate, problems: string[]): Promise<MigrationSource | undefined> {
  const { name } = candidate;
  const id = NAME.exec(name)![1]!;
  const upPath = candidate.upPath!;
  const up = readSource(upPath, problems);
  if (candidate.layout === 'module') {
    if (!up) return undefined;
    const mod = await importModule(upPath, problems);
    if (!mod) return undefined;
    const { checksum } = up;
    const reversible = typeof mod.down === 'function';
    return {
      name,
      id,
      layout: 'module',
      upPath,
      downPath: reversible ? upPath : null,
      checksum,
      downChecksum: reversible ? checksum : null,
      reversible,
      transactional: mod.transaction !== false,
      downTransactional: mod.transaction !== false,
      module: mod,
    };
  }
  const downPath = candidate.downPath ?? null;
  const down = downPath ? readSource(downPath, problems) : null;
  if (!up || down === undefined) return undefined;
  const upSql = up.text;
  const downSql = down ? down.text : null;
  const transactional = !hasNoTransactionMarker(upSql);
  const downTransactional = downSql === null ? true : !hasNoTransactionMarker(downSql);
  for (const [path, text, tx] of [
    [upPath, upSql, transactional],
    [downPath, downSql, downTransactional],
  ] as const) {
    if (text !== null && !tx && countStatements(text) > 1) {
      problems.push(
        `${path}: marked stepback:no-transaction but holds ${countStatements(text)} statements; a non-transactional migration must be a single statement (split it into several migrations)`,
      );
    }
  }
  return {
    name,
    id,
    layout: candidate.layout,
    upPath,
    downPath,
    checksum: up.checksum,
    downChecksum: down ? down.checksum : null,
    reversible: down !== null,
    transactional,
    downTransactional,
    upSql,
    downSql,
  };
}

/** `.ts` loads natively where Node strips types (22.18+/23.6+/24), else through tsx, loaded only when needed. */
async function importModule(path: string, problems: string[]): Promise<MigrationModule | undefined> {
  const url = pathToFileURL(path).href;
  let loaded: Record<string, unknown>;
  try {
    if (path.endsWith('.ts') && !nodeStripsTypes()) {
      let tsImport: (specifier: string, parent: string) => Promise<Record<string, unknown>>;
      try {
        ({ tsImport } = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport });
      } catch {
        problems.push(
          `${path}: this Node (${process.version}) cannot load TypeScript migrations and the tsx package is not installed; run on Node 22.18+ / 24, install tsx, or compile the migration to .js`,
        );
        return undefined;
      }
      // The migration's own URL as the parent: the built CLI is CommonJS, without import.meta.
      loaded = await tsImport(url, url);
    } else {
      loaded = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    problems.push(`${path}: cannot load the module (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const up = loaded.up;
  const down = loaded.down;
  if (typeof up !== 'function') {
    problems.push(`${path}: a migration module must export a function up(ctx)`);
    return undefined;
  }
  if (down !== undefined && typeof down !== 'function') {
    problems.push(`${path}: down is exported but is not a function`);
    return undefined;
  }
  if (loaded.transaction !== undefined && typeof loaded.transaction !== 'boolean') {
    problems.push(`${path}: transaction must be exported as true or false`);
    return undefined;
  }
  return {
    up: up as MigrationModule['up'],
    down: down as MigrationModule['down'],
    transaction: loaded.transaction as boolean | undefined,
  };
}

function nodeStripsTypes(): boolean {
  const features = process.features as { typescript?: string | false };
  return Boolean(features.typescript);
}

/** The manifest entries (DESIGN.md §4) for a directory's migrations. */
export function manifestMigrations(sources: readonly MigrationSource[]): ManifestMigration[] {
  return sources.map((m) => ({
    name: m.name,
    checksum: m.checksum,
    downChecksum: m.downChecksum,
    reversible: m.reversible,
    transactional: m.transactional,
  }));
}
