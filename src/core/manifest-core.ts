/**
 * The release manifest's types, building and digest: the part of src/core/manifest.ts that needs no schema
 * library, so the code on an action's way to its first request can use it without evaluating zod.
 * Validation (parseManifest) stays in manifest.ts, which re-exports everything here.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const MANIFEST_FORMAT = 'stepback/manifest@1';

export interface ManifestMigration {
  /** `<id>_<name>`; manifests list migrations in name order. */
  name: string;
  /** `sha256:<64 hex>` of the up source. */
  checksum: string;
  /** `sha256:<64 hex>` of the down source, or null when the migration is irreversible. */
  downChecksum: string | null;
  reversible: boolean;
  transactional: boolean;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
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
  migrations: ManifestMigration[];
}

export interface BuildManifestInput {
  release: string;
  createdAt: Date;
  migrations: readonly ManifestMigration[];
  source?: Manifest['source'];
  image?: string;
  taskDefinitionArn?: string;
  taskDefinition?: Record<string, unknown>;
}

export function buildManifest(input: BuildManifestInput): Manifest {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    release: input.release,
    createdAt: input.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    migrations: [...input.migrations]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((m) => ({ ...m })),
  };
  if (input.source) manifest.source = input.source;
  if (input.image) manifest.image = input.image;
  if (input.taskDefinitionArn) manifest.taskDefinitionArn = input.taskDefinitionArn;
  if (input.taskDefinition) manifest.taskDefinition = input.taskDefinition;
  return manifest;
}

/** `sha256:<hex>` of the manifest's canonical JSON: stable across key order and whitespace. */
export function manifestDigest(manifest: Manifest): string {
  return `sha256:${createHash('sha256').update(canonicalJson(manifest)).digest('hex')}`;
}
