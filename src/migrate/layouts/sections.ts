/**
 * Files that hold both steps under marker lines (dbmate's `-- migrate:up`, goose's `-- +goose Up`): the
 * text split at its markers. Lines keep their endings, so a section's text is exactly what the file has.
 */

export interface Marker {
  /** What the marker says, as the layout names it (`up`, `down`, `statementbegin`, …). */
  kind: string;
  /** The rest of the marker line (dbmate's `transaction:false`). */
  rest: string;
  /** 1-based line number, for messages. */
  line: number;
}

export interface Section {
  /** The marker that opens the section; null for the text before the first marker. */
  marker: Marker | null;
  text: string;
}

/** Splits at every line `markerOf` recognises; markers of kinds not in `opens` stay inside their section. */
export function splitAtMarkers(
  text: string,
  markerOf: (line: string) => Omit<Marker, 'line'> | null,
  opens: ReadonlySet<string>,
): { sections: Section[]; markers: Marker[] } {
  const sections: Section[] = [{ marker: null, text: '' }];
  const markers: Marker[] = [];
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    const raw = text.slice(start, end);
    start = end;
    const found = markerOf(raw.replace(/\r?\n$/, ''));
    if (found) {
      const marker = { ...found, line };
      markers.push(marker);
      if (opens.has(found.kind)) {
        sections.push({ marker, text: '' });
        continue;
      }
    }
    sections.at(-1)!.text += raw;
  }
  return { sections, markers };
}

/** True when the text has nothing but comments and blank lines (what may come before the first marker). */
export function onlyComments(text: string): boolean {
  return text.split('\n').every((line) => {
    const t = line.trim();
    return t === '' || t.startsWith('--');
  });
}

/**
 * The one up section and the optional down section after it, with nothing but comments before the up
 * marker; otherwise problems naming the file. `labels` are the markers as the tool writes them.
 */
export function upAndDown(
  path: string,
  sections: readonly Section[],
  labels: { up: string; down: string },
  problems: string[],
): { up: Section; down: Section | undefined } | undefined {
  const [preamble, ...steps] = sections;
  const ups = steps.filter((s) => s.marker?.kind === 'up');
  const downs = steps.filter((s) => s.marker?.kind === 'down');
  const before = problems.length;
  if (ups.length !== 1) problems.push(`${path}: needs exactly one ${labels.up} line, has ${ups.length}`);
  if (downs.length > 1) problems.push(`${path}: has ${downs.length} ${labels.down} lines`);
  const first = steps[0]?.marker;
  if (first?.kind === 'down')
    problems.push(`${path}: ${labels.down} (line ${first.line}) comes before ${labels.up}`);
  if (preamble && !onlyComments(preamble.text))
    problems.push(`${path}: has statements before its ${labels.up} line`);
  if (problems.length > before) return undefined;
  return { up: ups[0]!, down: downs[0] };
}
