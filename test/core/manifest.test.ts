import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.ts';
import { UsageError } from '../../src/core/errors.ts';
import { parseManifest } from '../../src/core/manifest-schema.ts';
import {
  buildManifest,
  manifestDigest,
  manifestEngine,
  manifestIdentity,
} from '../../src/core/release-manifest.ts';
import { manifest, migration, sha } from './helpers.ts';

function problemsOf(input: unknown): string[] {
  try {
    parseManifest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).problems;
  }
  throw new Error('parseManifest accepted the input');
}

function valid(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(manifest('v1.4.0', ['0001_a', '0002_b', '0003_c', '0004_d']))) as Record<
    string,
    unknown
  >;
}

describe('parseManifest', () => {
  it('accepts what buildManifest writes, with every optional field', () => {
    const m = {
      ...valid(),
      source: { repository: 'org/app', commit: 'a'.repeat(40) },
      image: '123.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:' + 'b'.repeat(64),
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/app:42',
      taskDefinition: { family: 'app' },
    };
    expect(parseManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
  });

  const cases: [string, (m: Record<string, unknown>) => void, string][] = [
    [
      'unknown format',
      (m) => (m.format = 'stepback/manifest@3'),
      'format: unknown format "stepback/manifest@3"',
    ],
    ['missing format', (m) => delete m.format, 'format: is missing'],
    ['missing engine', (m) => delete m.engine, 'engine: is missing'],
    ['engine not a name', (m) => (m.engine = 'Django 3'), 'engine: must be an engine name'],
    [
      'a dependency listed later',
      (m) => (mig(m, 1).dependencies = ['0003_c']),
      'migrations[1].dependencies: 0003_c is not listed before 0002_b',
    ],
    [
      'a dependency not listed at all',
      (m) => (mig(m, 1).dependencies = ['auth.0001_initial']),
      'migrations[1].dependencies: auth.0001_initial is not listed before',
    ],
    [
      'a squash whose replaced migration is listed too',
      (m) => (mig(m, 3).replaces = ['0001_a']),
      'migrations[3].replaces: 0001_a is listed as a migration too',
    ],
    [
      'a target that is not listed',
      (m) => (m.targets = { shop: '0009_z' }),
      'targets.shop: 0009_z is not one',
    ],
    [
      'a stepback/manifest@1 document with an engine',
      (m) => (m.format = 'stepback/manifest@1'),
      'engine: unknown field',
    ],
    ['missing release', (m) => delete m.release, 'release: is missing'],
    ['release with a space', (m) => (m.release = 'v 1'), 'release: "v 1" is not a release name'],
    ['missing createdAt', (m) => delete m.createdAt, 'createdAt: is missing'],
    ['createdAt not ISO', (m) => (m.createdAt = 'yesterday'), 'createdAt: must be an ISO 8601'],
    ['missing migrations', (m) => delete m.migrations, 'migrations: is missing'],
    ['unknown top-level field', (m) => (m.relase = 'x'), 'relase: unknown field'],
    [
      'short commit',
      (m) => (m.source = { repository: 'o/r', commit: 'abc' }),
      'source.commit: must be a full',
    ],
    ['bad task definition ARN', (m) => (m.taskDefinitionArn = 'app:42'), 'taskDefinitionArn: must be an ECS'],
    ['missing migration name', (m) => delete mig(m, 2).name, 'migrations[2].name: is missing'],
    [
      'uppercase checksum',
      (m) => (mig(m, 3).checksum = sha('x').toUpperCase()),
      'migrations[3].checksum: must be "sha256:"',
    ],
    [
      'checksum without prefix',
      (m) => (mig(m, 3).checksum = 'a'.repeat(64)),
      'migrations[3].checksum: must be "sha256:"',
    ],
    [
      'short downChecksum',
      (m) => (mig(m, 1).downChecksum = 'sha256:abc'),
      'migrations[1].downChecksum: must be "sha256:"',
    ],
    [
      'reversible without down',
      (m) => (mig(m, 1).downChecksum = null),
      'migrations[1].downChecksum: is null but',
    ],
    [
      'irreversible with down',
      (m) => (mig(m, 0).reversible = false),
      'migrations[0].downChecksum: must be null because',
    ],
    [
      'reversible not boolean',
      (m) => (mig(m, 0).reversible = 'yes'),
      'migrations[0].reversible: must be true or false',
    ],
    [
      'missing transactional',
      (m) => delete mig(m, 0).transactional,
      'migrations[0].transactional: is missing',
    ],
    ['unknown migration field', (m) => (mig(m, 2).sql = 'x'), 'migrations[2].sql: unknown field'],
    [
      'duplicate names',
      (m) => (mig(m, 2).name = '0002_b'),
      'migrations[2].name: duplicate name "0002_b" (also migrations[1])',
    ],
  ];
  it.each(cases)('%s', (_label, mutate, expected) => {
    const m = valid();
    mutate(m);
    const problems = problemsOf(m);
    expect(
      problems.some((p) => p.startsWith(expected)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('reports every problem together, each with its path', () => {
    const m = valid();
    m.format = 'nope';
    mig(m, 1).checksum = 'bad';
    mig(m, 3).name = '0001_a';
    const problems = problemsOf(m);
    expect(problems).toEqual([
      expect.stringMatching(/^format: /),
      expect.stringMatching(/^migrations\[1\]\.checksum: /),
      expect.stringMatching(/^migrations\[3\]\.name: duplicate/),
    ]);
  });

  it('names the source in the error message', () => {
    expect(() => parseManifest({}, 'manifests/v1.json')).toThrow(/manifests\/v1\.json/);
  });

  it('format 2 keeps the apply order it was given (numeric ids: 10_c last); format 1 must be in name order', () => {
    const m = manifest('v2', ['1_a', '2_b', '10_c']);
    expect(m.migrations.map((x) => x.name)).toEqual(['1_a', '2_b', '10_c']);
    expect(parseManifest(JSON.parse(JSON.stringify(m)))).toEqual(m);
    const { engine: _engine, ...v1 } = JSON.parse(JSON.stringify(m));
    expect(problemsOf({ ...v1, format: 'stepback/manifest@1' })).toEqual([
      expect.stringMatching(/^migrations\[2\]\.name: "10_c" is out of order \(after "2_b"\)/),
    ]);
  });

  it('rejects a non-object', () => {
    expect(problemsOf('v1')[0]).toMatch(/^\(document\): /);
  });

  it('caps the listed problems for a huge broken manifest but counts them all', () => {
    const m = manifest(
      'v1',
      Array.from({ length: 300 }, (_, i) => `${String(i).padStart(4, '0')}_m`),
    );
    for (const x of m.migrations) x.name = '0000_m';
    try {
      parseManifest(m);
      throw new Error('accepted');
    } catch (error) {
      expect((error as UsageError).message).toMatch(/299 problems/);
      expect((error as UsageError).problems).toHaveLength(51);
      expect((error as UsageError).problems.at(-1)).toBe('… and 249 more problems');
    }
  });
});

function mig(m: Record<string, unknown>, i: number): Record<string, unknown> {
  return (m.migrations as Record<string, unknown>[])[i]!;
}

describe('manifestDigest and canonicalJson', () => {
  it('is stable across key order and whitespace', () => {
    const m = manifest('v1', ['0001_a', migration('0002_b', { reversible: false })]);
    const reordered = JSON.parse(JSON.stringify(m, Object.keys(m).sort().reverse()));
    const shuffled = parseManifest(JSON.parse(JSON.stringify({ ...reordered, ...m }, null, 4)));
    expect(manifestDigest(shuffled)).toBe(manifestDigest(m));
    expect(manifestDigest(m)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('changes when any migration changes', () => {
    const a = manifest('v1', ['0001_a', '0002_b']);
    const b = manifest('v1', ['0001_a', migration('0002_b', { transactional: false })]);
    expect(manifestDigest(a)).not.toBe(manifestDigest(b));
  });

  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: 'x y', c: undefined })).toBe(
      '{"a":"x y","b":[3,{"a":null,"z":1}]}',
    );
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('canonicalJson edge cases', () => {
  it('sorts integer-like keys by code unit too (the slow path)', () => {
    expect(canonicalJson({ b: { '10': 1, '9': 2, a: [undefined, 1] }, a: 1 })).toBe(
      '{"a":1,"b":{"10":1,"9":2,"a":[null,1]}}',
    );
  });
  it('matches for deep key reorderings', () => {
    expect(canonicalJson({ x: { c: 1, b: [{ z: 1, y: 2 }] }, a: true })).toBe(
      canonicalJson({ a: true, x: { b: [{ y: 2, z: 1 }], c: 1 } }),
    );
  });
});

describe('manifest formats', () => {
  /** What an earlier stepback wrote: format 1, no engine, written before format 2 existed. */
  const v1Text = JSON.stringify({
    format: 'stepback/manifest@1',
    release: 'v1.3.0',
    createdAt: '2026-11-20T09:00:00Z',
    image: 'reg/app@sha256:' + 'c'.repeat(64),
    migrations: [migration('0001_a'), migration('0002_b', { reversible: false })],
  });

  it('still reads stepback/manifest@1 as it was written: same document, same digest, the stepback engine', () => {
    const read = parseManifest(JSON.parse(v1Text));
    expect(read).toEqual(JSON.parse(v1Text));
    expect(manifestDigest(read)).toBe(
      `sha256:${createHash('sha256')
        .update(canonicalJson(JSON.parse(v1Text)))
        .digest('hex')}`,
    );
    expect(manifestEngine(read)).toBe('stepback');
  });

  it('still validates stepback/manifest@1 by its own rules (no format 2 fields, name order)', () => {
    const withDependencies = JSON.parse(v1Text);
    withDependencies.migrations[1].dependencies = [];
    expect(problemsOf(withDependencies)).toEqual(['migrations[1].dependencies: unknown field']);
    const reversed = JSON.parse(v1Text);
    reversed.migrations.reverse();
    expect(problemsOf(reversed)).toEqual([
      expect.stringMatching(/^migrations\[1\]\.name: "0001_a" is out of order/),
    ]);
  });

  it('a format 1 record and its format 2 rebuild are the same release (identity ignores the format)', () => {
    const old = parseManifest(JSON.parse(v1Text));
    const rebuilt = buildManifest({
      release: 'v1.3.0',
      createdAt: new Date('2026-11-21T00:00:00Z'),
      image: old.image,
      migrations: old.migrations,
    });
    expect(rebuilt.format).toBe('stepback/manifest@2');
    expect(manifestIdentity(rebuilt)).toBe(manifestIdentity(old));
    const other = buildManifest({ ...rebuilt, createdAt: new Date(), engine: 'django' });
    expect(manifestIdentity(other)).not.toBe(manifestIdentity(old));
  });

  it('keeps a graph engine in its plan order, with dependencies, squashes and per-app targets', () => {
    const built = buildManifest({
      release: 'v2',
      createdAt: new Date('2026-11-21T00:00:00Z'),
      engine: 'django',
      migrations: [
        migration('shop.0001_initial'),
        migration('billing.0001_initial', { dependencies: ['shop.0001_initial'] }),
        migration('billing.0002_squashed', {
          dependencies: ['billing.0001_initial'],
          replaces: ['billing.0002_a', 'billing.0003_b'],
        }),
      ],
      targets: { shop: 'shop.0001_initial', billing: 'billing.0002_squashed' },
    });
    expect(built.migrations.map((m) => m.name)).toEqual([
      'shop.0001_initial',
      'billing.0001_initial',
      'billing.0002_squashed',
    ]);
    expect(parseManifest(JSON.parse(JSON.stringify(built)))).toEqual(built);
  });
});
