/**
 * The standalone executables for the tests, built by scripts/build-binary.mjs into node_modules/.cache (never
 * committed) and reused while their inputs are unchanged. Test files run in parallel workers, so the build
 * runs under flock: the first file builds, the others wait and reuse it.
 *
 * The executable tests need things outside npm (debootstrap, chroot, qemu-user-static; .ci/run installs them)
 * and minimal Debian roots, made by debootstrap once per suite and architecture and kept outside the
 * repository (STEPBACK_TEST_ROOTS, default /var/cache/stepback-test; a few minutes to make, then reused).
 * A missing prerequisite fails the run under STEPBACK_REQUIRE_DATABASE=1 (CI) and skips the file elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

const SUITE = 'bookworm';
const roots = process.env.STEPBACK_TEST_ROOTS ?? '/var/cache/stepback-test';
const isRoot = process.getuid?.() === 0;

/** `args` as root: as they are when the tests run as root, else through passwordless sudo (a GitHub runner). */
export const asRoot = (args: string[]): string[] => (isRoot ? args : ['sudo', '-n', ...args]);
export const canBeRoot = (): boolean => isRoot || spawnSync('sudo', ['-n', 'true']).status === 0;
export const onPath = (cmd: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/**
 * A minimal Debian root (`debootstrap --variant=minbase`), made on first use under a lock: built beside its
 * final place and renamed when complete, so a killed run leaves only a partial folder, removed by the next.
 * amd64 is a whole system to chroot into; arm64 is only unpacked (`--foreign`, its first stage): the arm64
 * glibc and libstdc++ for qemu's -L, without changing the host's architectures.
 */
export function debianRoot(arch: 'amd64' | 'arm64'): string {
  const dir = join(roots, `debian-${SUITE}-minbase-${arch === 'amd64' ? 'amd64' : 'arm64-unpacked'}`);
  if (existsSync(join(dir, 'etc/debian_version'))) return dir;
  const options = arch === 'amd64' ? '--variant=minbase' : '--variant=minbase --arch=arm64 --foreign';
  // $1 root, $2 suite, $3 debootstrap options, $4 mirror (empty: debootstrap's default Debian mirror).
  const script = `set -e
mkdir -p "$(dirname "$1")"
exec 9>"$1.lock"
flock 9
[ -e "$1/etc/debian_version" ] && exit 0
rm -rf "$1".partial-*
partial="$1.partial-$$"
debootstrap $3 "$2" "$partial" \${4:+"$4"} >"$partial.log" 2>&1 || { tail -20 "$partial.log" >&2; exit 1; }
rm -f "$partial.log"
mv "$partial" "$1"`;
  const mirror = process.env.STEPBACK_DEBIAN_MIRROR ?? '';
  const [cmd, ...args] = asRoot(['sh', '-c', script, 'sh', dir, SUITE, options, mirror]);
  execFileSync(cmd!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return dir;
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
