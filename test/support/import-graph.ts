/**
 * The import graph of stepback's sources and the rule it must follow (ARCHITECTURE.md "Layers"). Imports are
 * read by the TypeScript compiler itself (its parse of each file lists every module reference: static
 * imports and `export … from`, `import type`, `import()` calls and `import('…')` types), so a type-only
 * import counts like any other: a type is part of the contract the importer depends on.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isStringLiteralLikeNode } from 'typescript/unstable/ast/is';
import { API } from 'typescript/unstable/sync';

/** The layers, outermost first; a file may import from its own folder or from a layer below its own. */
export const LAYERS = [
  { name: 'entry points', folders: ['cli', 'actions', 'demo'] },
  { name: 'wiring', folders: ['wiring'] },
  { name: 'flows', folders: ['pipeline', 'rehearse'] },
  { name: 'adapters', folders: ['aws', 'stores', 'migrate', 'schema', 'engines', 'layouts', 'system'] },
  { name: 'core', folders: ['core'] },
] as const;
/**
 * Folders of one layer that may import each other (one way: the cycle check holds them to it). Adapters
 * build on one another (the runner records schema fingerprints, engines read migration sources); entry
 * points and flows never do: what two of them share belongs in a lower layer.
 */
const SIBLINGS_MAY_IMPORT = new Set(['adapters']);

export interface Edge {
  from: string;
  to: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every .ts file under `root`/src, and the actions' entry files (`actions/<name>/main.ts`). */
export function sourceFiles(root: string): string[] {
  const src = walk(join(root, 'src')).filter((f) => f.endsWith('.ts'));
  const actions = join(root, 'actions');
  const mains = existsSync(actions)
    ? readdirSync(actions)
        .map((name) => join(actions, name, 'main.ts'))
        .filter((f) => existsSync(f))
    : [];
  return [...src, ...mains];
}

/**
 * The import edges between `files` (paths relative to `root`), as the TypeScript compiler parses them.
 * Only the files themselves are parsed (no resolution, no lib): package imports are not edges here, and a
 * relative import that names no file is reported as an edge to the missing path.
 */
export function importEdges(root: string, files: readonly string[]): Edge[] {
  const dir = mkdtempSync(join(tmpdir(), 'stepback-imports-'));
  const config = join(dir, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      files,
      compilerOptions: {
        noResolve: true,
        noLib: true,
        types: [],
        allowImportingTsExtensions: true,
        noEmit: true,
      },
    }),
  );
  const api = new API({ cwd: dir });
  try {
    const program = api.updateSnapshot({ openProject: config }).getProjects()[0]?.program;
    if (!program) throw new Error('the TypeScript API opened no project');
    return files.flatMap((file) => {
      const parsed = program.getSourceFile(file);
      if (!parsed) throw new Error(`TypeScript did not parse ${file}`);
      return parsed.imports
        .map((specifier) => (isStringLiteralLikeNode(specifier) ? specifier.text : ''))
        .filter((text) => text.startsWith('.'))
        .map((text) => ({ from: relative(root, file), to: relative(root, resolve(dirname(file), text)) }));
    });
  } finally {
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `src/<folder>/…` → its folder; an action's `actions/<name>/main.ts` belongs with the entry points. */
function folderOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'actions') return 'actions';
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function layerOf(folder: string | undefined): number {
  return LAYERS.findIndex((layer) => (layer.folders as readonly string[]).includes(folder ?? ''));
}

/** Every edge against the layer order, in words: `from -> to (flows imports wiring)`. */
export function layerViolations(edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  for (const { from, to } of edges) {
    const [a, b] = [folderOf(from), folderOf(to)];
    const [la, lb] = [layerOf(a), layerOf(b)];
    if (la < 0) {
      problems.push(`${from}: src/${a ?? '(top level)'} is in no layer (add it to LAYERS)`);
      continue;
    }
    if (to === 'package.json') continue; // the version, read from the package
    if (lb < 0) {
      problems.push(`${from} -> ${to}: outside the layers`);
      continue;
    }
    if (a === b || la < lb) continue;
    if (la === lb && SIBLINGS_MAY_IMPORT.has(LAYERS[la]?.name ?? '')) continue;
    const what =
      la === lb ? `${a}/ imports its sibling ${b}/` : `${LAYERS[la]?.name} import ${LAYERS[lb]?.name}`;
    problems.push(`${from} -> ${to} (${what})`);
  }
  return [...new Set(problems)];
}

/** Strongly connected components of more than one node (or a node importing itself), each node list sorted. */
function circles(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const to of next(node)) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || next(node).includes(node)) found.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

/**
 * Every import circle, between files and between folders, with the edges that close it:
 * `circle: a.ts -> b.ts, b.ts -> a.ts`.
 */
export function cycleViolations(edges: readonly Edge[]): string[] {
  const report = (graph: Map<string, Set<string>>, label: string) =>
    circles([...graph.keys()], (n) => [...(graph.get(n) ?? [])]).map((members) => {
      const inside = new Set(members);
      const closing = members.flatMap((m) =>
        [...(graph.get(m) ?? [])].filter((t) => inside.has(t)).map((t) => `${m} -> ${t}`),
      );
      return `${label}: ${closing.join(', ')}`;
    });
  const files = new Map<string, Set<string>>();
  const folders = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!files.has(from)) files.set(from, new Set());
    files.get(from)?.add(to);
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a && b && a !== b) {
      if (!folders.has(a)) folders.set(a, new Set());
      folders.get(a)?.add(b);
    }
  }
  return [...report(files, 'file circle'), ...report(folders, 'folder circle')];
}
