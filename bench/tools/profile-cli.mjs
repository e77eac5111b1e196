#!/usr/bin/env node
/**
 * Diagnostic, not part of `npm run bench`: where the stepback CLI or an action bundle spends its CPU. Builds
 * it unminified (scripts/build.mjs's options otherwise: the CLI's per-command files, the actions' shared chunks)
 * into a temp dir, runs it under `--cpu-prof`, and prints self time per source module (package, or file
 * under src/), using esbuild's `// path` markers in the unminified output. CPU samples, so other load on
 * the machine skews it less than wall time. Nothing in the repository is written.
 *
 *   DATABASE_URL=… node bench/tools/profile-cli.mjs up --dir /tmp/x/sql
 *   node bench/tools/profile-cli.mjs --action deploy     # Node 24, inputs and env as the bundle bench sets
 *                                                        # them; a loopback server answers every request 400
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { actionEntries, bundleOptions, cliBuildOptions, markType, walk } from '../../scripts/build.mjs';
import { actionInputs, node24Path, runnerEnv } from '../sections/bundles.mjs';

const args = process.argv.slice(2);
const action = args[0] === '--action' ? args[1] : undefined;
const dir = mkdtempSync(join(tmpdir(), 'stepback-profile-'));
const outdir = join(dir, 'out');
let server;
try {
  // An action is built as it ships: all actions together, so it loads the chunks they share.
  const name = action ?? 'cli';
  const builds = action
    ? [bundleOptions({ entries: actionEntries(), outdir, minify: false })]
    : cliBuildOptions({ outdir, minify: false });
  await Promise.all(builds.map((options) => esbuild.build({ ...options, logLevel: 'error' })));
  // Line → module for every output file, from esbuild's `// node_modules/x/y.js` / `// src/a/b.ts` comments.
  const moduleAt = new Map();
  for (const file of walk(outdir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = [];
    let current = '(bundle preamble)';
    for (let i = 0; i < lines.length; i++) {
      const m = lines[i].match(/^\/\/ ((?:node_modules|src|actions)\/\S+)$/);
      if (m) {
        const pkg = m[1].match(/^node_modules\/((?:@[^/]+\/)?[^/]+)/);
        current = pkg ? pkg[1] : m[1];
      }
      at[i] = current;
    }
    moduleAt.set(`file://${file}`, at);
  }
  // As the build marks dist/: without it Node would first have to detect each file's module format.
  markType(outdir, action ? 'module' : 'commonjs');
  let env = { ...process.env };
  let node = process.execPath;
  let runArgs = args;
  if (action) {
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{"__type":"ProfileStop","message":"profile: request refused"}');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    env = { ...runnerEnv(dir, `http://127.0.0.1:${server.address().port}`), ...actionInputs(action) };
    node = node24Path();
    runArgs = [];
  }
  delete env.NODE_EXTRA_CA_CERTS;
  const t0 = Date.now();
  // Asynchronous: the loopback server in this process must keep answering while the child runs.
  const child = await new Promise((resolve) => {
    const c = spawn(node, ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(outdir, `${name}.js`), ...runArgs], {
      env,
      cwd: env.GITHUB_WORKSPACE ?? process.cwd(),
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const wall = Date.now() - t0;
  console.log(
    `exit ${child.status}, wall ${wall} ms; last output: ${(child.stderr || child.stdout).trim().split('\n').pop()}`,
  );
  const profFile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, profFile), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const moduleOf = (f) =>
    moduleAt.has(f.url)
      ? (moduleAt.get(f.url)[f.lineNumber] ?? '?')
      : f.url
        ? `node:${f.url.replace(/^node:/, '')}`
        : f.functionName || '(native)';
  const byModule = new Map();
  const byFunction = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const f = byId.get(prof.samples[i]).callFrame;
    const dt = prof.timeDeltas[i] / 1000;
    total += dt;
    const key = moduleOf(f);
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
      if (!moduleOf(node.callFrame).includes(pattern)) continue;
      const chain = [];
      while (node && chain.length < 4) {
        if (moduleAt.has(node.callFrame.url)) {
          chain.push(`${node.callFrame.functionName || '(anonymous)'} [${moduleOf(node.callFrame)}]`);
        }
        node = byId.get(parent.get(node.id));
      }
      const key = chain.join(' < ') || '(no bundle frame)';
      chains.set(key, (chains.get(key) ?? 0) + prof.timeDeltas[i] / 1000);
    }
    show(`callers of ${pattern}`, chains, 10);
  }
} finally {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}
