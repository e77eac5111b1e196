/**
 * Schema fingerprints compared (pure): the shape src/schema/fingerprint.ts reads from the catalog, a digest
 * of it, and readable differences (`column users.email: type text → character varying(200)`,
 * `index orders_created_idx: missing`).
 *
 * Column order is ignored by default: a down that drops and re-adds a column restores the schema in every way
 * that matters to the application, yet moves the column to the end. `{ columnOrder: true }` compares it too.
 */
import { checksumOf } from './checksum.ts';

export const SCHEMA_FINGERPRINT_FORMAT = 'stepback/schema@1';

export interface ColumnFingerprint {
  /** `format_type` spelling, e.g. `character varying(200)`, `timestamp with time zone`. */
  type: string;
  nullable: boolean;
  /** Default expression as PostgreSQL prints it, or null. */
  default: string | null;
  /** 1-based position among the table's live columns (compared only with `columnOrder`). */
  position: number;
  identity?: 'always' | 'by default';
  generated?: 'stored';
  /** Only when it differs from the type's default collation. */
  collation?: string;
}

export interface TableFingerprint {
  kind: 'table' | 'partitioned table' | 'foreign table';
  rowLevelSecurity: boolean;
  columns: Record<string, ColumnFingerprint>;
  /** By constraint name: `primary key`, `foreign key`, `unique`, `check`, … with the definition. */
  constraints: Record<string, { type: string; definition: string }>;
}

export interface SequenceFingerprint {
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
  cache: string;
  /** `table.column` for a serial column's sequence. */
  ownedBy: string | null;
}

export interface FunctionFingerprint {
  kind: 'function' | 'procedure' | 'aggregate' | 'window';
  returns: string | null;
  language: string;
  volatility: 'immutable' | 'stable' | 'volatile';
  strict: boolean;
  securityDefiner: boolean;
  config: string[];
  bodyHash: string;
}

/**
 * Keys are qualified names (`schema.name`; functions `schema.name(arg types)`; triggers
 * `schema.table.trigger`), every object sorted by key, so equal schemas give equal JSON.
 */
export interface SchemaFingerprint {
  format: typeof SCHEMA_FINGERPRINT_FORMAT;
  /** Whether `schemas` was every user schema at the time, or a given list (re-read the same way to compare). */
  scope: 'all-user-schemas' | 'listed-schemas';
  schemas: string[];
  tables: Record<string, TableFingerprint>;
  /** Indexes that do not back a constraint (those are compared as the constraint). */
  indexes: Record<string, { table: string; definition: string }>;
  views: Record<string, { kind: 'view' | 'materialized view'; definition: string }>;
  sequences: Record<string, SequenceFingerprint>;
  functions: Record<string, FunctionFingerprint>;
  /** Values in their order. */
  enums: Record<string, { values: string[] }>;
  domains: Record<string, { type: string; nullable: boolean; default: string | null; constraints: string[] }>;
  triggers: Record<string, { definition: string; enabled: boolean }>;
  extensions: Record<string, { version: string; schema: string }>;
}

export type SchemaObjectKind =
  | 'schema'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'view'
  | 'sequence'
  | 'function'
  | 'enum'
  | 'domain'
  | 'trigger'
  | 'extension';

export interface SchemaDifference {
  kind: SchemaObjectKind;
  /** Display name (`public.` dropped, other schemas kept). */
  name: string;
  /** missing: expected but absent; unexpected: present but not expected; changed: a property differs. */
  change: 'missing' | 'unexpected' | 'changed';
  property?: string;
  expected?: unknown;
  actual?: unknown;
  /** One readable line, e.g. `column users.email: type text → character varying(200)`. */
  message: string;
}

export interface DiffOptions {
  /** Also compare column positions (default false). */
  columnOrder?: boolean;
}

/** Recursively sort object keys (arrays keep their order: enum values and column lists are ordered). */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonicalize(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out as T;
  }
  return value;
}

/** The fingerprint without column positions, as compared by default. */
function withoutColumnOrder(fp: SchemaFingerprint): SchemaFingerprint {
  const tables: Record<string, TableFingerprint> = {};
  for (const [name, table] of Object.entries(fp.tables)) {
    const columns: Record<string, ColumnFingerprint> = {};
    for (const [col, c] of Object.entries(table.columns)) columns[col] = { ...c, position: 0 };
    tables[name] = { ...table, columns };
  }
  return { ...fp, tables };
}

/**
 * `sha256:<hex>` of the canonical JSON. Column order is left out unless asked, so two schemas that
 * diffSchemas calls equal have the same digest.
 */
export function fingerprintDigest(fp: SchemaFingerprint, options: DiffOptions = {}): string {
  const subject = options.columnOrder ? fp : withoutColumnOrder(fp);
  return checksumOf(JSON.stringify(canonicalize(subject)));
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(', ')}]`;
  if (typeof value === 'string') return value.length > 160 ? `${value.slice(0, 157)}…` : value;
  return String(value);
}

function sortedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalize(a)) === JSON.stringify(canonicalize(b));
}

/**
 * Differences from `expected` to `actual`, in a stable order (by kind, then name). Empty when they match.
 * A missing table is one difference (its columns are not listed one by one).
 */
export function diffSchemas(
  expected: SchemaFingerprint,
  actual: SchemaFingerprint,
  options: DiffOptions = {},
): SchemaDifference[] {
  // Like PostgreSQL's own messages: objects in `public` unqualified, others qualified.
  const display = (name: string) => (name.startsWith('public.') ? name.slice(7) : name);
  const out: SchemaDifference[] = [];

  const presence = (kind: SchemaObjectKind, name: string, inExpected: boolean) => {
    const change = inExpected ? 'missing' : 'unexpected';
    out.push({ kind, name: display(name), change, message: `${kind} ${display(name)}: ${change}` });
  };
  const changed = (
    kind: SchemaObjectKind,
    name: string,
    property: string,
    before: unknown,
    after: unknown,
    text?: string,
  ) => {
    out.push({
      kind,
      name: display(name),
      change: 'changed',
      property,
      expected: before,
      actual: after,
      message: `${kind} ${display(name)}: ${text ?? `${property} ${show(before)} → ${show(after)}`}`,
    });
  };
  /** Compare two records of objects property by property. */
  const compareMap = <T extends object>(
    kind: SchemaObjectKind,
    a: Record<string, T>,
    b: Record<string, T>,
    each?: (name: string, x: T, y: T) => void,
  ) => {
    for (const name of sortedKeys(a, b)) {
      const x = a[name];
      const y = b[name];
      if (x === undefined || y === undefined) {
        presence(kind, name, x !== undefined);
        continue;
      }
      if (each) {
        each(name, x, y);
        continue;
      }
      for (const prop of sortedKeys(x as Record<string, unknown>, y as Record<string, unknown>)) {
        const px = (x as Record<string, unknown>)[prop];
        const py = (y as Record<string, unknown>)[prop];
        if (!same(px, py)) changed(kind, name, prop, px, py);
      }
    }
  };

  const schemaNames = (s: string[]) => Object.fromEntries(s.map((n) => [n, {}]));
  for (const name of sortedKeys(schemaNames(expected.schemas), schemaNames(actual.schemas))) {
    const inA = expected.schemas.includes(name);
    const inB = actual.schemas.includes(name);
    if (inA !== inB) {
      const change = inA ? 'missing' : 'unexpected';
      out.push({ kind: 'schema', name, change, message: `schema ${name}: ${change}` });
    }
  }
  compareMap('extension', expected.extensions, actual.extensions);
  compareMap('enum', expected.enums, actual.enums, (name, x, y) => {
    if (!same(x.values, y.values)) changed('enum', name, 'values', x.values, y.values);
  });
  compareMap('domain', expected.domains, actual.domains);
  compareMap('sequence', expected.sequences, actual.sequences);
  compareMap('table', expected.tables, actual.tables, (name, x, y) => {
    if (x.kind !== y.kind) changed('table', name, 'kind', x.kind, y.kind);
    if (x.rowLevelSecurity !== y.rowLevelSecurity)
      changed('table', name, 'row level security', x.rowLevelSecurity, y.rowLevelSecurity);
    for (const col of sortedKeys(x.columns, y.columns)) {
      const cx = x.columns[col];
      const cy = y.columns[col];
      const colName = `${name}.${col}`;
      if (!cx || !cy) {
        presence('column', colName, cx !== undefined);
        continue;
      }
      for (const prop of ['type', 'nullable', 'default', 'identity', 'generated', 'collation'] as const) {
        if (cx[prop] === cy[prop]) continue;
        if (prop === 'nullable') {
          const word = (n: boolean) => (n ? 'null' : 'not null');
          changed(
            'column',
            colName,
            prop,
            cx.nullable,
            cy.nullable,
            `${word(cx.nullable)} → ${word(cy.nullable)}`,
          );
        } else changed('column', colName, prop, cx[prop] ?? null, cy[prop] ?? null);
      }
      if (options.columnOrder && cx.position !== cy.position)
        changed('column', colName, 'position', cx.position, cy.position);
    }
    for (const con of sortedKeys(x.constraints, y.constraints)) {
      const kx = x.constraints[con];
      const ky = y.constraints[con];
      const conName = `${name}.${con}`;
      if (!kx || !ky) {
        presence('constraint', conName, kx !== undefined);
        continue;
      }
      if (kx.type !== ky.type) changed('constraint', conName, 'type', kx.type, ky.type);
      else if (kx.definition !== ky.definition)
        changed('constraint', conName, 'definition', kx.definition, ky.definition);
    }
  });
  compareMap('index', expected.indexes, actual.indexes, (name, x, y) => {
    if (x.definition !== y.definition) changed('index', name, 'definition', x.definition, y.definition);
  });
  compareMap('view', expected.views, actual.views, (name, x, y) => {
    if (x.kind !== y.kind) changed('view', name, 'kind', x.kind, y.kind);
    if (x.definition !== y.definition)
      changed('view', name, 'definition', x.definition, y.definition, 'definition changed');
  });
  compareMap('function', expected.functions, actual.functions, (name, x, y) => {
    for (const prop of sortedKeys(
      x as unknown as Record<string, unknown>,
      y as unknown as Record<string, unknown>,
    )) {
      const px = (x as unknown as Record<string, unknown>)[prop];
      const py = (y as unknown as Record<string, unknown>)[prop];
      if (same(px, py)) continue;
      if (prop === 'bodyHash') changed('function', name, 'body', px, py, 'body changed');
      else changed('function', name, prop, px, py);
    }
  });
  compareMap('trigger', expected.triggers, actual.triggers);
  return out;
}
