/**
 * The executables are reproducible (a second build from the same inputs is byte-identical to the first, so
 * anyone can rebuild a release from its tag and compare sha256 sums), and made only from the pinned inputs
 * (a cached base binary that differs from its pinned sha256 is refused, not shipped).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowSlowProcesses, root } from '../cli/cli.ts';
import { buildScript, cacheDir, executables, pinnedInputs } from './executables.ts';

allowSlowProcesses();
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `stepback-exe-${label}-`));
  scratch.push(dir);
  return dir;
};
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const build = (args: string[]) =>
  spawnSync(process.execPath, [buildScript, ...args], { cwd: root, encoding: 'utf8' });

describe('building the executables', () => {
  let first: ReturnType<typeof executables>;
  let out: string;
  let again: ReturnType<typeof build>;
  // Two whole builds (the first one may be cached): minutes on a loaded 2-core machine.
  beforeAll(() => {
    first = executables();
    out = tempDir('again');
    again = build(['--out', out]);
  }, 900_000);

  it('gives byte-identical executables when built again from the same inputs', () => {
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toBe(first.sums);
    for (const target of ['linux-x64', 'linux-arm64'] as const) {
      const name = `stepback-${target}`;
      expect(sha256(join(out, name))).toBe(sha256(first[target]));
      expect(first.sums).toContain(`${sha256(first[target])}  ${name}\n`);
    }
  });

  it('refuses a cached Node binary that is not the pinned one', () => {
    const pin = pinnedInputs.targets['linux-x64']!;
    const pristine = join(cacheDir, 'base', `${pin.package}-${pinnedInputs.node}`, 'node');
    const cache = tempDir('tampered-cache');
    const copy = join(cache, 'base', `${pin.package}-${pinnedInputs.node}`, 'node');
    mkdirSync(join(copy, '..'), { recursive: true });
    copyFileSync(pristine, copy);
    const fd = openSync(copy, 'r+');
    writeSync(fd, Buffer.from('stepback'), 0, 8, 4096);
    closeSync(fd);
    const out = tempDir('tampered-out');
    const result = build(['--cache', cache, '--out', out, '--target', 'linux-x64']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`is not the pinned ${pin.binarySha256}`);
    expect(readdirSync(out)).toEqual([]);
  });
});
