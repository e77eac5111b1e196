/**
 * `.stepback/rehearsed.json`: which migrations were rehearsed cleanly, by checksum, so the next release's
 * rehearsal skips their per-migration loop (they are still applied, and still reverted in the whole-release
 * check). A changed up or down file changes its checksum and is rehearsed again.
 * Releases are remembered too (name → migration names), so `--since v1.3.0` works without a manifest file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { UsageError } from '../core/errors.ts';
import type { MigrationRehearsal, RehearsalReport } from './types.ts';

export const CACHE_FORMAT = 'stepback/rehearsed@1';
export const DEFAULT_CACHE_FILE = '.stepback/rehearsed.json';

const cacheSchema = z.object({
  format: z.literal(CACHE_FORMAT),
  migrations: z.record(
    z.string(),
    z.object({
      checksum: z.string(),
      downChecksum: z.string().nullable(),
      release: z.string().nullable(),
      rehearsedAt: z.string(),
    }),
  ),
  releases: z.record(
    z.string(),
    z.object({ migrations: z.array(z.object({ name: z.string(), checksum: z.string() })) }),
  ),
});

export type RehearsalCache = z.infer<typeof cacheSchema>;

export function emptyCache(): RehearsalCache {
  return { format: CACHE_FORMAT, migrations: {}, releases: {} };
}

/** The cache at `path`; empty when the file does not exist. A damaged file is a usage error naming it. */
export function readCache(path: string): RehearsalCache {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCache();
    throw new UsageError(`cannot read the rehearsal cache ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the rehearsal cache ${path} is not JSON: ${(error as Error).message}`, {
      hint: 'delete it (the next rehearsal rebuilds it) or pass --all',
    });
  }
  const parsed = cacheSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`the rehearsal cache ${path} is not a ${CACHE_FORMAT} file`, {
      problems: parsed.error.issues
        .slice(0, 10)
        .map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`),
      hint: 'delete it (the next rehearsal rebuilds it)',
    });
  }
  return parsed.data;
}

export function writeCache(path: string, cache: RehearsalCache): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cache, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Whether `m` was rehearsed cleanly before with exactly these up and down sources. */
export function rehearsedBefore(
  cache: RehearsalCache,
  m: { name: string; checksum: string; downChecksum: string | null },
): { release: string | null } | null {
  const entry = cache.migrations[m.name];
  if (!entry || entry.checksum !== m.checksum || entry.downChecksum !== m.downChecksum) return null;
  return { release: entry.release };
}

/** Remember the migrations that rehearsed cleanly; forget those that now fail. */
export function updateCache(
  cache: RehearsalCache,
  sources: readonly { name: string; checksum: string; downChecksum: string | null }[],
  results: readonly MigrationRehearsal[],
  report: RehearsalReport,
  release: string | null,
): void {
  const at = new Date().toISOString();
  const byName = new Map(sources.map((m) => [m.name, m]));
  for (const r of results) {
    const m = byName.get(r.name);
    if (!m) continue;
    if (r.outcome === 'ok') {
      cache.migrations[m.name] = {
        checksum: m.checksum,
        downChecksum: m.downChecksum,
        release,
        rehearsedAt: at,
      };
    } else if (r.outcome !== 'skipped') {
      // A migration that now fails (or changed to irreversible) must not be skipped next time.
      delete cache.migrations[m.name];
    }
  }
  // Remembered so a later `--since <release>` can rebuild this release's state without a manifest file.
  if (release && report.exitCode === 0) {
    cache.releases[release] = { migrations: sources.map((m) => ({ name: m.name, checksum: m.checksum })) };
  }
}
