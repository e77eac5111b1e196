import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.ts';
import { checksumOf } from '../../src/core/checksum.ts';
import { RefusedError } from '../../src/core/errors.ts';
import {
  buildSourceBundle,
  bundleMismatches,
  readSourceBundle,
  serializeSourceBundle,
  sourceBundleDigest,
} from '../../src/core/source-bundle.ts';
import type { AppliedMigration } from '../../src/core/status.ts';
import { decideSync } from '../../src/core/sync-decision.ts';
import { manifest } from './helpers.ts';

const file = (path: string, text: string) => ({ path, bytes: Buffer.from(text) });

function refusal(fn: () => unknown): RefusedError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    return error as RefusedError;
  }
  throw new Error('expected a refusal');
}

describe('source bundle', () => {
  it('is the same bytes whatever order the files were read in', () => {
    const a = buildSourceBundle(
      'v1',
      'stepback',
      [file('0002_b.up.sql', 'b'), file('0001_a.up.sql', 'a')],
      ['0003_c'],
    );
    const b = buildSourceBundle(
      'v1',
      'stepback',
      [file('0001_a.up.sql', 'a'), file('0002_b.up.sql', 'b')],
      ['0003_c'],
    );
    expect(serializeSourceBundle(a).equals(serializeSourceBundle(b))).toBe(true);
    expect(a.files.map((f) => f.path)).toEqual(['0001_a.up.sql', '0002_b.up.sql']);
  });

  it('keeps bytes that are not UTF-8 exactly (base64), and reads them back with their checksum', () => {
    const latin1 = Buffer.from([0x2d, 0x2d, 0x20, 0xe9, 0x0a]);
    const bundle = buildSourceBundle('v1', 'stepback', [{ path: '0001_a.up.sql', bytes: latin1 }], []);
    expect(bundle.files[0]).toMatchObject({ encoding: 'base64', checksum: checksumOf(latin1) });
    const bytes = serializeSourceBundle(bundle);
    const read = readSourceBundle(bytes, sourceBundleDigest(bytes), 'v1', 'test');
    expect(read.files[0]!.bytes.equals(latin1)).toBe(true);
  });

  it('refuses bytes whose digest is not the one the manifest records', () => {
    const bytes = serializeSourceBundle(
      buildSourceBundle('v1', 'stepback', [file('0001_a.up.sql', 'a')], []),
    );
    const digest = sourceBundleDigest(bytes);
    const changed = Buffer.from(bytes.toString('utf8').replace('"a"', '"b"'));
    const error = refusal(() => readSourceBundle(changed, digest, 'v1', 'store'));
    expect(error.problems[0]).toContain(`the manifest of v1 records ${digest}`);
  });

  it('refuses a file whose content does not match the checksum beside it, a path that escapes, and the wrong release', () => {
    const doc = {
      format: 'stepback/sources@1',
      release: 'v2',
      layout: 'stepback',
      needsImage: [],
      files: [
        { path: '0001_a.up.sql', checksum: checksumOf('a'), encoding: 'utf8', content: 'A' },
        { path: '../etc/passwd', checksum: checksumOf('x'), encoding: 'utf8', content: 'x' },
      ],
    };
    const bytes = Buffer.from(canonicalJson(doc));
    const error = refusal(() => readSourceBundle(bytes, sourceBundleDigest(bytes), 'v1', 'store'));
    expect(error.problems).toEqual([
      'it is the bundle of release "v2", not v1',
      `0001_a.up.sql: its content hashes to ${checksumOf('A')}, the bundle records ${checksumOf('a')}`,
      'files[1] path "../etc/passwd" is has an empty, "." or ".." part',
    ]);
  });

  it('holds the migrations read back against the manifest: missing, changed, extra and code migrations', () => {
    const m = manifest('v1', ['0001_a', '0002_b', '0003_c']).migrations;
    expect(bundleMismatches(m, m, [])).toEqual([]);
    expect(bundleMismatches(m, m.slice(0, 2), ['0003_c'])).toEqual([]);
    const changed = [{ ...m[0]!, downChecksum: checksumOf('other') }, m[1]!];
    const extra = { ...m[0]!, name: '0009_z' };
    expect(bundleMismatches(m, [...changed, extra], [])).toEqual([
      `0001_a: the bundle's down source is ${checksumOf('other')}, the manifest records ${m[0]!.downChecksum}`,
      '0003_c is in the manifest but its files are not in the bundle',
      '0009_z is in the bundle but not in the manifest',
    ]);
  });
});

describe('decideSync', () => {
  const row = (name: string, order: number, release: string | null): AppliedMigration => ({
    name,
    order,
    checksum: checksumOf(name),
    downChecksum: checksumOf(`${name} down`),
    reversible: true,
    transactional: true,
    release,
    runId: null,
    actor: null,
    runnerVersion: '0.1.0',
    appliedAt: '2026-12-01T00:00:00Z',
    durationMs: 1,
  });
  const v2 = manifest('v2', ['0001_a', '0002_b']);

  it('does nothing at the release, applies what it adds, and rolls back from the release that applied the newest migration', () => {
    expect(decideSync([row('0001_a', 1, 'v1'), row('0002_b', 2, 'v2')], v2)).toEqual({ kind: 'none' });
    expect(decideSync([row('0001_a', 1, 'v1')], v2)).toEqual({ kind: 'up', pending: ['0002_b'] });
    expect(
      decideSync(
        [row('0001_a', 1, 'v1'), row('0002_b', 2, 'v2'), row('0003_c', 3, 'v3'), row('0004_d', 4, 'v4')],
        v2,
      ),
    ).toEqual({ kind: 'down', newerRelease: 'v4', beyond: ['0003_c', '0004_d'] });
  });

  it('refuses when the newest migration beyond the release has no release name, or names the target', () => {
    const noName = decideSync([row('0001_a', 1, 'v1'), row('0003_c', 2, null)], v2);
    expect(noName.kind).toBe('refused');
    const self = decideSync([row('0001_a', 1, 'v1'), row('0003_c', 2, 'v2')], v2);
    expect(self).toMatchObject({ kind: 'refused', reasons: [expect.stringContaining('disagree')] });
  });
});
