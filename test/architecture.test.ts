/**
 * The shape stays: every import under src/ runs down the layers (entry points → wiring → flows → adapters →
 * core, ARCHITECTURE.md "Layers") and no file or folder imports itself round a circle. A failure lists the
 * offending edges, one per line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cycleViolations, importEdges, layerViolations, sourceFiles } from './support/import-graph.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe("stepback's imports", () => {
  const edges = importEdges(root, sourceFiles(root));

  it('run down the layers', () => {
    expect(layerViolations(edges).join('\n')).toBe('');
  });

  it('form no circle', () => {
    expect(cycleViolations(edges).join('\n')).toBe('');
  });

  it('are read from every source file (the reader found each one it should)', () => {
    const importers = new Set(edges.map((e) => e.from));
    // Every action's entry file and every CLI command imports something; a reader that saw nothing would
    // pass the two checks above vacuously.
    for (const file of sourceFiles(root).filter((f) =>
      /actions\/[^/]+\/main\.ts$|src\/cli\/commands\//.test(f),
    ))
      expect(importers, file).toContain(file.slice(root.length + 1));
  });
});

describe('the import checker', () => {
  // A miniature tree with one of each thing the checker must see.
  const tree = mkdtempSync(join(tmpdir(), 'stepback-layers-'));
  afterAll(() => rmSync(tree, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'src/core/ports.ts': 'export interface Port { x: number }\n',
    'src/core/a.ts': "export * from './b.ts';\n",
    'src/core/b.ts': "import { type A } from './a.ts';\nexport type B = A;\n",
    // A type-only import up the layers: counts.
    'src/aws/client.ts': "import type { Flow } from '../pipeline/flow.ts';\nexport type C = Flow;\n",
    // A type written as import('…'): counts.
    'src/pipeline/flow.ts': "export type Flow = import('../wiring/build.ts').Built;\n",
    // A dynamic import of an entry point: counts.
    'src/wiring/build.ts': "export type Built = 1;\nexport const load = () => import('../cli/main.ts');\n",
    // Entry points importing each other.
    'src/cli/main.ts': "import '../demo/main.ts';\nimport { x } from 'some-package';\n",
    'src/demo/main.ts': "import type { Port } from '../core/ports.ts';\nexport const p: Port = { x: 1 };\n",
    // Adapters may use one another, one way only.
    'src/migrate/run.ts': "import { s } from '../schema/read.ts';\nexport const r = s;\n",
    'src/schema/read.ts': "export const s = 1;\nexport type M = typeof import('../migrate/run.ts');\n",
    'src/mystery/thing.ts': "import '../core/ports.ts';\n",
    'actions/up/main.ts': "import '../../src/wiring/build.ts';\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(tree, dirname(path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  const edges = importEdges(tree, sourceFiles(tree));

  it('reports each edge against the layers, type-only and dynamic ones included', () => {
    expect(layerViolations(edges).sort()).toEqual(
      [
        'src/aws/client.ts -> src/pipeline/flow.ts (adapters import flows)',
        'src/pipeline/flow.ts -> src/wiring/build.ts (flows import wiring)',
        'src/wiring/build.ts -> src/cli/main.ts (wiring import entry points)',
        'src/cli/main.ts -> src/demo/main.ts (cli/ imports its sibling demo/)',
        'src/mystery/thing.ts: src/mystery is in no layer (add it to LAYERS)',
      ].sort(),
    );
  });

  it('reports circles between files and between folders, with the edges that close them', () => {
    expect(cycleViolations(edges).sort()).toEqual(
      [
        'file circle: src/core/a.ts -> src/core/b.ts, src/core/b.ts -> src/core/a.ts',
        'file circle: src/migrate/run.ts -> src/schema/read.ts, src/schema/read.ts -> src/migrate/run.ts',
        'folder circle: migrate -> schema, schema -> migrate',
      ].sort(),
    );
  });
});
