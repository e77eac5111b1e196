/**
 * The linux-x64 executable inside a minimal Debian root (`debootstrap --variant=minbase`, no Node in it), run
 * with chroot: proof that it needs nothing from the image but glibc and libstdc++. The root is cached
 * (executables.ts); each run works in a folder of its own inside it and removes it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allowSlowProcesses, root as repo } from '../cli/cli.ts';
import { databasesForThisFile, withClient } from '../support/pg.ts';
import {
  asRoot,
  canBeRoot,
  debianRoot,
  describeWith,
  executables,
  missingPrerequisite,
  onPath,
} from './executables.ts';

allowSlowProcesses();
const freshDb = databasesForThisFile();

const missing = missingPrerequisite([
  ['root or passwordless sudo (debootstrap and chroot need it)', canBeRoot],
  ['debootstrap (Debian package debootstrap)', () => onPath('debootstrap')],
  ['chroot', () => onPath('chroot')],
  ['an x86_64 machine', () => process.arch === 'x64'],
]);

describeWith(missing, 'the linux-x64 executable in a minimal Debian root without Node', () => {
  let debian: string;
  let jail: string;
  /** The same folder as chroot sees it. */
  let inside: string;
  beforeAll(() => {
    debian = debianRoot('amd64');
    const exe = executables()['linux-x64'];
    jail = mkdtempSync(join(debian, 'tmp', 'stepback-test-'));
    inside = jail.slice(debian.length);
    copyFileSync(exe, join(jail, 'stepback'));
    chmodSync(join(jail, 'stepback'), 0o755);
    cpSync(join(repo, 'test/fixtures/layouts/migrations'), join(jail, 'migrations'), { recursive: true });
  }, 900_000);
  afterAll(() => {
    if (jail) rmSync(jail, { recursive: true, force: true });
  });

  /** Runs `args` inside the root with nothing but `env`. */
  const chroot = (args: string[], env: Record<string, string> = {}) => {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const [cmd, ...rest] = asRoot(['chroot', debian, '/usr/bin/env', '-i', ...vars, ...args]);
    return spawnSync(cmd!, rest, { encoding: 'utf8' });
  };

  it('is a root without node', () => {
    for (const dir of ['usr/bin', 'usr/local/bin', 'bin', 'usr/sbin'])
      for (const name of ['node', 'nodejs']) expect(existsSync(join(debian, dir, name))).toBe(false);
    const which = chroot(['/bin/sh', '-c', 'command -v node'], { PATH: '/usr/local/bin:/usr/bin:/bin' });
    expect(which.status).not.toBe(0);
  });

  it('links only against glibc, libstdc++ and libgcc', () => {
    const ldd = chroot(['/usr/bin/ldd', `${inside}/stepback`]);
    expect(ldd.status, ldd.stderr).toBe(0);
    const libraries = [...ldd.stdout.matchAll(/^\s*(\S+)/gm)].map((m) => m[1]!.replace(/.*\//, ''));
    expect(libraries.length).toBeGreaterThan(0);
    const allowed =
      /^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s)\.so\.\d+)$/;
    expect(libraries.filter((lib) => !allowed.test(lib))).toEqual([]);
    expect(ldd.stdout).not.toMatch(/not found/);
  });

  it('prints its version', () => {
    const version = chroot([`${inside}/stepback`, '--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(
      /\(executable, commit [0-9a-f]{12}(\+dirty)?, Node v24\.\d+\.\d+, linux-x64\)/,
    );
  });

  it('applies the migrations and reports their status against the real PostgreSQL', async () => {
    const db = await freshDb('exe_chroot');
    const env = { DATABASE_URL: db.url, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const up = chroot([`${inside}/stepback`, '--dir', `${inside}/migrations`, 'up', '--release', 'v1'], env);
    expect(up.status, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/done: 6 applied/);
    const status = chroot([`${inside}/stepback`, '--dir', `${inside}/migrations`, 'status', '--json'], env);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ pending: [], unknownApplied: [] });
    for (const out of [up.stdout, up.stderr, status.stdout, status.stderr])
      expect(out).not.toContain(db.password);
    await withClient(db.url, async (c) => {
      expect((await c.query('select title from posts')).rows).toEqual([{ title: 'hello from ts' }]);
    });
  });
});
