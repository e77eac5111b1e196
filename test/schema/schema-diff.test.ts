import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  diffSchemas,
  fingerprintDigest,
  SCHEMA_FINGERPRINT_FORMAT,
  type SchemaFingerprint,
} from '../../src/core/schema-diff.ts';

function fp(patch: Partial<SchemaFingerprint> = {}): SchemaFingerprint {
  return {
    format: SCHEMA_FINGERPRINT_FORMAT,
    scope: 'all-user-schemas',
    schemas: ['public'],
    tables: {
      'public.users': {
        kind: 'table',
        rowLevelSecurity: false,
        columns: {
          id: { type: 'integer', nullable: false, default: null, position: 1 },
          email: { type: 'text', nullable: false, default: null, position: 2 },
        },
        constraints: { users_pkey: { type: 'primary key', definition: 'PRIMARY KEY (id)' } },
      },
    },
    indexes: {},
    views: {},
    sequences: {},
    functions: {},
    enums: {},
    domains: {},
    triggers: {},
    extensions: {},
    ...patch,
  };
}

const users = fp().tables['public.users']!;

describe('diffSchemas', () => {
  const cases: { name: string; actual: SchemaFingerprint; messages: string[] }[] = [
    { name: 'identical', actual: fp(), messages: [] },
    {
      name: 'a missing table is one difference, not one per column',
      actual: fp({ tables: {} }),
      messages: ['table users: missing'],
    },
    {
      name: 'column type, nullability and default',
      actual: fp({
        tables: {
          'public.users': {
            ...users,
            columns: {
              ...users.columns,
              email: { type: 'character varying(200)', nullable: true, default: "''::text", position: 2 },
            },
          },
        },
      }),
      messages: [
        'column users.email: type text → character varying(200)',
        'column users.email: not null → null',
        "column users.email: default none → ''::text",
      ],
    },
    {
      name: 'objects outside public keep their schema',
      actual: fp({
        schemas: ['audit', 'public'],
        tables: { ...fp().tables, 'audit.log': { ...users, columns: {} } },
      }),
      messages: ['schema audit: unexpected', 'table audit.log: unexpected'],
    },
    {
      name: 'constraint definition and a missing constraint',
      actual: fp({ tables: { 'public.users': { ...users, constraints: {} } } }),
      messages: ['constraint users.users_pkey: missing'],
    },
    {
      name: 'sequence and extension properties',
      actual: fp({
        extensions: { citext: { version: '1.6', schema: 'public' } },
        sequences: {
          'public.s': {
            type: 'bigint',
            start: '1',
            increment: '1',
            min: '1',
            max: '9',
            cycle: false,
            cache: '1',
            ownedBy: null,
          },
        },
      }),
      messages: ['extension citext: unexpected', 'sequence s: unexpected'],
    },
    {
      name: 'function return type',
      actual: fp({
        functions: {
          'public.f()': {
            kind: 'function',
            returns: 'bigint',
            language: 'sql',
            volatility: 'stable',
            strict: false,
            securityDefiner: false,
            config: [],
            bodyHash: 'sha256:1',
          },
        },
      }),
      messages: ['function f(): unexpected'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(diffSchemas(fp(), c.actual).map((d) => d.message)).toEqual(c.messages);
      // Equal schemas ⇔ equal digests (column order aside).
      expect(fingerprintDigest(fp()) === fingerprintDigest(c.actual)).toBe(c.messages.length === 0);
    });
  }

  it('describes function changes by property, the body by a hash', () => {
    const f = {
      kind: 'function' as const,
      returns: 'integer',
      language: 'sql',
      volatility: 'stable' as const,
      strict: false,
      securityDefiner: false,
      config: [],
      bodyHash: 'sha256:a',
    };
    const a = fp({ functions: { 'public.f()': f } });
    const b = fp({ functions: { 'public.f()': { ...f, returns: 'bigint', bodyHash: 'sha256:b' } } });
    expect(diffSchemas(a, b).map((d) => d.message)).toEqual([
      'function f(): body changed',
      'function f(): returns integer → bigint',
    ]);
    expect(diffSchemas(a, b)[1]).toMatchObject({ kind: 'function', change: 'changed', expected: 'integer' });
  });

  it('canonicalizes key order, so the digest does not depend on it', () => {
    const a = fp();
    const reverse = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reverse(x)]),
          )
        : v;
    const reordered = reverse(a) as SchemaFingerprint;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(a));
    expect(fingerprintDigest(reordered)).toBe(fingerprintDigest(a));
    expect(JSON.stringify(canonicalize(reordered))).toBe(JSON.stringify(canonicalize(a)));
  });
});
