/**
 * Schema fingerprints compared (pure): the shape src/schema/fingerprint.ts reads from the catalog, a digest
 * of it, and readable differences (`column users.email: type text → character varying(200)`,
 * `index orders_created_idx: missing`).
 *
 * Column order is ignored by default: a down that drops and re-adds a column restores the schema in every way
 * that matters to the application, yet moves the column to the end. `{ columnOrder: true }` compares it too.
 */
import { checksumOf } from './checksum.ts';

/** What this stepback writes. */
export const SCHEMA_FINGERPRINT_FORMAT = 'stepback/schema@2';
/** What stepback wrote before owners, grants, policies and the rest were read (still read, compared as such). */
export const SCHEMA_FINGERPRINT_FORMAT_1 = 'stepback/schema@1';
export type SchemaFingerprintFormat = typeof SCHEMA_FINGERPRINT_FORMAT | typeof SCHEMA_FINGERPRINT_FORMAT_1;

/**
 * Grants by grantee: `{ reporting: 'SELECT, UPDATE', PUBLIC: 'EXECUTE' }` (`(grant option)` after a
 * privilege the grantee may pass on). The object's own owner is written `(owner)` and the database's owner
 * `(database owner)`, so two databases built by the same migrations under different roles read the same.
 */
export type Privileges = Record<string, string>;

/** Who owns an object, what others may do with it, and its comment (format 2). */
export interface Access {
  /** The owning role; `(database owner)` when it is the database's owner. */
  owner?: string;
  privileges?: Privileges;
  comment?: string;
}

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
  // Format 2, each only when it is not the default:
  /** The identity sequence's options (`increment 1, start 1, …`). */
  identityOptions?: string;
  /** STORAGE, when it differs from the type's. */
  storage?: 'plain' | 'external' | 'extended' | 'main';
  compression?: string;
  /** SET STATISTICS. */
  statistics?: number;
  /** `n_distinct=…` and the like. */
  options?: string[];
  /** Column-level grants. */
  privileges?: Privileges;
  comment?: string;
}

export interface TableFingerprint extends Access {
  kind: 'table' | 'partitioned table' | 'foreign table';
  rowLevelSecurity: boolean;
  columns: Record<string, ColumnFingerprint>;
  /** By constraint name: `primary key`, `foreign key`, `unique`, `check`, … with the definition. */
  constraints: Record<string, ConstraintFingerprint>;
  // Format 2:
  forceRowLevelSecurity?: boolean;
  unlogged?: boolean;
  /** Storage parameters (`fillfactor=70`, `autovacuum_enabled=false`), sorted. */
  options?: string[];
  /** `default` (the primary key), `nothing`, `full` or `index <name>`. */
  replicaIdentity?: string;
  /** PARTITION BY of a partitioned table. */
  partitionKey?: string;
  /** The parent and bound of a partition: `events FOR VALUES FROM (…) TO (…)`. */
  partitionOf?: string;
  /** INHERITS parents, in order. */
  inherits?: string[];
  /** Table access method, when not heap. */
  accessMethod?: string;
}

export interface ConstraintFingerprint {
  type: string;
  definition: string;
  /** Format 2: the storage parameters of the index behind a primary key, unique or exclusion constraint. */
  indexOptions?: string[];
  comment?: string;
}

export interface SequenceFingerprint extends Access {
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
  cache: string;
  /** `table.column` for a serial column's sequence. */
  ownedBy: string | null;
  unlogged?: boolean;
}

export interface FunctionFingerprint extends Access {
  kind: 'function' | 'procedure' | 'aggregate' | 'window';
  returns: string | null;
  language: string;
  volatility: 'immutable' | 'stable' | 'volatile';
  strict: boolean;
  securityDefiner: boolean;
  config: string[];
  /** Of `prosrc`: the body as written, for every language but SQL-standard bodies (empty there). */
  bodyHash: string;
  // Format 2:
  /** Of a SQL-standard body (`RETURN …`, `BEGIN ATOMIC … END`) as PostgreSQL prints it. */
  sqlBodyHash?: string;
  /** The arguments with their defaults and OUT parameters. */
  arguments?: string;
  parallel?: 'safe' | 'restricted' | 'unsafe';
  leakproof?: boolean;
  cost?: string;
  rows?: string;
  /** An aggregate's transition, final and combine functions, state type and initial value. */
  aggregate?: string;
}

export interface IndexFingerprint {
  table: string;
  definition: string;
  comment?: string;
}

export interface ViewFingerprint extends Access {
  kind: 'view' | 'materialized view';
  definition: string;
  /** Format 2: `check_option=local`, `security_barrier=true`, storage parameters of a materialized view. */
  options?: string[];
  columnComments?: Record<string, string>;
}

export interface TriggerFingerprint {
  definition: string;
  enabled: boolean;
  /** Format 2: `origin` (the default), `replica` or `always` (ENABLE REPLICA / ALWAYS TRIGGER). */
  firing?: 'origin' | 'replica' | 'always';
  comment?: string;
}

/** Format 2 sections: objects format 1 did not read. */
export interface PolicyFingerprint {
  command: 'all' | 'select' | 'insert' | 'update' | 'delete';
  permissive: boolean;
  roles: string[];
  using: string | null;
  withCheck: string | null;
  comment?: string;
}

export interface RuleFingerprint {
  definition: string;
  firing: 'origin' | 'replica' | 'always' | 'disabled';
  comment?: string;
}

export interface TypeFingerprint extends Access {
  kind: 'composite' | 'range';
  /** Composite: `name type` per attribute, in order. Range: the subtype and its options. */
  definition: string[];
}

export interface StatisticsFingerprint extends Access {
  table: string;
  definition: string;
  /** SET STATISTICS, when set. */
  target?: number;
}

export interface PublicationFingerprint extends Access {
  allTables: boolean;
  /** Published operations: insert, update, delete, truncate. */
  publish: string[];
  viaRoot: boolean;
  /** Listed tables, with their row filter and column list. */
  tables: string[];
  /** TABLES IN SCHEMA. */
  schemas: string[];
}

export interface OperatorFingerprint extends Access {
  function: string;
  commutator: string | null;
  negator: string | null;
  restrict: string | null;
  join: string | null;
  hashes: boolean;
  merges: boolean;
}

export interface TextSearchConfigurationFingerprint extends Access {
  parser: string;
  /** `token: dictionary, …` per mapped token type. */
  mappings: string[];
}

export interface TextSearchDictionaryFingerprint extends Access {
  template: string;
  options: string | null;
}

export interface EventTriggerFingerprint extends Access {
  event: string;
  function: string;
  firing: 'origin' | 'replica' | 'always' | 'disabled';
  tags: string[];
}

export interface CastFingerprint {
  /** `function f(a)`, `binary coercible` or `inout`. */
  method: string;
  context: 'explicit' | 'assignment' | 'implicit';
  comment?: string;
}

/**
 * Keys are qualified names (`schema.name`; functions `schema.name(arg types)`; triggers, policies and rules
 * `schema.table.name`; operators `schema.op(left, right)`), every object sorted by key, so equal schemas give
 * equal JSON. The sections and properties marked format 2 are absent from a format 1 fingerprint.
 */
export interface SchemaFingerprint {
  format: SchemaFingerprintFormat;
  /** Whether `schemas` was every user schema at the time, or a given list (re-read the same way to compare). */
  scope: 'all-user-schemas' | 'listed-schemas';
  schemas: string[];
  tables: Record<string, TableFingerprint>;
  /** Indexes that do not back a constraint (those are compared as the constraint). */
  indexes: Record<string, IndexFingerprint>;
  views: Record<string, ViewFingerprint>;
  sequences: Record<string, SequenceFingerprint>;
  functions: Record<string, FunctionFingerprint>;
  /** Values in their order. */
  enums: Record<string, { values: string[] } & Access>;
  domains: Record<
    string,
    { type: string; nullable: boolean; default: string | null; constraints: string[] } & Access
  >;
  triggers: Record<string, TriggerFingerprint>;
  extensions: Record<string, { version: string; schema: string }>;
  // Format 2:
  /** Owner, grants and comment of each schema. */
  schemaAccess?: Record<string, Access>;
  /** ALTER DEFAULT PRIVILEGES, keyed `for ROLE [in schema S] on tables|sequences|functions|types|schemas`. */
  defaultPrivileges?: Record<string, Privileges>;
  policies?: Record<string, PolicyFingerprint>;
  rules?: Record<string, RuleFingerprint>;
  types?: Record<string, TypeFingerprint>;
  statistics?: Record<string, StatisticsFingerprint>;
  publications?: Record<string, PublicationFingerprint>;
  operators?: Record<string, OperatorFingerprint>;
  textSearchConfigurations?: Record<string, TextSearchConfigurationFingerprint>;
  textSearchDictionaries?: Record<string, TextSearchDictionaryFingerprint>;
  eventTriggers?: Record<string, EventTriggerFingerprint>;
  casts?: Record<string, CastFingerprint>;
  /** CREATE COLLATION: provider, locales, deterministic, as `key=value`. */
  collations?: Record<string, { definition: string[] } & Access>;
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
  | 'extension'
  | 'default privileges'
  | 'policy'
  | 'rule'
  | 'type'
  | 'statistics'
  | 'publication'
  | 'operator'
  | 'text search configuration'
  | 'text search dictionary'
  | 'event trigger'
  | 'cast'
  | 'collation';

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

function sortedKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalize(a ?? null)) === JSON.stringify(canonicalize(b ?? null));
}

/** `forceRowLevelSecurity` → `force row level security`. */
function words(property: string): string {
  return property.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** Properties whose value is a record compared key by key (`privileges of reporting: SELECT → none`). */
const KEYED: Record<string, string> = { privileges: 'privileges of', columnComments: 'comment on column' };
/** Properties that hold a hash: only the fact that they differ is readable. */
const HASHED: Record<string, string> = { bodyHash: 'body changed', sqlBodyHash: 'body changed' };
// Column properties in the order format 1 reported them; any others follow, sorted.
const COLUMN_ORDER = ['type', 'nullable', 'default', 'identity', 'generated', 'collation'];
// Compared on their own (tables) or never property by property (a table's columns and constraints).
const TABLE_OWN = new Set(['kind', 'rowLevelSecurity', 'columns', 'constraints']);

/**
 * Differences from `expected` to `actual`, in a stable order (by kind, then name). Empty when they match.
 * A missing table is one difference (its columns are not listed one by one). Both are compared as they
 * are: to compare a format 2 fingerprint with a format 1 one, take `inFormat1` of it first.
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
  /** One property of an object, readably. */
  const property = (kind: SchemaObjectKind, name: string, prop: string, px: unknown, py: unknown) => {
    if (same(px, py)) return;
    const keyed = KEYED[prop];
    if (keyed) {
      const a = (px ?? {}) as Record<string, unknown>;
      const b = (py ?? {}) as Record<string, unknown>;
      for (const key of sortedKeys(a, b)) {
        if (same(a[key], b[key])) continue;
        changed(kind, name, `${keyed} ${key}`, a[key] ?? null, b[key] ?? null);
      }
      return;
    }
    if (prop === 'nullable') {
      const word = (n: unknown) => (n ? 'null' : 'not null');
      changed(kind, name, prop, px, py, `${word(px)} → ${word(py)}`);
      return;
    }
    // A flag format 2 writes only when set reads as false when absent.
    if (typeof px === 'boolean' || typeof py === 'boolean') {
      if ((px ?? false) !== (py ?? false)) changed(kind, name, words(prop), px ?? false, py ?? false);
      return;
    }
    const hashed = HASHED[prop];
    if (hashed) changed(kind, name, 'body', px, py, hashed);
    else changed(kind, name, words(prop), px ?? null, py ?? null);
  };
  const properties = (kind: SchemaObjectKind, name: string, x: object, y: object, skip?: Set<string>) => {
    const a = x as Record<string, unknown>;
    const b = y as Record<string, unknown>;
    for (const prop of sortedKeys(a, b)) if (!skip?.has(prop)) property(kind, name, prop, a[prop], b[prop]);
  };
  /** Compare two records of objects property by property. */
  const compareMap = <T extends object>(
    kind: SchemaObjectKind,
    a: Record<string, T> | undefined,
    b: Record<string, T> | undefined,
    each?: (name: string, x: T, y: T) => void,
  ) => {
    const ea = a ?? {};
    const eb = b ?? {};
    for (const name of sortedKeys(ea, eb)) {
      const x = ea[name];
      const y = eb[name];
      if (x === undefined || y === undefined) {
        presence(kind, name, x !== undefined);
        continue;
      }
      if (each) each(name, x, y);
      else properties(kind, name, x, y);
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
  // A schema missing or unexpected is said above; its owner and grants only when it is on both sides.
  for (const name of sortedKeys(expected.schemaAccess ?? {}, actual.schemaAccess ?? {})) {
    const x = expected.schemaAccess?.[name];
    const y = actual.schemaAccess?.[name];
    if (x && y) properties('schema', name, x, y);
  }
  compareMap('default privileges', expected.defaultPrivileges, actual.defaultPrivileges, (name, x, y) =>
    property('default privileges', name, 'privileges', x, y),
  );
  compareMap('extension', expected.extensions, actual.extensions);
  compareMap('collation', expected.collations, actual.collations);
  compareMap('enum', expected.enums, actual.enums);
  compareMap('domain', expected.domains, actual.domains);
  compareMap('type', expected.types, actual.types);
  compareMap('sequence', expected.sequences, actual.sequences);
  compareMap('table', expected.tables, actual.tables, (name, x, y) => {
    if (x.kind !== y.kind) changed('table', name, 'kind', x.kind, y.kind);
    if (x.rowLevelSecurity !== y.rowLevelSecurity)
      changed('table', name, 'row level security', x.rowLevelSecurity, y.rowLevelSecurity);
    properties('table', name, x, y, TABLE_OWN);
    for (const col of sortedKeys(x.columns, y.columns)) {
      const cx = x.columns[col];
      const cy = y.columns[col];
      const colName = `${name}.${col}`;
      if (!cx || !cy) {
        presence('column', colName, cx !== undefined);
        continue;
      }
      const props = sortedKeys(cx, cy).filter((p) => p !== 'position');
      const ordered = [...COLUMN_ORDER, ...props.filter((p) => !COLUMN_ORDER.includes(p))];
      for (const prop of ordered) property('column', colName, prop, (cx as never)[prop], (cy as never)[prop]);
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
      else properties('constraint', conName, kx, ky, new Set(['type']));
    }
  });
  compareMap('index', expected.indexes, actual.indexes, (name, x, y) =>
    properties('index', name, x, y, new Set(['table'])),
  );
  compareMap('view', expected.views, actual.views, (name, x, y) => {
    if (x.kind !== y.kind) changed('view', name, 'kind', x.kind, y.kind);
    if (x.definition !== y.definition)
      changed('view', name, 'definition', x.definition, y.definition, 'definition changed');
    properties('view', name, x, y, new Set(['kind', 'definition']));
  });
  compareMap('function', expected.functions, actual.functions);
  compareMap('trigger', expected.triggers, actual.triggers);
  compareMap('policy', expected.policies, actual.policies);
  compareMap('rule', expected.rules, actual.rules);
  compareMap('statistics', expected.statistics, actual.statistics);
  compareMap('operator', expected.operators, actual.operators);
  compareMap('text search configuration', expected.textSearchConfigurations, actual.textSearchConfigurations);
  compareMap('text search dictionary', expected.textSearchDictionaries, actual.textSearchDictionaries);
  compareMap('cast', expected.casts, actual.casts);
  compareMap('publication', expected.publications, actual.publications);
  compareMap('event trigger', expected.eventTriggers, actual.eventTriggers);
  return out;
}
