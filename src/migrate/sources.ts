/**
 * Reads a migrations directory into MigrationSource[], in its tool's apply order. The directory's layout
 * (stepback's own, migratus, dbmate, goose, Flyway: layouts/registry.ts) decides how files are named,
 * ordered and split into up and down steps. Every problem in the directory is collected and thrown together
 * as one UsageError, so the operator fixes them in one pass.
 */
import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { migrationNameProblem, quoteName } from '../core/names.ts';
import type { ManifestMigration } from '../core/release-manifest.ts';
import { readSourceFile, type SourceFile } from './layouts/read.ts';
import { describeMix, detectLayout, layoutNamed } from './layouts/registry.ts';
import type { Layout, LayoutContext, LayoutName } from './layouts/types.ts';
import type { MigrationSource } from './types.ts';

/** Files that are documentation or tooling, never migrations. */
const IGNORED = /^(\.|readme|license|changelog)|\.(md|txt|d\.ts|map)$/i;

export interface MigrationDirectory {
  layout: LayoutName;
  sources: MigrationSource[];
}

export async function loadMigrations(dir: string): Promise<MigrationSource[]> {
  return (await readMigrationDirectory(dir)).sources;
}

/** The directory's layout and its migrations; `layout` forces one instead of detecting it. */
export async function readMigrationDirectory(dir: string, layout?: LayoutName): Promise<MigrationDirectory> {
  const entries = listEntries(dir);
  const ctx = layoutContext(dir);
  const chosen = chooseLayout(dir, entries, ctx, layout);
  const sources = await chosen.read(entries, ctx);
  // Every layout's names meet the one grammar (core/names.ts) the manifests and plans are read with, so a
  // directory never records a migration its own manifest could not be read back with.
  for (const source of sources) {
    const problem = migrationNameProblem(source.name);
    if (problem !== undefined)
      ctx.problems.push(`${quoteName(source.name)}: is not a migration name: it ${problem}`);
  }
  if (ctx.problems.length > 0) {
    throw new UsageError(`the migrations directory ${dir} has ${ctx.problems.length} problem(s)`, {
      problems: ctx.problems,
      hint:
        chosen.name === 'stepback'
          ? 'fix every listed file; each line says what is wrong with it and how to fix it'
          : `fix every listed file; this directory is read as ${chosen.name}'s layout (${chosen.files})`,
    });
  }
  return { layout: chosen.name, sources };
}

/** The directory's entries that may be migrations, in code-unit order (each layout orders its own). */
function listEntries(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((entry) => !IGNORED.test(entry))
      .sort();
  } catch (error) {
    throw new UsageError(`cannot read the migrations directory ${dir}: ${(error as Error).message}`, {
      hint: 'pass --dir (or set STEPBACK_DIR) to the folder holding your migrations',
    });
  }
}

/** Paths and reads for the layouts. */
function layoutContext(dir: string): LayoutContext {
  // join(dir, entry) for a listed entry, without normalizing the whole path again for each of thousands.
  const base = join(dir, '.');
  const pathOf = (entry: string) =>
    base === '.' ? entry : base.endsWith(sep) ? base + entry : base + sep + entry;
  const problems: string[] = [];
  return {
    dir,
    pathOf,
    problems,
    read: (entry) => readSourceFile(pathOf(entry), problems),
    listFolder: (path) => readdirSync(path),
  };
}

/** The forced layout, or the detected one; a mix of layouts is a usage error naming them. */
function chooseLayout(
  dir: string,
  entries: readonly string[],
  ctx: LayoutContext,
  forced: LayoutName | undefined,
): Layout {
  if (forced) {
    const layout = layoutNamed(forced);
    if (!layout) throw new UsageError(`unknown layout ${forced}`);
    return layout;
  }
  // Files detection read are not read again; one it could not read is, to report why in its place.
  const peeked = new Map<string, SourceFile>();
  const peek = (entry: string) => {
    let file = peeked.get(entry);
    if (!file) {
      file = readSourceFile(ctx.pathOf(entry), []);
      if (file) peeked.set(entry, file);
    }
    return file?.text;
  };
  const detection = detectLayout(entries, peek);
  if ('mixed' in detection) {
    throw new UsageError(`the migrations directory ${dir} mixes layouts: ${describeMix(detection.mixed)}`, {
      hint: 'keep one tool’s files per directory (each tool orders and splits its files by its own rules)',
    });
  }
  const read = ctx.read;
  ctx.read = (entry) => peeked.get(entry) ?? read(entry);
  return detection.layout;
}

/** The manifest entries (one per migration: name, checksums, reversibility) for a directory's migrations. */
export function manifestMigrations(sources: readonly MigrationSource[]): ManifestMigration[] {
  return sources.map((m) => ({
    name: m.name,
    checksum: m.checksum,
    downChecksum: m.downChecksum,
    reversible: m.reversible,
    transactional: m.transactional,
  }));
}
