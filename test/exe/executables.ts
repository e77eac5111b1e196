/**
 * The standalone executables for the tests, built by scripts/build-binary.mjs into node_modules/.cache (never
 * committed) and reused while their inputs are unchanged. Test files run in parallel workers, so the build
 * runs under flock: the first file builds, the others wait and reuse it.
 *
 * The executable tests need things outside npm (debootstrap, chroot, qemu-user-static with arm64 libraries;
 * .ci/run installs them). Missing ones fail the run under STEPBACK_REQUIRE_DATABASE=1 (CI), and skip the file
 * with the reason elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { root } from '../cli/cli.ts';

export const cacheDir = join(root, 'node_modules/.cache/stepback-exe');
export const buildScript = join(root, 'scripts/build-binary.mjs');
export const pinnedInputs = JSON.parse(readFileSync(join(root, 'exe/inputs.json'), 'utf8')) as {
  node: string;
  targets: Record<string, { package: string; integrity: string; binarySha256: string }>;
};

export interface Built {
  'linux-x64': string;
  'linux-arm64': string;
  dir: string;
  /** SHA256SUMS as written by the build. */
  sums: string;
}

let built: Built | undefined;

/** Both executables, current for the working tree. */
export function executables(): Built {
  if (built) return built;
  const dir = join(cacheDir, 'test-build');
  execFileSync(
    'flock',
    [join(tmpdir(), 'stepback-exe-test-build.lock'), process.execPath, buildScript, '--out', dir, '--reuse'],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: root },
  );
  built = {
    'linux-x64': join(dir, 'stepback-linux-x64'),
    'linux-arm64': join(dir, 'stepback-linux-arm64'),
    dir,
    sums: readFileSync(join(dir, 'SHA256SUMS'), 'utf8'),
  };
  return built;
}

/** An empty directory as the whole PATH: no `node`, `npx` or anything else can be found. */
export function pathWithoutNode(): string {
  return mkdtempSync(join(tmpdir(), 'stepback-empty-path-'));
}

/** The first of `checks` that fails, as the reason; undefined when all hold. */
export function missingPrerequisite(checks: [string, () => boolean][]): string | undefined {
  for (const [what, holds] of checks) if (!holds()) return what;
  return undefined;
}

/**
 * `describe`, or — when `missing` names a prerequisite that is absent — a failure under
 * STEPBACK_REQUIRE_DATABASE (CI never skips) and a skip elsewhere.
 */
export function describeWith(missing: string | undefined, name: string, body: () => void): void {
  if (!missing) describe(name, body);
  else if (process.env.STEPBACK_REQUIRE_DATABASE)
    describe(name, () => {
      throw new Error(`${name}: ${missing} (.ci/run installs it)`);
    });
  else describe.skip(`${name} (skipped: ${missing})`, body);
}
