/**
 * Fingerprints recorded by an earlier stepback (`stepback/schema@1`) stay usable (pure): a format 2
 * fingerprint is cut down to exactly what format 1 read, and the two are compared in those terms. What format
 * 1 did not read cannot be proven for such a reference, and the verification says so (`FORMAT_1_NOT_COMPARED`)
 * instead of reporting everything format 2 adds as a difference.
 */
import {
  canonicalize,
  SCHEMA_FINGERPRINT_FORMAT_1,
  type SchemaFingerprint,
  type TableFingerprint,
} from './schema-diff.ts';

/** What a verification against a format 1 reference cannot see, in words for the report. */
export const FORMAT_1_NOT_COMPARED =
  'owners, grants and default privileges, comments, RLS policies and FORCE, SQL-standard function bodies, ' +
  'function argument defaults, PARALLEL, LEAKPROOF, COST and ROWS, aggregate definitions, view and table options, ' +
  'UNLOGGED, REPLICA IDENTITY, partitions and inheritance, identity sequence options, column STORAGE, ' +
  'COMPRESSION and statistics targets, trigger firing modes, rules, composite and range types, extended ' +
  'statistics, publications, operators, text search configurations and dictionaries, event triggers, casts and collations';

function pick<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

function map<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

/** `fp` as format 1 would have read the same schema. */
export function inFormat1(fp: SchemaFingerprint): SchemaFingerprint {
  const table = (t: TableFingerprint): TableFingerprint => ({
    kind: t.kind,
    rowLevelSecurity: t.rowLevelSecurity,
    columns: map(t.columns, (c) =>
      pick(c, ['type', 'nullable', 'default', 'position', 'identity', 'generated', 'collation']),
    ),
    constraints: map(t.constraints, (k) => ({ type: k.type, definition: k.definition })),
  });
  return canonicalize({
    format: SCHEMA_FINGERPRINT_FORMAT_1,
    scope: fp.scope,
    schemas: fp.schemas,
    tables: map(fp.tables, table),
    indexes: map(fp.indexes, (i) => ({ table: i.table, definition: i.definition })),
    views: map(fp.views, (v) => ({ kind: v.kind, definition: v.definition })),
    sequences: map(fp.sequences, (s) =>
      pick(s, ['type', 'start', 'increment', 'min', 'max', 'cycle', 'cache', 'ownedBy']),
    ),
    functions: map(fp.functions, (f) =>
      pick(f, [
        'kind',
        'returns',
        'language',
        'volatility',
        'strict',
        'securityDefiner',
        'config',
        'bodyHash',
      ]),
    ),
    enums: map(fp.enums, (e) => ({ values: e.values })),
    domains: map(fp.domains, (d) => pick(d, ['type', 'nullable', 'default', 'constraints'])),
    triggers: map(fp.triggers, (t) => ({ definition: t.definition, enabled: t.enabled })),
    extensions: fp.extensions,
  });
}
