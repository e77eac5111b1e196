/**
 * Adoption (`stepback adopt`): which of a directory's migrations another tool has already applied, read from
 * that tool's own state table, and why that cannot be told safely. Pure: the tool's rows come in already
 * read (src/migrate/adopt/), the directory's migrations in their layout's order.
 *
 * Fail closed: a half-applied migration (golang-migrate's dirty flag, a failed Flyway row), a lock left
 * behind, an applied version the directory lacks, a gap (a later migration applied, an earlier one not), or
 * a checksum the tool recorded that disagrees with the file each refuse the whole adoption.
 */

/** What a tool's state table says, in the same words for every tool. */
export interface ToolState {
  tool: string;
  /** The table it was read from, schema-qualified, for messages. */
  table: string;
  /**
   * `latest`: the table keeps only the current version (golang-migrate): every migration up to it is
   * applied. `each`: one entry per applied version.
   */
  kind: 'latest' | 'each';
  /** Applied versions (`latest`: at most one), as the tool writes them. */
  versions: { version: string; checksum?: number | null }[];
  /** Versions up to and including this one count as applied without rows of their own (Flyway baseline). */
  baseline?: string;
  /** What the table holds that makes its state unsafe to adopt (dirty, failed, a lock row). */
  unsafe: string[];
}

export interface AdoptSource {
  name: string;
  id: string;
  /** The checksum the tool would record for this file, when the tool records one (Flyway's CRC-32). */
  toolChecksum?: number;
}

export type AdoptDecision = { ok: true; adopt: string[] } | { ok: false; problems: string[] };

/**
 * The migrations to record as applied, in directory order, or every reason not to. `versionKey` maps a
 * tool's version and a directory id to one key when they name the same migration (by value for most tools;
 * as text for dbmate); `compare` orders versions for `latest` and `baseline`.
 */
export function decideAdoption(
  state: ToolState,
  sources: readonly AdoptSource[],
  rules: { versionKey: (version: string) => string; compare: (a: string, b: string) => number },
): AdoptDecision {
  const problems = [...state.unsafe];
  const applied = new Set<number>();
  // One lookup per row: a history of thousands is matched in one pass, not rows × files comparisons.
  const byKey = new Map(sources.map((s, i) => [rules.versionKey(s.id), i]));
  const indexOf = (version: string) => byKey.get(rules.versionKey(version)) ?? -1;

  if (state.baseline !== undefined) {
    sources.forEach((s, i) => {
      if (rules.compare(s.id, state.baseline!) <= 0) applied.add(i);
    });
  }
  if (state.kind === 'latest') {
    const latest = state.versions[0];
    if (latest) {
      const at = indexOf(latest.version);
      if (at === -1)
        problems.push(
          `${state.table} is at version ${latest.version}, which this directory does not contain: the database is ahead of these files, or they are not the ones that migrated it`,
        );
      else for (let i = 0; i <= at; i++) applied.add(i);
    }
  } else {
    const missing: string[] = [];
    for (const row of state.versions) {
      const at = indexOf(row.version);
      if (at === -1) missing.push(row.version);
      else {
        applied.add(at);
        const expected = sources[at]!.toolChecksum;
        if (row.checksum != null && expected !== undefined && row.checksum !== expected)
          problems.push(
            `${sources[at]!.name}: ${state.tool} recorded checksum ${row.checksum} but the file has ${expected}: it was edited after ${state.tool} applied it`,
          );
      }
    }
    if (missing.length > 0)
      problems.push(
        `${state.table} has version(s) ${missing.join(', ')} applied that this directory does not contain: the database is ahead of these files, or they are not the ones that migrated it`,
      );
  }
  const last = Math.max(-1, ...applied);
  const gaps = sources.slice(0, last + 1).filter((_, i) => !applied.has(i));
  if (gaps.length > 0)
    problems.push(
      `${gaps.map((g) => g.name).join(', ')} ${gaps.length === 1 ? 'is' : 'are'} not applied, but ${sources[last]!.name} after ${gaps.length === 1 ? 'it' : 'them'} is: ${state.tool} ran them out of order, and stepback's state must be a prefix of the directory`,
    );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, adopt: sources.slice(0, last + 1).map((s) => s.name) };
}
