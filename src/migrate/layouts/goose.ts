/**
 * goose (SQL migrations): one file `<version>_<name>.sql` with `-- +goose Up` and optionally
 * `-- +goose Down`; `-- +goose StatementBegin` / `StatementEnd` fence statements goose's own splitter would
 * cut (PostgreSQL parses the step whole, so here they only have to balance); `-- +goose NO TRANSACTION`
 * runs both steps outside a transaction. Versions are numbers, ordered by value. Go migrations and
 * `ENVSUB` (environment substitution) cannot run here.
 */
import type { MigrationSource } from '../types.ts';
import { readEachById } from './order.ts';
import { type Section, splitAtMarkers, upAndDown } from './sections.ts';
import { sectionedMigration } from './sql-source.ts';
import type { Layout, LayoutContext } from './types.ts';

const FILE = /^(\d+)_.+\.sql$/;
const MARKER = /^--\s*\+goose\s+(.*?)\s*$/i;
const OPENS = new Set(['up', 'down']);
const KNOWN = new Set(['up', 'down', 'statementbegin', 'statementend', 'no transaction']);

export const goose: Layout = {
  name: 'goose',
  files: '<version>_<name>.sql with -- +goose Up / -- +goose Down',
  claims: (entry, peek) =>
    (FILE.test(entry) && /^--\s*\+goose\s+up\b/im.test(peek() ?? '')) || /^\d+_.+\.go$/.test(entry),
  read: async (entries, ctx) => {
    const files: { entry: string; id: string; file: string }[] = [];
    for (const entry of entries) {
      const m = FILE.exec(entry);
      if (m) files.push({ entry, id: m[1]!, file: entry });
      else if (entry.endsWith('.go'))
        ctx.problems.push(
          `${entry}: a goose Go migration; stepback runs SQL migrations only (rewrite it as SQL)`,
        );
      else ctx.problems.push(`${entry}: not a goose migration (expected <version>_<name>.sql)`);
    }
    return readEachById(
      files,
      ctx.problems,
      { tool: 'goose', duplicate: (id, a, b) => `duplicate version ${id}: ${a}, ${b}` },
      (f) => readGooseFile(f.entry, f.id, ctx),
    );
  },
};

function readGooseFile(entry: string, id: string, ctx: LayoutContext): MigrationSource | undefined {
  const file = ctx.read(entry);
  if (!file) return undefined;
  const problems: string[] = [];
  const { sections, markers } = splitAtMarkers(
    file.text,
    (line) => {
      const k = MARKER.exec(line);
      return k ? { kind: k[1]!.toLowerCase().replace(/\s+/g, ' '), rest: '' } : null;
    },
    OPENS,
  );
  for (const marker of markers) {
    if (marker.kind.startsWith('envsub'))
      problems.push(
        `${file.path}:${marker.line}: -- +goose ENVSUB substitutes environment variables, which stepback does not do`,
      );
    else if (!KNOWN.has(marker.kind))
      problems.push(`${file.path}:${marker.line}: unknown annotation -- +goose ${marker.kind}`);
  }
  // NO TRANSACTION may sit above the Up line (a comment); every statement must be below it.
  const labels = { up: '-- +goose Up', down: '-- +goose Down' };
  const steps = upAndDown(file.path, sections, labels, problems);
  for (const step of sections.slice(1)) balanced(file.path, step, problems);
  if (problems.length > 0) {
    ctx.problems.push(...problems);
    return undefined;
  }
  const transactional = !markers.some((m) => m.kind === 'no transaction');
  return sectionedMigration(
    { entry, id, path: file.path },
    steps!,
    labels,
    () => transactional,
    ctx.problems,
    '-- +goose NO TRANSACTION',
  );
}

/** StatementBegin and StatementEnd pair up inside a step, as goose requires. */
function balanced(path: string, step: Section, problems: string[]): void {
  let open: number | undefined;
  const lines = step.text.split('\n');
  const first = step.marker!.line + 1;
  for (let i = 0; i < lines.length; i++) {
    const k = MARKER.exec(lines[i]!.replace(/\r$/, ''));
    const kind = k?.[1]?.toLowerCase();
    if (kind === 'statementbegin') {
      if (open !== undefined)
        problems.push(`${path}:${first + i}: StatementBegin inside the one opened at line ${open}`);
      open = first + i;
    } else if (kind === 'statementend') {
      if (open === undefined) problems.push(`${path}:${first + i}: StatementEnd without a StatementBegin`);
      open = undefined;
    }
  }
  if (open !== undefined) problems.push(`${path}:${open}: StatementBegin without a StatementEnd`);
}
