/** django_migrations against the graph Django loaded, as the status document every engine reports. */
import { appliedNodes } from '../../core/graph-plan.ts';
import { type AppliedMigration, type DatabaseStatus, STATUS_FORMAT } from '../../core/status.ts';
import type { DjangoGraph, DjangoRow } from './manage.ts';
import { DJANGO_ENGINE } from './settings.ts';

/** django_migrations against the graph, in the status document every engine reports. */
export function statusFromGraph(
  schema: string,
  graph: DjangoGraph,
  rows: readonly DjangoRow[],
): DatabaseStatus {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const replaced = new Set(graph.nodes.flatMap((n) => n.replaces));
  const squashes = Object.fromEntries(graph.nodes.map((n) => [n.name, n.replaces]));
  const applied = appliedNodes(
    graph.nodes.map((n) => n.name),
    squashes,
    new Set(rows.map((r) => r.name)),
  );
  return {
    format: STATUS_FORMAT,
    engine: DJANGO_ENGINE,
    schema,
    applied: rows.map((r, i): AppliedMigration => {
      const node = byName.get(r.name);
      const reversible = node ? node.irreversible.length === 0 : false;
      return {
        name: r.name,
        order: i + 1,
        // Django records no checksum of what it applied.
        checksum: '',
        downChecksum: null,
        reversible,
        transactional: node?.atomic ?? true,
        release: null,
        runId: null,
        actor: null,
        runnerVersion: 'django',
        appliedAt: r.appliedAt,
        durationMs: 0,
      };
    }),
    pending: graph.nodes.filter((n) => !applied.has(n.name)).map((n) => n.name),
    unknownApplied: rows
      .filter((r) => !byName.has(r.name) && !replaced.has(r.name))
      .map((r) => ({ name: r.name, release: null })),
    drifted: [],
    outOfOrder: [],
  };
}
