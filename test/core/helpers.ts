import { createHash } from 'node:crypto';
import { buildManifest, type Manifest, type ManifestMigration } from '../../src/core/release-manifest.ts';
import { type AppliedMigration, type DatabaseStatus, STATUS_FORMAT } from '../../src/core/status.ts';

export function sha(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function migration(name: string, overrides: Partial<ManifestMigration> = {}): ManifestMigration {
  const reversible = overrides.reversible ?? true;
  return {
    name,
    checksum: sha(`up:${name}`),
    downChecksum: reversible ? sha(`down:${name}`) : null,
    reversible,
    transactional: true,
    ...overrides,
  };
}

export function manifest(release: string, migrations: readonly (string | ManifestMigration)[]): Manifest {
  return buildManifest({
    release,
    createdAt: new Date('2026-11-21T10:00:00Z'),
    migrations: migrations.map((m) => (typeof m === 'string' ? migration(m) : m)),
  });
}

/** Database rows for these migrations, applied in the order given, checksums from `source` when given. */
export function appliedRows(names: readonly string[], source?: Manifest): AppliedMigration[] {
  const byName = new Map(source?.migrations.map((m) => [m.name, m]));
  return names.map((name, i) => {
    const m = byName.get(name) ?? migration(name);
    return {
      name,
      order: i + 1,
      checksum: m.checksum,
      downChecksum: m.downChecksum,
      reversible: m.reversible,
      transactional: m.transactional,
      release: null,
      runId: null,
      actor: null,
      runnerVersion: '0.1.0',
      appliedAt: '2026-11-21T10:00:00Z',
      durationMs: 1,
    };
  });
}

export function status(applied: AppliedMigration[]): DatabaseStatus {
  return {
    format: STATUS_FORMAT,
    schema: 'public',
    applied,
    pending: [],
    unknownApplied: [],
    drifted: [],
    outOfOrder: [],
  };
}
