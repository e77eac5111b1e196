/**
 * What `stepback sync --to-release R` does, decided from the database's applied migrations and R's
 * manifest alone (pure). Manifests are cumulative (each release lists every migration before it), so:
 * nothing applied beyond R's manifest → apply what R adds (or nothing); something applied beyond it → R is
 * older, and the release that applied the newest of those holds their downs.
 */
import type { Manifest } from './release-manifest.ts';
import type { AppliedMigration } from './status.ts';

export type SyncDecision =
  | { kind: 'none' }
  | { kind: 'up'; pending: string[] }
  | { kind: 'down'; newerRelease: string; beyond: string[] }
  | { kind: 'refused'; reasons: string[] };

export function decideSync(applied: readonly AppliedMigration[], target: Manifest): SyncDecision {
  const names = new Set(target.migrations.map((m) => m.name));
  const inOrder = [...applied].sort((a, b) => a.order - b.order);
  const beyond = inOrder.filter((a) => !names.has(a.name));
  if (beyond.length === 0) {
    const done = new Set(inOrder.map((a) => a.name));
    const pending = target.migrations.map((m) => m.name).filter((n) => !done.has(n));
    return pending.length === 0 ? { kind: 'none' } : { kind: 'up', pending };
  }
  const newest = beyond.at(-1)!;
  const beyondNames = beyond.map((a) => a.name);
  if (newest.release === null)
    return {
      kind: 'refused',
      reasons: [
        `the database has ${beyondNames.join(', ')} applied beyond ${target.release}, and the newest of them (${newest.name}) was applied without a release name, so it is unknown which release's downs to run`,
      ],
    };
  if (newest.release === target.release)
    return {
      kind: 'refused',
      reasons: [
        `the database records ${newest.name} as applied by ${target.release}, but ${target.release}'s manifest does not list it: the database and the release record disagree`,
      ],
    };
  return { kind: 'down', newerRelease: newest.release, beyond: beyondNames };
}
