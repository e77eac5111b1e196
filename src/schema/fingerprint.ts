/**
 * The schema fingerprint (how a rollback and a rehearsal prove the schema is what it was): what the migrations
 * made of the database — schemas, tables, columns, constraints, indexes, views, sequences, functions, types,
 * triggers, policies, rules, extended statistics, operators, text search configurations, publications, event
 * triggers, casts, extensions, with owners, grants, default privileges and comments — as a canonical, sorted,
 * JSON-able object (`stepback/schema@2`). Two databases built by the same migrations give equal fingerprints,
 * even when different roles ran them; comparing them lives in src/core/schema-diff.ts (pure).
 *
 * One catalog query (src/schema/catalog-sql.ts; one statement, so one consistent snapshot), between a round
 * trip that reads the server's version and switches JIT off and one that switches it back (see prepareSession). Objects are keyed by qualified name so
 * the comparison never depends on catalog order or OIDs. stepback's own tables (and everything hanging off
 * them) are left out: they change on every apply by design.
 */
import type pg from 'pg';
import { checksumOf } from '../core/checksum.ts';
import type {
  Access,
  ColumnFingerprint,
  FunctionFingerprint,
  Privileges,
  SchemaFingerprint,
  TableFingerprint,
} from '../core/schema-diff.ts';
import { canonicalize, SCHEMA_FINGERPRINT_FORMAT } from '../core/schema-diff.ts';
import { type CatalogRow, catalogSql } from './catalog-sql.ts';

/** stepback's own bookkeeping tables, never part of a user's schema. */
export const STEPBACK_TABLES: readonly string[] = [
  'stepback_migrations',
  'stepback_events',
  'stepback_fingerprints',
];

export interface FingerprintOptions {
  /** Schemas to read; default: every user schema (not pg_*, not information_schema). */
  schemas?: readonly string[];
  /** Extra table names to leave out (in any schema), besides stepback's own. */
  excludeTables?: readonly string[];
  /**
   * The schema holding stepback's own tables: read like any other, but not listed as a schema of its own
   * (it exists because of stepback, not because of a migration).
   */
  stateSchema?: string;
  /**
   * Send the catalog query as a named prepared statement, planned once per connection. For connections
   * that fingerprint many times (the rehearsal); off by default because poolers in transaction mode
   * (PgBouncer, RDS Proxy pinning) handle named statements badly on production connections.
   */
  prepared?: boolean;
}

const TABLE_KINDS: Record<string, TableFingerprint['kind']> = {
  r: 'table',
  p: 'partitioned table',
  f: 'foreign table',
};
const CONSTRAINT_KINDS: Record<string, string> = {
  p: 'primary key',
  f: 'foreign key',
  u: 'unique',
  c: 'check',
  x: 'exclusion',
  t: 'trigger',
  n: 'not null',
};
const FUNCTION_KINDS: Record<string, FunctionFingerprint['kind']> = {
  f: 'function',
  p: 'procedure',
  a: 'aggregate',
  w: 'window',
};
const VOLATILITY: Record<string, FunctionFingerprint['volatility']> = {
  i: 'immutable',
  s: 'stable',
  v: 'volatile',
};
const PARALLEL: Record<string, NonNullable<FunctionFingerprint['parallel']>> = {
  s: 'safe',
  r: 'restricted',
  u: 'unsafe',
};
const FIRING: Record<string, 'origin' | 'replica' | 'always' | 'disabled'> = {
  O: 'origin',
  D: 'disabled',
  R: 'replica',
  A: 'always',
};
const STORAGE: Record<string, NonNullable<ColumnFingerprint['storage']>> = {
  p: 'plain',
  e: 'external',
  x: 'extended',
  m: 'main',
};
const POLICY_COMMANDS: Record<string, 'all' | 'select' | 'insert' | 'update' | 'delete'> = {
  '*': 'all',
  r: 'select',
  a: 'insert',
  w: 'update',
  d: 'delete',
};
const DEFAULT_ACL_OBJECTS: Record<string, string> = {
  r: 'tables',
  S: 'sequences',
  f: 'functions',
  T: 'types',
  n: 'schemas',
};
const CAST_CONTEXTS: Record<string, 'explicit' | 'assignment' | 'implicit'> = {
  e: 'explicit',
  a: 'assignment',
  i: 'implicit',
};

const q = (schema: string, name: string) => `${schema}.${name}`;

/**
 * The server's version, and JIT switched off for the catalog statement: its plan is costed high enough (dozens of
 * subplans) that PostgreSQL would JIT-compile it, which takes seconds for a query that runs in tens of
 * milliseconds. The connection's own setting is put back afterwards (and a failed transaction undoes it anyway).
 */
async function prepareSession(client: pg.ClientBase): Promise<{ version: number; jit: string | null }> {
  const { rows } = await client.query<{ v: string; jit: string | null }>(
    "select current_setting('server_version_num') as v, current_setting('jit', true) as jit, set_config('jit', 'off', false)",
  );
  return { version: Number(rows[0]?.v ?? 0), jit: rows[0]?.jit ?? null };
}

/** Read the catalog of `schemas` (default: all user schemas) into a canonical fingerprint. */
export async function fingerprintSchema(
  client: pg.ClientBase,
  options: FingerprintOptions = {},
): Promise<SchemaFingerprint> {
  const excluded = [...STEPBACK_TABLES, ...(options.excludeTables ?? [])];
  const schemas = options.schemas && options.schemas.length > 0 ? [...options.schemas] : null;
  const values = [schemas, excluded];
  const { version, jit } = await prepareSession(client);
  const text = catalogSql(version);
  let result: pg.QueryResult<CatalogRow>;
  try {
    result = await client.query<CatalogRow>(
      options.prepared
        ? { name: `stepback-schema-fingerprint-2-${Math.floor(version / 10000)}`, text, values }
        : { text, values },
    );
  } finally {
    if (jit !== null && jit !== 'off')
      await client.query("select set_config('jit', $1, false)", [jit]).catch(() => {});
  }
  const row = result.rows[0];
  if (!row) throw new Error('the catalog query returned no row');
  return buildFingerprint(row, schemas === null, options.stateSchema);
}

/** Owner, grants and comment, each only when there is one. */
function access(o: { owner?: string; privileges?: Privileges; comment?: string | null }): Access {
  const out: Access = {};
  if (o.owner !== undefined) out.owner = o.owner;
  if (o.privileges !== undefined) out.privileges = o.privileges;
  if (o.comment != null) out.comment = o.comment;
  return out;
}

/**
 * Storage parameters, sorted; undefined when there are none. Parameters named `pg_…` are ones a server keeps
 * for itself (some builds stamp every column with one), not anything a migration set.
 */
function sorted(options: string[] | null | undefined): string[] | undefined {
  const own = (options ?? []).filter((o) => !o.startsWith('pg_'));
  return own.length > 0 ? own.sort() : undefined;
}

function buildFingerprint(row: CatalogRow, allUserSchemas: boolean, stateSchema?: string): SchemaFingerprint {
  // The schema holding stepback's own tables is not listed as one of the user's (it exists because of
  // stepback), nor are its owner and grants compared, unless it is public (which every database has).
  const listed = row.schemas.filter((s) => !(allUserSchemas && stateSchema && s.name === stateSchema));
  const accessOf = row.schemas.filter(
    (s) => !(stateSchema && stateSchema !== 'public' && s.name === stateSchema),
  );
  const tables: Record<string, TableFingerprint> = {};
  for (const t of row.tables) {
    const table: TableFingerprint = {
      kind: TABLE_KINDS[t.kind] ?? 'table',
      rowLevelSecurity: t.rls,
      columns: {},
      constraints: {},
      ...access(t),
    };
    if (t.forceRls) table.forceRowLevelSecurity = true;
    if (t.persistence === 'u') table.unlogged = true;
    const options = sorted(t.options);
    if (options) table.options = options;
    table.replicaIdentity = 'default';
    if (t.replicaIdentity === 'n') table.replicaIdentity = 'nothing';
    else if (t.replicaIdentity === 'f') table.replicaIdentity = 'full';
    else if (t.replicaIdentity === 'i') table.replicaIdentity = `index ${t.replicaIndex ?? '?'}`;
    if (t.partitionKey) table.partitionKey = t.partitionKey;
    if (t.partitionOf) table.partitionOf = t.partitionOf;
    if (t.inherits && t.inherits.length > 0) table.inherits = t.inherits;
    if (t.accessMethod && t.accessMethod !== 'heap') table.accessMethod = t.accessMethod;
    tables[q(t.schema, t.name)] = table;
  }
  const positions = new Map<string, number>();
  for (const c of row.columns) {
    const table = tables[q(c.schema, c.table)];
    if (!table) continue;
    const key = q(c.schema, c.table);
    // Position among live columns (attnum keeps holes where columns were dropped).
    const position = (positions.get(key) ?? 0) + 1;
    positions.set(key, position);
    const column: ColumnFingerprint = {
      type: c.type,
      nullable: !c.notNull,
      default: c.default,
      position,
    };
    if (c.identity) column.identity = c.identity === 'a' ? 'always' : 'by default';
    if (c.generated) column.generated = 'stored';
    if (c.collation) column.collation = c.collation;
    if (c.identityOptions) column.identityOptions = c.identityOptions;
    if (c.storage) column.storage = STORAGE[c.storage] ?? 'extended';
    if (c.compression)
      column.compression = c.compression === 'l' ? 'lz4' : c.compression === 'p' ? 'pglz' : c.compression;
    if (c.statistics !== null) column.statistics = c.statistics;
    const options = sorted(c.options);
    if (options) column.options = options;
    if (c.privileges && Object.keys(c.privileges).length > 0) column.privileges = c.privileges;
    if (c.comment !== null) column.comment = c.comment;
    table.columns[c.name] = column;
  }
  for (const k of row.constraints) {
    const table = tables[q(k.schema, k.table)];
    if (!table) continue;
    const constraint: TableFingerprint['constraints'][string] = {
      type: CONSTRAINT_KINDS[k.type] ?? k.type,
      definition: k.definition,
    };
    const options = sorted(k.indexOptions);
    if (options) constraint.indexOptions = options;
    if (k.comment !== null) constraint.comment = k.comment;
    table.constraints[k.name] = constraint;
  }
  const functions: Record<string, FunctionFingerprint> = {};
  for (const f of row.functions) {
    const fn: FunctionFingerprint = {
      kind: FUNCTION_KINDS[f.kind] ?? 'function',
      returns: f.returns,
      language: f.language,
      volatility: VOLATILITY[f.volatility] ?? 'volatile',
      strict: f.strict,
      securityDefiner: f.securityDefiner,
      config: f.config ?? [],
      // A hash keeps the fingerprint small; the diff only needs to know that the body changed.
      bodyHash: checksumOf(f.source ?? ''),
      arguments: f.arguments,
      parallel: PARALLEL[f.parallel] ?? 'unsafe',
      leakproof: f.leakproof,
      cost: f.cost,
      rows: f.rows,
      ...access(f),
    };
    if (f.sqlBody !== null) fn.sqlBodyHash = checksumOf(f.sqlBody);
    if (f.aggregate !== null) fn.aggregate = f.aggregate;
    functions[`${q(f.schema, f.name)}(${f.args})`] = fn;
  }
  const byName = <T extends { schema: string; name: string }, U>(rows: T[], fn: (r: T) => U) =>
    Object.fromEntries(rows.map((r) => [q(r.schema, r.name), fn(r)]));
  const byTable = <T extends { schema: string; table: string; name: string }, U>(
    rows: T[],
    fn: (r: T) => U,
  ) => Object.fromEntries(rows.map((r) => [q(q(r.schema, r.table), r.name), fn(r)]));
  const withComment = <T extends object>(value: T, comment: string | null): T =>
    comment === null ? value : { ...value, comment };

  const fingerprint: SchemaFingerprint = {
    format: SCHEMA_FINGERPRINT_FORMAT,
    scope: allUserSchemas ? 'all-user-schemas' : 'listed-schemas',
    schemas: listed.map((s) => s.name),
    schemaAccess: Object.fromEntries(accessOf.map((s) => [s.name, access(s)])),
    defaultPrivileges: Object.fromEntries(
      row.default_privileges.map((d) => [
        `for ${d.role}${d.schema === null ? '' : ` in schema ${d.schema}`} on ${DEFAULT_ACL_OBJECTS[d.objtype] ?? d.objtype}`,
        d.privileges,
      ]),
    ),
    tables,
    indexes: byName(row.indexes, (i) =>
      withComment({ table: q(i.schema, i.table), definition: i.definition }, i.comment),
    ),
    views: byName(row.views, (v) => {
      const view: SchemaFingerprint['views'][string] = {
        kind: v.kind === 'm' ? 'materialized view' : 'view',
        definition: v.definition.trim(),
        ...access(v),
      };
      const options = sorted(v.options);
      if (options) view.options = options;
      if (v.columnComments) view.columnComments = v.columnComments;
      return view;
    }),
    sequences: byName(row.sequences, (s) => ({
      type: s.type,
      start: s.start,
      increment: s.increment,
      min: s.min,
      max: s.max,
      cycle: s.cycle,
      cache: s.cache,
      ownedBy: s.ownedBy,
      ...(s.persistence === 'u' ? { unlogged: true } : {}),
      ...access(s),
    })),
    functions,
    enums: byName(row.enums, (e) => ({ values: e.values, ...access(e) })),
    domains: byName(row.domains, (d) => ({
      type: d.type,
      nullable: !d.notNull,
      default: d.default,
      constraints: d.constraints,
      ...access(d),
    })),
    types: byName(row.types, (t) => ({
      kind: t.kind === 'r' ? ('range' as const) : ('composite' as const),
      definition: t.definition,
      ...access(t),
    })),
    triggers: byTable(row.triggers, (t) =>
      withComment(
        {
          definition: t.definition,
          enabled: t.enabled !== 'D',
          firing:
            t.enabled === 'R'
              ? ('replica' as const)
              : t.enabled === 'A'
                ? ('always' as const)
                : ('origin' as const),
        },
        t.comment,
      ),
    ),
    policies: byTable(row.policies, (p) =>
      withComment(
        {
          command: POLICY_COMMANDS[p.command] ?? 'all',
          permissive: p.permissive,
          roles: p.roles ?? [],
          using: p.using,
          withCheck: p.withCheck,
        },
        p.comment,
      ),
    ),
    rules: byTable(row.rules, (r) =>
      withComment({ definition: r.definition, firing: FIRING[r.enabled] ?? 'origin' }, r.comment),
    ),
    statistics: byName(row.statistics, (s) => ({
      table: q(s.schema, s.table),
      definition: s.definition,
      ...(s.target === null ? {} : { target: s.target }),
      ...access(s),
    })),
    publications: Object.fromEntries(
      row.publications.map((p) => [
        p.name,
        {
          allTables: p.allTables,
          publish: p.publish.filter((x): x is string => x !== null),
          viaRoot: p.viaRoot,
          tables: p.tables,
          schemas: p.schemas,
          ...access(p),
        },
      ]),
    ),
    operators: Object.fromEntries(
      row.operators.map((o) => [
        `${q(o.schema, o.name)}(${o.left}, ${o.right})`,
        {
          function: o.function,
          commutator: o.commutator,
          negator: o.negator,
          restrict: o.restrict,
          join: o.join,
          hashes: o.hashes,
          merges: o.merges,
          ...access(o),
        },
      ]),
    ),
    textSearchConfigurations: byName(row.ts_configs, (c) => ({
      parser: c.parser,
      mappings: c.mappings,
      ...access(c),
    })),
    textSearchDictionaries: byName(row.ts_dicts, (d) => ({
      template: d.template,
      options: d.options,
      ...access(d),
    })),
    eventTriggers: Object.fromEntries(
      row.event_triggers.map((e) => [
        e.name,
        {
          event: e.event,
          function: e.function,
          firing: FIRING[e.enabled] ?? 'origin',
          tags: e.tags,
          ...access(e),
        },
      ]),
    ),
    casts: Object.fromEntries(
      row.casts.map((c) => [
        `(${c.source} AS ${c.target})`,
        withComment(
          {
            method:
              c.method === 'f' ? `function ${c.function}` : c.method === 'b' ? 'binary coercible' : 'inout',
            context: CAST_CONTEXTS[c.context] ?? 'explicit',
          },
          c.comment,
        ),
      ]),
    ),
    collations: byName(row.collations, (c) => ({ definition: c.definition, ...access(c) })),
    extensions: Object.fromEntries(
      row.extensions.map((x) => [x.name, { version: x.version, schema: x.schema }]),
    ),
  };
  return canonicalize(fingerprint);
}
