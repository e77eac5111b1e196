/**
 * The previous release a rehearsal starts from: a manifest (object, or a JSON file written by
 * `stepback manifest` / fetched from the release store), or the name of a release an earlier rehearsal
 * remembered in the cache. Its migrations must all be in this directory (the older manifest is a prefix of
 * the newer one, as a rollback requires).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { parseManifest } from '../core/manifest-schema.ts';
import type { Manifest } from '../core/release-manifest.ts';
import type { MigrationSource } from '../migrate/types.ts';
import type { RehearsalCache } from './cache.ts';

export type SinceInput = string | Manifest;

export interface ResolvedSince {
  release: string | null;
  source: 'none' | 'manifest' | 'cache';
  migrations: { name: string; checksum: string }[];
  notes: string[];
}

/** A manifest file given as `--since`, parsed; unreadable or invalid is a usage error naming it. */
export function fromManifestFile(path: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--since ${path}: cannot read the manifest: ${(error as Error).message}`);
  }
  return parseManifest(json, path);
}

export function resolveSince(
  since: SinceInput | undefined,
  sources: readonly MigrationSource[],
  cache: RehearsalCache | null,
  cwd: string,
): ResolvedSince {
  let resolved: ResolvedSince;
  if (since === undefined || since === '') {
    return { release: null, source: 'none', migrations: [], notes: [] };
  }
  if (typeof since === 'object') {
    resolved = { release: since.release, source: 'manifest', migrations: since.migrations, notes: [] };
  } else if (existsSync(resolve(cwd, since))) {
    const manifest = fromManifestFile(resolve(cwd, since));
    resolved = { release: manifest.release, source: 'manifest', migrations: manifest.migrations, notes: [] };
  } else if (cache?.releases[since]) {
    resolved = { release: since, source: 'cache', migrations: cache.releases[since].migrations, notes: [] };
  } else {
    throw new UsageError(
      `--since ${since}: no such manifest file, and no earlier rehearsal of a release by that name`,
      {
        hint: 'pass the previous release manifest (`stepback manifest --release R --out FILE`, or the one in your release store)',
      },
    );
  }
  const byName = new Map(sources.map((s) => [s.name, s]));
  const missing = resolved.migrations.filter((m) => !byName.has(m.name)).map((m) => m.name);
  if (missing.length > 0) {
    throw new UsageError(
      `the previous release ${resolved.release ?? ''} has migrations this directory does not: ${missing.join(', ')}`,
      { hint: 'the previous release must be a prefix of this one; check --dir and --since' },
    );
  }
  for (const m of resolved.migrations) {
    const file = byName.get(m.name);
    if (file && file.checksum !== m.checksum) {
      resolved.notes.push(
        `${m.name}: the up file changed since release ${resolved.release} (checksum differs)`,
      );
    }
  }
  return resolved;
}
