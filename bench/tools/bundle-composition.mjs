#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: what a bundle loads before it does anything. Re-bundles as
 * scripts/build.mjs does, in memory, and prints bytes per package of what the start path reads:
 *   cli <command>    dist/cli.js and commands/<command>.js, the two files a run of that command loads (all of
 *                    it parsed at start; a module behind a dynamic import is evaluated only when reached);
 *   action <name>    the action's entry and the chunks it imports statically, from the one build of every
 *                    action that ships (chunks reached only through a dynamic import load later, on demand).
 *
 *   node bench/tools/bundle-composition.mjs cli up
 *   node bench/tools/bundle-composition.mjs action deploy
 */
import * as esbuild from 'esbuild';
import { actionEntries, bundleOptions, cliBuildOptions } from '../../scripts/build.mjs';

const [kind, name, top = '25'] = process.argv.slice(2);
if (!['cli', 'action'].includes(kind) || !name) {
  console.error('usage: bundle-composition.mjs cli <command> | action <name> [top]');
  process.exit(2);
}
const builds =
  kind === 'cli'
    ? cliBuildOptions({ outdir: '/virtual/out' }).filter((o) =>
        /\/(cli|commands\/[^/]+)\.js$/.test(o.outfile),
      )
    : [bundleOptions({ entries: actionEntries(), outdir: '/virtual/out' })];
const wanted = kind === 'cli' ? ['/cli.js', `/commands/${name}.js`] : [`/out/${name}.js`];
const outputs = {};
for (const options of builds) {
  const r = await esbuild.build({ ...options, write: false, metafile: true, logLevel: 'error' });
  Object.assign(outputs, r.metafile.outputs);
}
const roots = Object.keys(outputs).filter((k) => wanted.some((w) => k.endsWith(w)));
if (roots.length !== wanted.length) throw new Error(`no bundle for ${kind} ${name}`);
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
console.log(`${kind} ${name}: ${total} bytes in ${seen.size} files at start`);
for (const [k, v] of Object.entries(byPackage)
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(top)))
  console.log(`${String(v).padStart(9)}  ${k}`);
