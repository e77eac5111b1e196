#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: what a bundle loads before it does anything. Re-bundles an entry
 * exactly as scripts/build.mjs does (code splitting, stubs) in memory, then follows the static imports from
 * the entry file (and, for a CLI command, from that command's chunk) and prints bytes per package of
 * everything on that path. Chunks reached only through a dynamic import load later, on demand.
 *
 *   node bench/tools/bundle-composition.mjs cli up      # `stepback up`: cli.js and the up command's chunk
 *   node bench/tools/bundle-composition.mjs action deploy
 */
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { actionEntry, bundleOptions, cliEntry } from '../../scripts/build.mjs';

const [kind, name, top = '25'] = process.argv.slice(2);
if (!['cli', 'action'].includes(kind) || !name) {
  console.error('usage: bundle-composition.mjs cli <command> | action <name> [top]');
  process.exit(2);
}
const entry = kind === 'cli' ? cliEntry : actionEntry(name);
const outName = kind === 'cli' ? 'cli' : 'index';
const r = await esbuild.build({
  ...bundleOptions({ entry, name: outName, outdir: '/virtual/out' }),
  write: false,
  metafile: true,
  logLevel: 'error',
});
const outputs = r.metafile.outputs;
const roots = [Object.keys(outputs).find((k) => k.endsWith(`/${outName}.js`))];
if (kind === 'cli') {
  const command = Object.keys(outputs).find((k) =>
    Object.keys(outputs[k].inputs).some((i) => i.endsWith(join('cli/commands', `${name}.ts`))),
  );
  if (!command) throw new Error(`no chunk holds src/cli/commands/${name}.ts`);
  roots.push(command);
}
const seen = new Set();
const stack = [...roots];
while (stack.length > 0) {
  const file = stack.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  for (const i of outputs[file].imports)
    if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
}
const byPackage = {};
let total = 0;
for (const file of seen) {
  total += outputs[file].bytes;
  for (const [input, v] of Object.entries(outputs[file].inputs)) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m ? m[1] : input;
    byPackage[key] = (byPackage[key] ?? 0) + v.bytesInOutput;
  }
}
console.log(`${kind} ${name}: ${total} bytes in ${seen.size} files before its first dynamic import`);
for (const [k, v] of Object.entries(byPackage)
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(top)))
  console.log(`${String(v).padStart(9)}  ${k}`);
