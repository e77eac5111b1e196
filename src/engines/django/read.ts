/**
 * The release's migrations as Django's loader sees them in this code, for the manifest: plan order, graph
 * parents, squashes, reversibility, each file's checksum, and each app's leaf.
 */
import { ExitCode, RefusedError, StepbackError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';
import type { ManifestMigration } from '../../core/release-manifest.ts';
import type { ReadMigrations } from '../engine.ts';
import { type DjangoGraph, runProgram } from './manage.ts';
import { djangoSettings } from './settings.ts';

/** The graph as manifest entries, and each app's single leaf (several leaves: Django refuses to migrate). */
export function manifestFromGraph(graph: DjangoGraph): {
  migrations: ManifestMigration[];
  targets: Record<string, string>;
} {
  const migrations = graph.nodes.map((n): ManifestMigration => {
    const reversible = n.irreversible.length === 0;
    return {
      name: n.name,
      checksum: n.checksum,
      // The backwards code lives in the migration file itself.
      downChecksum: reversible ? n.checksum : null,
      reversible,
      transactional: n.atomic,
      dependencies: n.dependencies,
      ...(n.replaces.length > 0 ? { replaces: n.replaces } : {}),
    };
  });
  const conflicts = Object.entries(graph.leaves).filter(([, leaves]) => leaves.length > 1);
  if (conflicts.length > 0)
    throw new RefusedError('the migration graph has conflicts; Django will not migrate it as it is', {
      problems: conflicts.map(
        ([app, leaves]) => `app ${app} has ${leaves.length} leaf migrations: ${leaves.join(', ')}`,
      ),
      hint: 'merge them with `manage.py makemigrations --merge` and release that',
    });
  const targets = Object.fromEntries(
    Object.entries(graph.leaves)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([app, leaves]) => [app, leaves[0]!]),
  );
  return { migrations, targets };
}

export const readDjangoMigrations: ReadMigrations = async (opts) => {
  const s = djangoSettings(opts);
  const r = await runProgram({ op: 'graph' }, s.run);
  if (!r.ok || !r.graph)
    throw new StepbackError(
      redactSecrets(`Django could not load its migrations: ${r.error}`, s.secrets),
      ExitCode.migrationFailed,
    );
  return manifestFromGraph(r.graph);
};
