/**
 * Every action.yml documents exactly the inputs its run() parses, and runs its committed bundle on node24 from
 * the one actions/dist/ the five share.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUT_DOCS } from '../../src/wiring/input-docs.ts';
import { type ActionName, actionInputs } from '../../src/wiring/inputs.ts';

const root = resolve(import.meta.dirname, '../..');

interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

describe.each(Object.keys(actionInputs) as ActionName[])('actions/%s/action.yml', (name) => {
  const yml = parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;

  it('runs its committed bundle in the shared actions/dist/ on node24', () => {
    // GitHub resolves `main` from the action's own folder, inside the checked-out repository.
    expect(yml.runs).toEqual({ using: 'node24', main: `../dist/${name}.js` });
    expect(existsSync(resolve(root, 'actions', name, yml.runs.main))).toBe(true);
  });

  it('documents every parsed input, and only those', () => {
    expect(Object.keys(yml.inputs).sort()).toEqual(Object.keys(actionInputs[name]).sort());
    for (const [input, spec] of Object.entries(yml.inputs)) {
      expect(spec.description, input).toMatch(/\S{3}/);
      expect(typeof spec.required, input).toBe('boolean');
    }
  });

  it('agrees with the documentation `stepback pipeline --help` prints (defaults and required from the schemas)', () => {
    expect(yml.description).toBe(INPUT_DOCS[name]!.description);
    expect(yml.inputs).toEqual(INPUT_DOCS[name]!.inputs);
  });

  it('documents every output it sets', () => {
    const source = readFileSync(join(root, 'src/actions', `${name}.ts`), 'utf8');
    const set = [...source.matchAll(/core\.setOutput\(\s*'([a-z-]+)'/g)].map((m) => m[1]);
    expect(set.length).toBeGreaterThan(0);
    expect(Object.keys(yml.outputs).sort()).toEqual([...new Set(set)].sort());
  });
});

describe('actions/dist/', () => {
  it('holds one entry per action beside the chunks they share, as ES modules, and no action has its own dist/', () => {
    const dist = join(root, 'actions/dist');
    expect(readdirSync(dist).sort()).toEqual(
      ['chunks', 'package.json', ...Object.keys(actionInputs).map((name) => `${name}.js`)].sort(),
    );
    expect(JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    for (const name of Object.keys(actionInputs))
      expect(existsSync(join(root, 'actions', name, 'dist')), name).toBe(false);
  });
});

describe('README.md action table', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  // Rows `| \`action\` | what it does | key inputs | outputs |`; `\|` inside a cell is not a separator.
  const rows = readme
    .split('\n')
    .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
    .filter(
      (cells) =>
        cells.length === 6 && /^`[a-z-]+`$/.test(cells[1]!) && cells[1]!.slice(1, -1) in actionInputs,
    )
    .map((cells) => [cells[1]!.slice(1, -1), cells[3]!] as const);

  it('has a row for every action', () => {
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(actionInputs).sort());
  });

  it.each(rows)('names only inputs %s has', (name, inputs) => {
    // The key-inputs cell: each `input` before any parenthesis of allowed values or notes.
    const named = [...inputs.replace(/\([^)]*\)/g, '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((input) => !(input in actionInputs[name as ActionName]))).toEqual([]);
  });
});
