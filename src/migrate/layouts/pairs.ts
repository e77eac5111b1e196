/** Layouts whose steps are two files, `<base>.up.sql` and `<base>.down.sql` (or undo files): the pairing. */

export interface Pair {
  base: string;
  up?: string;
  down?: string;
}

/** Pairs entries by base; `roleOf` says which base and role an entry is, or null for a non-member. */
export function pairEntries(
  entries: readonly string[],
  roleOf: (entry: string) => { base: string; role: 'up' | 'down' } | null,
  other: (entry: string) => void,
): Pair[] {
  const pairs = new Map<string, Pair>();
  for (const entry of entries) {
    const r = roleOf(entry);
    if (!r) {
      other(entry);
      continue;
    }
    const pair = pairs.get(r.base) ?? { base: r.base };
    pair[r.role] = entry;
    pairs.set(r.base, pair);
  }
  return [...pairs.values()];
}
