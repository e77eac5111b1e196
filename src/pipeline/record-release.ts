/**
 * Release record: the manifest of what the image contains, with its digest and full task
 * definition, stored durably under the release, and the task definition tagged `stepback:release=<R>` so a
 * live service leads back to its manifest. Re-running for the same release is a no-op; a different manifest
 * under an existing release is refused (the store is immutable).
 */

import { canonicalJson } from '../core/canonical-json.ts';
import { RefusedError } from '../core/errors.ts';
import { findManifest, type ManifestStore } from '../core/manifest-store.ts';
import { type Log, RELEASE_TAG, type TaskDefinitions } from '../core/ports.ts';
import {
  buildManifest,
  type Manifest,
  type ManifestMigration,
  manifestEngine,
  manifestIdentity,
} from '../core/release-manifest.ts';
import { redactTaskDefinition } from '../core/task-definition-secrets.ts';

export interface RecordReleaseOptions {
  release: string;
  /** The engine whose migrations these are (default stepback's). */
  engine?: string;
  migrations: readonly ManifestMigration[];
  /** Graph engines: each app's leaf migration. */
  targets?: Record<string, string>;
  /** The release's source bundle (src/core/source-bundle.ts), stored beside the manifest and named by it. */
  sources?: { bytes: Uint8Array; digest: string };
  image?: string;
  taskDefinitionArn?: string;
  source?: { repository: string; commit: string };
  /** Tag the task definition with the release (default: whenever there is one). */
  tag?: boolean;
  now: Date;
}

export interface RecordReleaseDeps {
  store: ManifestStore;
  taskDefinitions?: TaskDefinitions;
}

export interface RecordReleaseOutcome {
  result: 'created' | 'unchanged';
  manifest: Manifest;
  location: string;
  tagged: boolean;
  /** The stored source bundle's digest; absent when the release has none (see the warning logged). */
  sourceBundle?: string;
}

/** Pure: the fields in which two manifests of one release differ, for the refusal message. */
export function manifestDifferences(stored: Manifest, fresh: Manifest): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(stored), ...Object.keys(fresh)]);
  // The format a record was written in is not part of what it says (manifestIdentity).
  keys.delete('createdAt');
  keys.delete('format');
  const normal = (m: Manifest): Record<string, unknown> => ({ ...m, engine: manifestEngine(m) });
  for (const key of [...keys].sort()) {
    const a = normal(stored)[key];
    const b = normal(fresh)[key];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    if (key === 'migrations') {
      const listed = out.length;
      const before = new Map(stored.migrations.map((m) => [m.name, canonicalJson(m)]));
      const after = new Map(fresh.migrations.map((m) => [m.name, canonicalJson(m)]));
      for (const name of new Set([...before.keys(), ...after.keys()])) {
        if (!after.has(name))
          out.push(`migration ${name} is in the stored manifest but not in this directory`);
        else if (!before.has(name)) out.push(`migration ${name} is new in this directory`);
        else if (before.get(name) !== after.get(name))
          out.push(`migration ${name} changed (checksum or flags)`);
      }
      if (out.length === listed)
        out.push(
          'the migrations are listed in another order (records written before stepback listed them in apply order are in name order, which differs for unpadded numeric ids)',
        );
    } else {
      out.push(`${key} differs`);
    }
  }
  return out;
}

export async function recordRelease(
  options: RecordReleaseOptions,
  deps: RecordReleaseDeps,
  log: Log,
): Promise<RecordReleaseOutcome> {
  let taskDefinition: Record<string, unknown> | undefined;
  if (options.taskDefinitionArn && deps.taskDefinitions) {
    const info = await deps.taskDefinitions.describe(options.taskDefinitionArn);
    const safe = redactTaskDefinition(info.registerInput);
    taskDefinition = safe.taskDefinition;
    if (safe.redacted.length > 0)
      log.warn(
        `The task definition puts secrets in plain environment variables (${safe.redacted.join('; ')}); ` +
          'the release record keeps them redacted, so a rollback cannot re-register it if it becomes INACTIVE. ' +
          'Move them to `secrets` (Secrets Manager or SSM references).',
      );
  }
  const existing = (await findManifest(deps.store, options.release)).manifest;
  const manifest = buildManifest({
    release: options.release,
    // Re-recording keeps the original time, so an identical re-run stores byte-identical JSON.
    createdAt: existing ? new Date(existing.createdAt) : options.now,
    ...(options.engine ? { engine: options.engine } : {}),
    migrations: options.migrations,
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.source ? { source: options.source } : {}),
    ...(options.image ? { image: options.image } : {}),
    ...(options.taskDefinitionArn ? { taskDefinitionArn: options.taskDefinitionArn } : {}),
    ...(taskDefinition ? { taskDefinition } : {}),
    ...(options.sources ? { sourceBundle: options.sources.digest } : {}),
  });
  // A release recorded before source bundles existed stays as it was (records are immutable): a re-run
  // that would only add the bundle keeps the stored manifest, and its downs keep needing the image.
  const { sourceBundle: _fresh, ...withoutBundle } = manifest;
  const legacy = existing !== null && !existing.sourceBundle && manifest.sourceBundle !== undefined;
  if (legacy && manifestIdentity(existing) === manifestIdentity(withoutBundle as Manifest)) {
    log.warn(
      `Release ${options.release} was recorded in ${deps.store.location} without a source bundle; the record stays as it is, ` +
        'so a rollback from it needs its image (releases recorded from now on carry their bundle).',
    );
    return tagAndReturn(options, deps, log, {
      result: 'unchanged',
      manifest: existing,
      location: deps.store.location,
    });
  }
  if (existing && manifestIdentity(existing) !== manifestIdentity(manifest)) {
    throw new RefusedError(
      `Release ${options.release} is already recorded in ${deps.store.location} with a different manifest; records are immutable.`,
      {
        problems: manifestDifferences(existing, manifest),
        hint: 'Record the change under a new release name, or record from the commit that produced the stored release.',
      },
    );
  }
  // The bundle first: a bundle without its manifest is harmless, a manifest naming a missing bundle is not
  // (a re-run stores the bundle beside the unchanged manifest).
  if (options.sources) {
    const stored = await deps.store.putSources(manifest, options.sources.bytes);
    log.info(
      `${stored === 'created' ? 'Stored' : 'Already stored:'} the source bundle of ${options.release} (${options.sources.digest}, ${options.sources.bytes.length} bytes)`,
    );
  }
  const result = existing ? 'unchanged' : await deps.store.put(manifest);
  log.info(
    result === 'created'
      ? `Recorded release ${options.release} (${manifest.migrations.length} migrations) in ${deps.store.location}`
      : `Release ${options.release} was already recorded with this manifest in ${deps.store.location}`,
  );
  return tagAndReturn(options, deps, log, {
    result,
    manifest,
    location: deps.store.location,
    ...(manifest.sourceBundle ? { sourceBundle: manifest.sourceBundle } : {}),
  });
}

async function tagAndReturn(
  options: RecordReleaseOptions,
  deps: RecordReleaseDeps,
  log: Log,
  outcome: Omit<RecordReleaseOutcome, 'tagged'>,
): Promise<RecordReleaseOutcome> {
  let tagged = false;
  if (options.taskDefinitionArn && deps.taskDefinitions && options.tag !== false) {
    await deps.taskDefinitions.tag(options.taskDefinitionArn, { [RELEASE_TAG]: options.release });
    tagged = true;
    log.info(`Tagged ${options.taskDefinitionArn} with ${RELEASE_TAG}=${options.release}`);
  }
  return { ...outcome, tagged };
}
