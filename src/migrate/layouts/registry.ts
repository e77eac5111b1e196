/**
 * Every layout stepback reads, and which one a directory is in. A directory is in one layout: the one whose
 * files it holds (stepback's own when it holds none of any). Files of two layouts in one directory are a
 * usage error naming both, since each tool orders and splits its files by its own rules.
 */
import { dbmate } from './dbmate.ts';
import { flyway } from './flyway.ts';
import { goose } from './goose.ts';
import { migratus } from './migratus.ts';
import { nodePgMigrate } from './node-pg-migrate.ts';
import { stepback } from './stepback.ts';
import type { Layout, LayoutName } from './types.ts';

// Name-only layouts first: dbmate, goose and node-pg-migrate read a file's text to claim it.
export const LAYOUTS: readonly Layout[] = [stepback, migratus, flyway, dbmate, goose, nodePgMigrate];

export function layoutNamed(name: string): Layout | undefined {
  return LAYOUTS.find((l) => l.name === name);
}

export type Detection = { layout: Layout } | { mixed: Map<LayoutName, string[]> };

/** The directory's layout from its entries' names (and, for marker layouts, their text). */
export function detectLayout(
  entries: readonly string[],
  peek: (entry: string) => string | undefined,
): Detection {
  const found = new Map<LayoutName, string[]>();
  for (const entry of entries) {
    for (const layout of LAYOUTS) {
      if (!layout.claims(entry, () => peek(entry))) continue;
      const list = found.get(layout.name) ?? [];
      list.push(entry);
      found.set(layout.name, list);
      break;
    }
  }
  if (found.size > 1) return { mixed: found };
  const [name] = [...found.keys()];
  return { layout: (name && layoutNamed(name)) || stepback };
}

/** `goose (00001_a.sql, 00002_b.sql), flyway (V1__c.sql)`: the first few files of each layout found. */
export function describeMix(mixed: Map<LayoutName, string[]>): string {
  return [...mixed]
    .map(([name, files]) => `${name} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', …' : ''})`)
    .join(', ');
}
