/**
 * The release manifest: every migration an image contains, with checksums and reversibility; its types, how
 * it is built and digested. Free of the schema library, so the code on an action's way to its first request
 * can use it without evaluating zod. Reading one from JSON is manifest-schema.ts; storage is src/stores.
 *
 * Format 2 names the migration engine that wrote it (`engine`) and, for engines whose migrations form a
 * graph (Django), each migration's dependencies, what a squash replaces, and the per-app leaf `targets`.
 * Format 1 manifests (always the stepback engine) are still read, and kept as they were read: their digest
 * and a re-recording of the same release stay what they were.
 */
import { canonicalJson } from './canonical-json.ts';
import { checksumOf } from './checksum.ts';

export const MANIFEST_FORMAT = 'stepback/manifest@2';
/** The first format: no `engine` field, the stepback engine implied. */
export const MANIFEST_FORMAT_V1 = 'stepback/manifest@1';
export type ManifestFormat = typeof MANIFEST_FORMAT | typeof MANIFEST_FORMAT_V1;

/** The engine a format 1 manifest (or a command without `--engine`) means: stepback's own SQL/module files. */
export const DEFAULT_ENGINE = 'stepback';

export interface ManifestMigration {
  /** stepback: `<id>_<name>`; Django: `<app>.<name>`. */
  name: string;
  /** `sha256:<64 hex>` of the up source (Django: the migration file). */
  checksum: string;
  /**
   * `sha256:<64 hex>` of the down source, or null when the migration is irreversible. Django keeps its
   * backwards code in the migration file itself, so there it equals `checksum` when reversible.
   */
  downChecksum: string | null;
  reversible: boolean;
  transactional: boolean;
  /** Graph engines: the migrations this one must come after (each listed earlier in the manifest). */
  dependencies?: string[];
  /** A squashed migration: the migrations it stands for (which are not listed themselves). */
  replaces?: string[];
}

export interface Manifest {
  format: ManifestFormat;
  /** Absent only in format 1, which means DEFAULT_ENGINE; read it with manifestEngine(). */
  engine?: string;
  release: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  source?: { repository: string; commit: string };
  /** Image reference, by digest: `<registry>/app@sha256:<digest>`. */
  image?: string;
  taskDefinitionArn?: string;
  /**
   * The full registered task definition (RegisterTaskDefinition input shape), kept so a rollback can
   * re-register it when the ARN has become INACTIVE.
   */
  taskDefinition?: Record<string, unknown>;
  /**
   * `sha256:` of the release's source bundle (src/core/source-bundle.ts), stored beside the manifest, so the
   * release's SQL downs can run without its image. Absent for releases recorded without one.
   */
  sourceBundle?: string;
  /**
   * Apply order: stepback, the directory's order (numeric ids by value, so 1_a, 2_b, 10_c; format 1 and
   * earlier format 2 records list names in code-unit order, which is the same for zero-padded ids). Graph
   * engines: the engine's own plan order (dependencies first).
   */
  migrations: ManifestMigration[];
  /** Graph engines: each app's leaf migration in this release (Django: what `migrate <app> <leaf>` names). */
  targets?: Record<string, string>;
}

export interface BuildManifestInput {
  release: string;
  createdAt: Date;
  /** Default DEFAULT_ENGINE. */
  engine?: string;
  migrations: readonly ManifestMigration[];
  targets?: Record<string, string>;
  source?: Manifest['source'];
  image?: string;
  taskDefinitionArn?: string;
  taskDefinition?: Record<string, unknown>;
  sourceBundle?: string;
}

export function manifestEngine(manifest: Pick<Manifest, 'engine'>): string {
  return manifest.engine ?? DEFAULT_ENGINE;
}

export function buildManifest(input: BuildManifestInput): Manifest {
  const engine = input.engine ?? DEFAULT_ENGINE;
  // Kept as given: the caller lists them in apply order (the layout's or the engine's planner's), which a
  // rollback made without the database's status reverts from the end. Name order is not apply order for
  // unpadded numeric ids (10_c sorts before 2_b).
  const ordered = [...input.migrations];
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    engine,
    release: input.release,
    createdAt: input.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    migrations: ordered.map((m) => ({ ...m })),
  };
  if (input.targets) manifest.targets = { ...input.targets };
  if (input.source) manifest.source = input.source;
  if (input.image) manifest.image = input.image;
  if (input.taskDefinitionArn) manifest.taskDefinitionArn = input.taskDefinitionArn;
  if (input.taskDefinition) manifest.taskDefinition = input.taskDefinition;
  if (input.sourceBundle) manifest.sourceBundle = input.sourceBundle;
  return manifest;
}

/** `sha256:<hex>` of the manifest's canonical JSON: stable across key order and whitespace. */
export function manifestDigest(manifest: Manifest): string {
  return checksumOf(canonicalJson(manifest));
}

/**
 * What makes two records of one release the same, whatever format each was written in: everything but
 * `format` and `createdAt`, with format 1's implied engine made explicit. A release recorded under format 1
 * and recorded again from the same source is therefore unchanged, not a conflict.
 */
export function manifestIdentity(manifest: Manifest): string {
  const { createdAt: _createdAt, format: _format, ...rest } = manifest;
  return canonicalJson({ ...rest, engine: manifestEngine(manifest) });
}
