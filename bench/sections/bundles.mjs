/**
 * Each committed action bundle (`actions/dist/<name>.js`, beside the chunks all five share): its size (bytes,
 * gzip -9) — the entry, what it loads at start (the entry and the chunks it imports statically), and all of
 * `actions/dist/` — and its cold start under
 * Node 24 (the Actions runtime): the time from spawn until a loopback HTTP server standing in for AWS (and
 * GitHub) receives the bundle's first request. The child runs the way the runner runs it: `INPUT_*` variables
 * (defaults from action.yml filled in, as the runner does), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, dummy
 * credentials, AWS_ENDPOINT_URL pointing at the server, and no NODE_EXTRA_CA_CERTS. The child is killed as
 * soon as the request arrives. Bundles and a baseline (a script that only makes one HTTP request) run
 * interleaved, one of each per round, so machine noise spreads evenly.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { walk } from '../../scripts/build.mjs';
import { nowMs, summarize, tail } from '../lib/util.mjs';

const root = join(import.meta.dirname, '../..');

export function node24Path() {
  const candidates = [
    process.env.STEPBACK_NODE24,
    join(root, 'node_modules/.cache/stepback-node24/node_modules/node/bin/node'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

/**
 * Inputs set the way a typical workflow sets them (ECS executor, an S3 store); every other input gets its
 * action.yml default, as the runner does, or a guess by name when it has none.
 */
const WORKFLOW_INPUTS = {
  release: 'v1.1.0',
  'to-release': 'v1.0.0',
  'from-release': 'v1.1.0',
  'task-definition': 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:42',
  cluster: 'bench-cluster',
  service: 'app',
  container: 'app',
  subnets: 'subnet-0123456789abcdef0',
  'security-groups': 'sg-0123456789abcdef0',
  store: 's3://bench-manifests/releases',
  image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${'b'.repeat(64)}`,
};
const INPUT_GUESSES = [
  [/token/, 'ghs_benchtoken'],
  [/dir|path/, 'migrations'],
  [/timeout/, '30'],
  [/.*/, 'bench'],
];

/** Static imports of a bundle file (`import … from "./x.js"`, `import "./x.js"`), never `import("./x.js")`. */
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+)["']/g;

/** The entry and every file it imports statically, transitively: what Node reads before the action runs. */
function loadedAtStart(entry) {
  const seen = new Set();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT))
      stack.push(resolve(dirname(file), spec));
  }
  return [...seen];
}

const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;

function sizes(entry) {
  const start = loadedAtStart(entry);
  return {
    entryBytes: statSync(entry).size,
    entryGzipBytes: gz(entry),
    startBytes: start.reduce((s, f) => s + statSync(f).size, 0),
    startGzipBytes: start.reduce((s, f) => s + gz(f), 0),
    startFiles: start.length,
  };
}

/** All of `actions/dist/`, what the repository (and every checkout of an action) holds. */
function distSizes(distDir) {
  const files = walk(distDir).filter((f) => /\.(m?js|cjs|wasm)$/.test(f));
  return {
    totalBytes: files.reduce((s, f) => s + statSync(f).size, 0),
    totalGzipBytes: files.reduce((s, f) => s + gz(f), 0),
    files: files.length,
  };
}

export function actionInputs(name) {
  const file = ['action.yml', 'action.yaml'].map((f) => join(root, 'actions', name, f)).find(existsSync);
  const inputs = file ? (parseYaml(readFileSync(file, 'utf8'))?.inputs ?? {}) : {};
  const env = {};
  for (const [input, spec] of Object.entries(inputs)) {
    let value = WORKFLOW_INPUTS[input] ?? spec?.default;
    if (typeof value === 'string' && value.includes('${{')) {
      value = /token/.test(value) ? 'ghs_benchtoken' : /repository/.test(value) ? 'org/app' : 'bench';
    }
    if (value === undefined || value === null) value = INPUT_GUESSES.find(([re]) => re.test(input))[1];
    env[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = String(value);
  }
  return env;
}

export function runnerEnv(workdir, serverUrl) {
  mkdirSync(join(workdir, 'workspace/migrations'), { recursive: true });
  writeFileSync(join(workdir, 'workspace/migrations/0001_init.up.sql'), 'CREATE TABLE t (id int);\n');
  writeFileSync(join(workdir, 'workspace/migrations/0001_init.down.sql'), 'DROP TABLE t;\n');
  const files = {};
  for (const f of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH']) {
    files[f] = join(workdir, f.toLowerCase());
    writeFileSync(files[f], '');
  }
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? workdir,
    RUNNER_TEMP: workdir,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: join(workdir, 'workspace'),
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: 'refs/tags/v1.1.0',
    GITHUB_RUN_ID: '1234',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'bench',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_API_URL: serverUrl,
    GITHUB_SERVER_URL: serverUrl,
    GITHUB_TOKEN: 'ghs_benchtoken',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: serverUrl,
    AWS_ENDPOINT_URL_ECS: serverUrl,
    AWS_ENDPOINT_URL_CODEBUILD: serverUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: serverUrl,
    AWS_ENDPOINT_URL_S3: serverUrl,
    ...files,
  };
}

/** A loopback server that resolves the pending wait on the first request of each run. */
async function startFirstRequestServer() {
  let pending;
  const server = http.createServer((req, res) => {
    const at = nowMs();
    if (pending) {
      const p = pending;
      pending = undefined;
      const cpuMs = api.onFirst?.();
      p({ at, cpuMs, method: req.method, url: req.url, target: req.headers['x-amz-target'] ?? null });
    }
    req.resume();
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end('{"__type":"BenchmarkStop","message":"benchmark: first request received"}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const api = {
    onFirst: undefined,
    url: `http://127.0.0.1:${server.address().port}`,
    next: () =>
      new Promise((resolve) => {
        pending = resolve;
      }),
    cancel: () => {
      pending = undefined;
    },
    close: () => new Promise((r) => server.close(r)),
  };
  return api;
}

/** CPU time (user + system) a live process has used so far, from /proc (10 ms ticks); undefined elsewhere. */
function cpuSoFar(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function coldStart(node, entry, env, server) {
  const firstRequest = server.next();
  const start = nowMs();
  const child = spawn(node, [entry], { env, cwd: env.GITHUB_WORKSPACE, stdio: ['ignore', 'pipe', 'pipe'] });
  server.onFirst = () => cpuSoFar(child.pid);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.on('close', (code) => r({ exited: true, code })));
  const timeout = new Promise((r) => setTimeout(() => r({ timedOut: true }), 15_000).unref());
  const first = await Promise.race([firstRequest, exited, timeout]);
  child.kill('SIGKILL');
  await exited;
  server.cancel();
  // An action that does its work without any AWS or GitHub call (e.g. one that runs locally): its cold start
  // is the time to a successful exit.
  if (first.exited && first.code === 0)
    return { ms: nowMs() - start, request: '(none: exited 0 without a request)' };
  if (first.exited) return { error: `exited ${first.code} before any request: ${tail(output, 3)}` };
  if (first.timedOut) return { error: `no request within 15 s: ${tail(output, 3)}` };
  return {
    ms: first.at - start,
    cpuMs: first.cpuMs,
    request: first.target ?? `${first.method} ${first.url}`,
  };
}

export async function benchBundles({ tmp, runs, log }) {
  const node = node24Path();
  const actionsDir = join(root, 'actions');
  const distDir = join(actionsDir, 'dist');
  // An action is a folder with an action.yml; dist/ holds their bundles.
  const names = existsSync(actionsDir)
    ? readdirSync(actionsDir).filter((n) => existsSync(join(actionsDir, n, 'action.yml')))
    : [];
  if (names.length === 0) return { notMeasured: 'no actions under actions/ yet' };
  const bundles = {};
  for (const name of names) {
    const entry = join(distDir, `${name}.js`);
    bundles[name] = existsSync(entry)
      ? { entry: relative(root, entry), sizes: sizes(entry), starts: [], cpu: [], requests: {} }
      : { notMeasured: `actions/dist/${name}.js is not built yet` };
  }
  const dist = existsSync(distDir) ? distSizes(distDir) : undefined;
  if (!node) {
    for (const b of Object.values(bundles)) b.coldStart = { notMeasured: 'Node 24 is not installed' };
    return { node: null, runs, dist, bundles };
  }
  const server = await startFirstRequestServer();
  const baselineFile = join(tmp, 'baseline-request.mjs');
  writeFileSync(
    baselineFile,
    "import http from 'node:http';\nhttp.request(process.env.AWS_ENDPOINT_URL, { method: 'POST' }).end('{}');\n",
  );
  const baseline = { starts: [], cpu: [], errors: [] };
  try {
    const runnable = Object.entries(bundles).filter(([, b]) => !b.notMeasured);
    for (let round = 0; round < runs; round++) {
      const b = await coldStart(node, baselineFile, runnerEnv(join(tmp, 'baseline'), server.url), server);
      if (b.ms !== undefined) {
        baseline.starts.push(b.ms);
        if (b.cpuMs !== undefined) baseline.cpu.push(b.cpuMs);
      } else baseline.errors.push(b.error);
      for (const [name, bundle] of runnable) {
        if (bundle.error) continue;
        const workdir = join(tmp, `action-${name}`);
        const env = { ...runnerEnv(workdir, server.url), ...actionInputs(name) };
        const r = await coldStart(node, join(root, bundle.entry), env, server);
        if (r.error) {
          bundle.error = r.error;
          log(`  ${name}: ${r.error}`);
          continue;
        }
        bundle.starts.push(r.ms);
        if (r.cpuMs !== undefined) bundle.cpu.push(r.cpuMs);
        bundle.requests[r.request] = (bundle.requests[r.request] ?? 0) + 1;
      }
    }
  } finally {
    await server.close();
  }
  for (const [name, bundle] of Object.entries(bundles)) {
    if (bundle.notMeasured) continue;
    bundle.coldStart =
      bundle.starts.length > 0 && !bundle.error
        ? summarize(bundle.starts)
        : { notMeasured: bundle.error ?? 'no runs' };
    if (bundle.cpu.length) bundle.cpuToFirstRequest = summarize(bundle.cpu);
    delete bundle.starts;
    delete bundle.cpu;
    log(`  ${name}: ${JSON.stringify(bundle.coldStart)} first request ${JSON.stringify(bundle.requests)}`);
  }
  const baselineStats = baseline.starts.length
    ? summarize(baseline.starts)
    : { notMeasured: baseline.errors[0] };
  if (baseline.cpu.length) baselineStats.cpuToFirstRequest = summarize(baseline.cpu);
  log(`  baseline (node24, one http request): ${JSON.stringify(baselineStats)}`);
  return { node: node24Path(), runs, baseline: baselineStats, dist, bundles };
}
