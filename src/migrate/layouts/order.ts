/**
 * Ordering rules. Tools that number their migrations order them by number, not as text: `1_a, 2_b, 10_c`
 * runs 10_c last. An id is compared as its runs of digits, each by value (`20240101T1200` is 20240101, 1200),
 * so zero-padded ids of one width keep the order they always had. Ids whose text and numeric order could
 * both be meant are refused rather than guessed.
 */

export interface Ordered {
  /** The migration's id as written (`0001`, `1.2.10`). */
  id: string;
  /** The file it came from, for messages. */
  file: string;
}

/** The id's runs of digits without leading zeros (`00010.2` → ['10', '2']). */
function numericParts(id: string): string[] {
  return (id.match(/\d+/g) ?? []).map((run) => run.replace(/^0+(?=\d)/, ''));
}

/**
 * The id's value as a string, equal for ids that compareIds holds equal (`0010.2` → `10.2`; with
 * `missingIsZero`, trailing zero parts dropped: `1.0` → `1`).
 */
export function numericKey(id: string, missingIsZero = false): string {
  const parts = numericParts(id);
  if (missingIsZero) while (parts.length > 1 && parts.at(-1) === '0') parts.pop();
  return parts.join('.');
}

function compareDigits(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares ids part by part by value. `missingIsZero`: a missing part counts as 0 (Flyway: 1.0 equals 1);
 * otherwise the shorter id sorts first when the parts it has are equal.
 */
export function compareIds(a: string, b: string, missingIsZero = false): number {
  const pa = numericParts(a);
  const pb = numericParts(b);
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) {
      if (!missingIsZero) return x === undefined ? -1 : 1;
      const c = compareDigits(x ?? '0', y ?? '0');
      if (c !== 0) return c;
      continue;
    }
    const c = compareDigits(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sorts `items` by id (stable), pushing a problem for each pair that has the same value written two ways
 * (`01_a` and `1_b`), and one when zero-padded and unpadded ids sort differently as text and as numbers
 * (`09_x` before `1_y` as text, after it as a number): which order was meant cannot be told.
 */
export function orderByNumericId<T extends Ordered>(
  items: readonly T[],
  problems: string[],
  options: { missingIsZero?: boolean; tool: string } = { tool: 'this layout' },
): T[] {
  const sorted = [...items].sort(
    (x, y) => compareIds(x.id, y.id, options.missingIsZero) || byText(x.file, y.file),
  );
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (compareIds(a.id, b.id, options.missingIsZero) === 0 && a.id !== b.id) {
      problems.push(
        `${a.file} and ${b.file}: ids ${a.id} and ${b.id} are the same number written two ways; ${options.tool} treats them as one version, so rename one`,
      );
    }
  }
  const padded = sorted.some((x) => /(^|\D)0\d/.test(x.id));
  if (padded) {
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      if (byText(a.id, b.id) > 0 && compareIds(a.id, b.id, options.missingIsZero) < 0) {
        problems.push(
          `${a.file} and ${b.file}: ids mix zero-padded and unpadded numbers, so they sort one way as text (${b.id} first) and the other as numbers (${a.id} first); pad every id to the same width`,
        );
        break;
      }
    }
  }
  return sorted;
}

/**
 * Each file read in id order (orderByNumericId), a second file with an id already taken refused as a
 * problem (`duplicate` words it in the tool's terms): for the layouts whose tool keys a migration by its
 * number alone, so two files with one number are one migration too many.
 */
export function readEachById<T extends Ordered & { entry: string }, R>(
  files: readonly T[],
  problems: string[],
  options: { tool: string; duplicate: (id: string, first: string, second: string) => string },
  read: (file: T) => R | undefined,
): R[] {
  const sources: R[] = [];
  let previous: T | undefined;
  for (const f of orderByNumericId(files, problems, { tool: options.tool })) {
    if (previous?.id === f.id) {
      problems.push(options.duplicate(f.id, previous.entry, f.entry));
      continue;
    }
    previous = f;
    const source = read(f);
    if (source !== undefined) sources.push(source);
  }
  return sources;
}
