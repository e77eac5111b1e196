/**
 * The schema fingerprint (how a rollback and a rehearsal prove the schema is what it was): what the migrations made of the database —
 * tables, columns, constraints, indexes, views, functions, sequences, enums, domains, triggers, extensions —
 * as a canonical, sorted, JSON-able object. Two databases built by the same migrations give equal
 * fingerprints; comparing them lives in src/core/schema-diff.ts (pure).
 *
 * One catalog query (a single statement, so one consistent snapshot and one round trip). Objects are keyed
 * by qualified name so the comparison never depends on catalog order or OIDs. stepback's own tables (and
 * everything hanging off them) are left out: they change on every apply by design.
 */
import type pg from 'pg';
import { checksumOf } from '../core/checksum.ts';
import type {
  ColumnFingerprint,
  FunctionFingerprint,
  SchemaFingerprint,
  SequenceFingerprint,
  TableFingerprint,
} from '../core/schema-diff.ts';
import { canonicalize, SCHEMA_FINGERPRINT_FORMAT } from '../core/schema-diff.ts';

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

// $1 = schema names or null for all user schemas, $2 = excluded table names.
// `rel` is every relation in scope that is not an excluded table, not owned by an extension and not
// hanging off an excluded table (its indexes, owned sequences, toast).
const CATALOG_SQL = `
with ns as (
  select n.oid, n.nspname from pg_namespace n
  where case when $1::text[] is null
    then n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
    else n.nspname = any($1::text[]) end
),
ext_objects as (
  select objid, classid from pg_depend where deptype = 'e'
),
excluded as (
  select c.oid from pg_class c join ns on ns.oid = c.relnamespace
  where c.relkind in ('r','p') and c.relname = any($2::text[])
),
rel as (
  select c.oid, c.relname, c.relkind, ns.nspname
  from pg_class c join ns on ns.oid = c.relnamespace
  where c.oid not in (select oid from excluded)
    and c.oid not in (select objid from ext_objects where classid = 'pg_class'::regclass)
    and not exists (
      select 1 from pg_depend d
      where d.classid = 'pg_class'::regclass and d.objid = c.oid
        and d.refclassid = 'pg_class'::regclass and d.refobjid in (select oid from excluded))
    and not exists (select 1 from pg_index i where i.indexrelid = c.oid and i.indrelid in (select oid from excluded))
)
select
  (select coalesce(json_agg(nspname order by nspname), '[]') from ns) as schemas,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname, 'kind', r.relkind::text,
      'rls', c.relrowsecurity) order by r.nspname, r.relname), '[]')
    from rel r join pg_class c on c.oid = r.oid where r.relkind in ('r','p','f')) as tables,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'notNull', a.attnotnull,
      'default', pg_get_expr(ad.adbin, ad.adrelid),
      'identity', nullif(a.attidentity::text, ''),
      'generated', nullif(a.attgenerated::text, ''),
      'collation', case when a.attcollation <> t.typcollation then co.collname end,
      'attnum', a.attnum) order by r.nspname, r.relname, a.attnum), '[]')
    from rel r
    join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    where r.relkind in ('r','p','f')) as columns,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', k.conname, 'type', k.contype::text,
      'definition', pg_get_constraintdef(k.oid, true)) order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end)
      order by ir.nspname, ir.relname), '[]')
    from pg_index i
    join rel ir on ir.oid = i.indexrelid
    join rel tr on tr.oid = i.indrelid
    -- Indexes that back a primary key, unique or exclusion constraint are compared as that constraint.
    where not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p','u','x')))
    as indexes,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname, 'kind', r.relkind::text,
      'definition', pg_get_viewdef(r.oid, true)) order by r.nspname, r.relname), '[]')
    from rel r where r.relkind in ('v','m')) as views,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname,
      'type', format_type(s.seqtypid, null), 'start', s.seqstart::text, 'increment', s.seqincrement::text,
      'min', s.seqmin::text, 'max', s.seqmax::text, 'cycle', s.seqcycle, 'cache', s.seqcache::text,
      'ownedBy', (select tc.relname || '.' || ta.attname from pg_depend d
        join pg_class tc on tc.oid = d.refobjid
        join pg_attribute ta on ta.attrelid = d.refobjid and ta.attnum = d.refobjsubid
        where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.deptype = 'a' limit 1))
      order by r.nspname, r.relname), '[]')
    from rel r join pg_sequence s on s.seqrelid = r.oid
    -- Identity sequences are part of their column (compared there).
    where not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = r.oid
      and d.deptype = 'i')) as sequences,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', p.proname,
      'args', pg_get_function_identity_arguments(p.oid),
      'kind', p.prokind::text,
      'returns', case when p.prokind in ('f','w') then pg_get_function_result(p.oid) end,
      'language', l.lanname, 'volatility', p.provolatile::text, 'strict', p.proisstrict,
      'securityDefiner', p.prosecdef, 'config', p.proconfig,
      'source', p.prosrc) order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where p.oid not in (select objid from ext_objects where classid = 'pg_proc'::regclass)) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid)) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and t.oid not in (select objid from ext_objects where classid = 'pg_type'::regclass))
    as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid)) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and t.oid not in (select objid from ext_objects where classid = 'pg_type'::regclass))
    as domains,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text)
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`;

interface CatalogRow {
  schemas: string[];
  tables: { schema: string; name: string; kind: string; rls: boolean }[];
  columns: {
    schema: string;
    table: string;
    name: string;
    type: string;
    notNull: boolean;
    default: string | null;
    identity: string | null;
    generated: string | null;
    collation: string | null;
    attnum: number;
  }[];
  constraints: { schema: string; table: string; name: string; type: string; definition: string }[];
  indexes: { schema: string; name: string; table: string; definition: string }[];
  views: { schema: string; name: string; kind: string; definition: string }[];
  sequences: (SequenceFingerprint & { schema: string; name: string })[];
  functions: {
    schema: string;
    name: string;
    args: string;
    kind: string;
    returns: string | null;
    language: string;
    volatility: string;
    strict: boolean;
    securityDefiner: boolean;
    config: string[] | null;
    source: string | null;
  }[];
  enums: { schema: string; name: string; values: string[] }[];
  domains: {
    schema: string;
    name: string;
    type: string;
    notNull: boolean;
    default: string | null;
    constraints: string[];
  }[];
  triggers: { schema: string; table: string; name: string; definition: string; enabled: string }[];
  extensions: { name: string; version: string; schema: string }[];
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

const q = (schema: string, name: string) => `${schema}.${name}`;

/** Read the catalog of `schemas` (default: all user schemas) into a canonical fingerprint. */
export async function fingerprintSchema(
  client: pg.ClientBase,
  options: FingerprintOptions = {},
): Promise<SchemaFingerprint> {
  const excluded = [...STEPBACK_TABLES, ...(options.excludeTables ?? [])];
  const schemas = options.schemas && options.schemas.length > 0 ? [...options.schemas] : null;
  const values = [schemas, excluded];
  const result = await client.query<CatalogRow>(
    options.prepared
      ? { name: 'stepback-schema-fingerprint-1', text: CATALOG_SQL, values }
      : { text: CATALOG_SQL, values },
  );
  const row = result.rows[0];
  if (!row) throw new Error('the catalog query returned no row');
  if (options.stateSchema && schemas === null)
    row.schemas = row.schemas.filter((s) => s !== options.stateSchema);
  return buildFingerprint(row, schemas === null);
}

function buildFingerprint(row: CatalogRow, allUserSchemas: boolean): SchemaFingerprint {
  const tables: Record<string, TableFingerprint> = {};
  for (const t of row.tables) {
    tables[q(t.schema, t.name)] = {
      kind: TABLE_KINDS[t.kind] ?? 'table',
      rowLevelSecurity: t.rls,
      columns: {},
      constraints: {},
    };
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
    table.columns[c.name] = column;
  }
  for (const k of row.constraints) {
    const table = tables[q(k.schema, k.table)];
    if (!table) continue;
    table.constraints[k.name] = { type: CONSTRAINT_KINDS[k.type] ?? k.type, definition: k.definition };
  }
  const sequences: Record<string, SequenceFingerprint> = {};
  for (const s of row.sequences) {
    sequences[q(s.schema, s.name)] = {
      type: s.type,
      start: s.start,
      increment: s.increment,
      min: s.min,
      max: s.max,
      cycle: s.cycle,
      cache: s.cache,
      ownedBy: s.ownedBy,
    };
  }
  const functions: Record<string, FunctionFingerprint> = {};
  for (const f of row.functions) {
    functions[`${q(f.schema, f.name)}(${f.args})`] = {
      kind: FUNCTION_KINDS[f.kind] ?? 'function',
      returns: f.returns,
      language: f.language,
      volatility: VOLATILITY[f.volatility] ?? 'volatile',
      strict: f.strict,
      securityDefiner: f.securityDefiner,
      config: f.config ?? [],
      // A hash keeps the fingerprint small; the diff only needs to know that the body changed.
      bodyHash: checksumOf(f.source ?? ''),
    };
  }
  const fingerprint: SchemaFingerprint = {
    format: SCHEMA_FINGERPRINT_FORMAT,
    scope: allUserSchemas ? 'all-user-schemas' : 'listed-schemas',
    schemas: row.schemas,
    tables,
    indexes: Object.fromEntries(
      row.indexes.map((i) => [
        q(i.schema, i.name),
        { table: q(i.schema, i.table), definition: i.definition },
      ]),
    ),
    views: Object.fromEntries(
      row.views.map((v) => [
        q(v.schema, v.name),
        { kind: v.kind === 'm' ? 'materialized view' : 'view', definition: v.definition.trim() },
      ]),
    ),
    sequences,
    functions,
    enums: Object.fromEntries(row.enums.map((e) => [q(e.schema, e.name), { values: e.values }])),
    domains: Object.fromEntries(
      row.domains.map((d) => [
        q(d.schema, d.name),
        { type: d.type, nullable: !d.notNull, default: d.default, constraints: d.constraints },
      ]),
    ),
    triggers: Object.fromEntries(
      row.triggers.map((t) => [
        q(q(t.schema, t.table), t.name),
        { definition: t.definition, enabled: t.enabled !== 'D' },
      ]),
    ),
    extensions: Object.fromEntries(
      row.extensions.map((x) => [x.name, { version: x.version, schema: x.schema }]),
    ),
  };
  return canonicalize(fingerprint);
}
