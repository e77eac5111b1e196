/**
 * The one catalog query behind the schema fingerprint (a single statement: one consistent snapshot and one
 * round trip), and the row it returns. src/schema/fingerprint.ts turns the row into the fingerprint.
 *
 * Nothing an OID or the role that ran the migrations would leak into is read as such: objects are named,
 * owners and grantees are role names with the object's owner written `(owner)` and the database's owner
 * `(database owner)`, and grants are read as the privileges they give (the ACL, or the default one when the
 * ACL is null), so a GRANT undone by a REVOKE reads as never granted. Only the catalog's definition of a
 * thing is read, never what data, ANALYZE or VACUUM change (row counts, statistics, sequence positions).
 */

// The database's owner, and role names as described above. `owner` is the object's owning role.
const DB_OWNER = '(select datdba from pg_database where datname = current_database())';
const roleName = (oid: string, owner?: string) =>
  `case when ${oid} = 0 then 'PUBLIC'${owner ? ` when ${oid} = ${owner} then '(owner)'` : ''}` +
  ` when ${oid} = ${DB_OWNER} then '(database owner)' else pg_get_userbyid(${oid})::text end`;
const ownerName = (oid: string) =>
  `case when ${oid} = ${DB_OWNER} then '(database owner)' else pg_get_userbyid(${oid})::text end`;

/** Grants by grantee as a JSON object; `kind` is acldefault's object type. */
const privileges = (
  acl: string,
  kind: string,
  owner: string,
) => `(select coalesce(json_object_agg(g.grantee, g.privs), '{}')
  from (select ${roleName('x.grantee', owner)} as grantee,
      string_agg(x.privilege_type || case when x.grantable then ' (grant option)' else '' end, ', '
        order by x.privilege_type) as privs
    from (select e.grantee, e.privilege_type, bool_or(e.is_grantable) as grantable
      from aclexplode(coalesce(${acl}, acldefault('${kind}', ${owner}))) e group by 1, 2) x
    group by 1) g)`;

/** The comment on an object, by its catalog and sub-id (a column's number). */
const comment = (oid: string, catalog: string, sub = '0') =>
  `(select description from pg_description where objoid = ${oid} and classoid = '${catalog}'::regclass and objsubid = ${sub})`;

/** Owner and comment of an object that has no grants of its own. */
const owned = (oid: string, catalog: string, ownerCol: string) =>
  `'owner', ${ownerName(ownerCol)}, 'comment', ${comment(oid, catalog)}`;

/** Owner, grants and comment of an object. */
const access = (oid: string, catalog: string, ownerCol: string, acl: string, kind: string) =>
  `'owner', ${ownerName(ownerCol)}, 'privileges', ${privileges(acl, kind, ownerCol)}, 'comment', ${comment(oid, catalog)}`;

const notExtension = (oid: string, catalog: string) =>
  `${oid} not in (select objid from ext_objects where classid = '${catalog}'::regclass)`;

/**
 * The statement for a server of `version` (server_version_num): columns that older servers lack are read
 * as null there (SQL-standard bodies and column compression before 14, publication row filters, column lists
 * and schemas before 15, statistics targets and publish_via_partition_root before 13).
 */
export function catalogSql(version: number): string {
  const v13 = version >= 130000;
  const v14 = version >= 140000;
  const v15 = version >= 150000;
  return `
with ns as (
  select n.oid, n.nspname, n.nspowner, n.nspacl from pg_namespace n
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
  (select coalesce(json_agg(json_build_object('name', ns.nspname,
      ${access('ns.oid', 'pg_namespace', 'ns.nspowner', 'ns.nspacl', 'n')}) order by ns.nspname), '[]') from ns)
    as schemas,
  (select coalesce(json_agg(json_build_object(
      'role', ${ownerName('da.defaclrole')}, 'schema', dn.nspname, 'objtype', da.defaclobjtype::text,
      'privileges', ${privileges('da.defaclacl', 'r', 'da.defaclrole')})), '[]')
    from pg_default_acl da left join pg_namespace dn on dn.oid = da.defaclnamespace
    where da.defaclnamespace = 0 or da.defaclnamespace in (select oid from ns)) as default_privileges,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname, 'kind', r.relkind::text,
      'rls', c.relrowsecurity, 'forceRls', c.relforcerowsecurity, 'persistence', c.relpersistence::text,
      'options', c.reloptions, 'replicaIdentity', c.relreplident::text,
      'replicaIndex', (select ic.relname from pg_index i join pg_class ic on ic.oid = i.indexrelid
        where i.indrelid = c.oid and i.indisreplident),
      'partitionKey', case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
      'partitionOf', case when c.relispartition then (select h.inhparent::regclass::text || ' '
        || pg_get_expr(c.relpartbound, c.oid) from pg_inherits h where h.inhrelid = c.oid) end,
      'inherits', case when not c.relispartition then (select json_agg(h.inhparent::regclass::text
        order by h.inhseqno) from pg_inherits h where h.inhrelid = c.oid) end,
      'accessMethod', (select amname from pg_am where oid = c.relam),
      ${access('c.oid', 'pg_class', 'c.relowner', 'c.relacl', 'r')})
      order by r.nspname, r.relname), '[]')
    from rel r join pg_class c on c.oid = r.oid where r.relkind in ('r','p','f')) as tables,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod),
      'notNull', a.attnotnull,
      'default', pg_get_expr(ad.adbin, ad.adrelid),
      'identity', nullif(a.attidentity::text, ''),
      'generated', nullif(a.attgenerated::text, ''),
      'collation', case when a.attcollation <> t.typcollation then co.collname end,
      'identityOptions', case when a.attidentity <> '' then (select format(
          'increment %s, start %s, min %s, max %s, cache %s, %s', s.seqincrement, s.seqstart, s.seqmin,
          s.seqmax, s.seqcache, case when s.seqcycle then 'cycle' else 'no cycle' end)
        from pg_depend d join pg_sequence s on s.seqrelid = d.objid
        where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass
          and d.refobjid = a.attrelid and d.refobjsubid = a.attnum and d.deptype = 'i' limit 1) end,
      'storage', case when a.attstorage <> t.typstorage then a.attstorage::text end,
      'compression', ${v14 ? "nullif(a.attcompression::text, '')" : 'null'},
      'statistics', case when a.attstattarget >= 0 then a.attstattarget end,
      'options', a.attoptions,
      'privileges', case when a.attacl is not null then ${privileges('a.attacl', 'c', 'c.relowner')} end,
      'comment', ${comment('a.attrelid', 'pg_class', 'a.attnum')},
      'attnum', a.attnum) order by r.nspname, r.relname, a.attnum), '[]')
    from rel r
    join pg_class c on c.oid = r.oid
    join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    where r.relkind in ('r','p','f')) as columns,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', k.conname, 'type', k.contype::text,
      'definition', pg_get_constraintdef(k.oid, true),
      'indexOptions', case when k.contype in ('p','u','x') then
        (select ic.reloptions from pg_class ic where ic.oid = k.conindid) end,
      'comment', ${comment('k.oid', 'pg_constraint')})
      order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end,
      'comment', ${comment('i.indexrelid', 'pg_class')})
      order by ir.nspname, ir.relname), '[]')
    from pg_index i
    join rel ir on ir.oid = i.indexrelid
    join rel tr on tr.oid = i.indrelid
    -- Indexes that back a primary key, unique or exclusion constraint are compared as that constraint.
    where not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p','u','x')))
    as indexes,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname, 'kind', r.relkind::text,
      'definition', pg_get_viewdef(r.oid, true), 'options', c.reloptions,
      'columnComments', (select json_object_agg(a.attname, d.description) from pg_attribute a
        join pg_description d on d.objoid = a.attrelid and d.classoid = 'pg_class'::regclass and d.objsubid = a.attnum
        where a.attrelid = c.oid and a.attnum > 0),
      ${access('c.oid', 'pg_class', 'c.relowner', 'c.relacl', 'r')})
      order by r.nspname, r.relname), '[]')
    from rel r join pg_class c on c.oid = r.oid where r.relkind in ('v','m')) as views,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'name', r.relname,
      'type', format_type(s.seqtypid, null), 'start', s.seqstart::text, 'increment', s.seqincrement::text,
      'min', s.seqmin::text, 'max', s.seqmax::text, 'cycle', s.seqcycle, 'cache', s.seqcache::text,
      'ownedBy', (select tc.relname || '.' || ta.attname from pg_depend d
        join pg_class tc on tc.oid = d.refobjid
        join pg_attribute ta on ta.attrelid = d.refobjid and ta.attnum = d.refobjsubid
        where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.deptype = 'a' limit 1),
      'persistence', c.relpersistence::text,
      ${access('c.oid', 'pg_class', 'c.relowner', 'c.relacl', 's')})
      order by r.nspname, r.relname), '[]')
    from rel r join pg_sequence s on s.seqrelid = r.oid join pg_class c on c.oid = r.oid
    -- Identity sequences are part of their column (compared there).
    where not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = r.oid
      and d.deptype = 'i')) as sequences,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', p.proname,
      'args', pg_get_function_identity_arguments(p.oid),
      'arguments', pg_get_function_arguments(p.oid),
      'kind', p.prokind::text,
      'returns', case when p.prokind in ('f','w') then pg_get_function_result(p.oid) end,
      'language', l.lanname, 'volatility', p.provolatile::text, 'strict', p.proisstrict,
      'securityDefiner', p.prosecdef, 'config', p.proconfig,
      'parallel', p.proparallel::text, 'leakproof', p.proleakproof, 'cost', p.procost::text,
      'rows', p.prorows::text,
      'source', p.prosrc,
      'sqlBody', ${v14 ? 'case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) end' : 'null'},
      'aggregate', (select concat_ws(', ', 'transition ' || ag.aggtransfn::regprocedure::text,
          'state ' || format_type(ag.aggtranstype, null), 'final ' || nullif(ag.aggfinalfn, 0)::regprocedure::text,
          'combine ' || nullif(ag.aggcombinefn, 0)::regprocedure::text, 'initial ' || ag.agginitval,
          'sort ' || nullif(ag.aggsortop, 0)::regoperator::text, 'kind ' || ag.aggkind::text)
        from pg_aggregate ag where ag.aggfnoid = p.oid),
      ${access('p.oid', 'pg_proc', 'p.proowner', 'p.proacl', 'f')})
      order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where ${notExtension('p.oid', 'pg_proc')}
      -- A range type's constructors are part of the type (owned by the bootstrap superuser, whoever made it).
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
        and d.deptype = 'i')) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid),
      ${access('t.oid', 'pg_type', 't.typowner', 't.typacl', 'T')}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and ${notExtension('t.oid', 'pg_type')}) as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid),
      ${access('t.oid', 'pg_type', 't.typowner', 't.typacl', 'T')}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and ${notExtension('t.oid', 'pg_type')}) as domains,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname, 'kind', t.typtype::text,
      'definition', case when t.typtype = 'c' then
        (select coalesce(json_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
            || case when a.attcollation <> at.typcollation then ' COLLATE ' || quote_ident(co.collname) else '' end
            order by a.attnum), '[]')
          from pg_attribute a join pg_type at on at.oid = a.atttypid
          left join pg_collation co on co.oid = a.attcollation
          where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped)
        else (select json_build_array('subtype ' || format_type(rg.rngsubtype, null),
            'collation ' || coalesce((select collname from pg_collation where oid = rg.rngcollation), 'default'),
            'operator class ' || (select opcname from pg_opclass where oid = rg.rngsubopc),
            'canonical ' || coalesce(nullif(rg.rngcanonical, 0)::regproc::text, 'none'),
            'subtype_diff ' || coalesce(nullif(rg.rngsubdiff, 0)::regproc::text, 'none'))
          from pg_range rg where rg.rngtypid = t.oid) end,
      ${access('t.oid', 'pg_type', 't.typowner', 't.typacl', 'T')}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where (t.typtype = 'r' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${notExtension('t.oid', 'pg_type')}) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text,
      'comment', ${comment('g.oid', 'pg_trigger')})
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', (select json_agg(${roleName('x', 'c.relowner')} order by ${roleName('x', 'c.relowner')})
        from unnest(p.polroles) x),
      'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${comment('p.oid', 'pg_policy')})
      order by r.nspname, r.relname, p.polname), '[]')
    from rel r join pg_policy p on p.polrelid = r.oid join pg_class c on c.oid = r.oid) as policies,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', w.rulename,
      'definition', pg_get_ruledef(w.oid, true), 'enabled', w.ev_enabled::text,
      'comment', ${comment('w.oid', 'pg_rewrite')})
      order by r.nspname, r.relname, w.rulename), '[]')
    from rel r join pg_rewrite w on w.ev_class = r.oid where w.rulename <> '_RETURN') as rules,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', s.stxname, 'table', r.relname,
      'definition', pg_get_statisticsobjdef(s.oid),
      'target', ${v13 ? 'case when s.stxstattarget >= 0 then s.stxstattarget end' : 'null'},
      ${owned('s.oid', 'pg_statistic_ext', 's.stxowner')}) order by ns.nspname, s.stxname), '[]')
    from pg_statistic_ext s join ns on ns.oid = s.stxnamespace join rel r on r.oid = s.stxrelid) as statistics,
  (select coalesce(json_agg(json_build_object(
      'name', pb.pubname, 'allTables', pb.puballtables,
      'publish', json_build_array(case when pb.pubinsert then 'insert' end, case when pb.pubupdate then 'update' end,
        case when pb.pubdelete then 'delete' end, case when pb.pubtruncate then 'truncate' end),
      'viaRoot', ${v13 ? 'pb.pubviaroot' : 'false'},
      'tables', (select coalesce(json_agg(pr.prrelid::regclass::text
          ${
            v15
              ? `|| coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)) || ')', '')
              || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')`
              : ''
          }
          order by pr.prrelid::regclass::text), '[]')
        from pg_publication_rel pr where pr.prrelid in (select oid from rel)),
      'schemas', ${
        v15
          ? `(select coalesce(json_agg(pn.nspname order by pn.nspname), '[]') from pg_publication_namespace pp
        join pg_namespace pn on pn.oid = pp.pnnspid where pp.pnpubid = pb.oid)`
          : `'[]'::json`
      },
      ${owned('pb.oid', 'pg_publication', 'pb.pubowner')}) order by pb.pubname), '[]')
    from pg_publication pb) as publications,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', o.oprname,
      'left', coalesce(format_type(nullif(o.oprleft, 0), null), 'NONE'),
      'right', coalesce(format_type(nullif(o.oprright, 0), null), 'NONE'),
      'function', o.oprcode::regprocedure::text,
      'commutator', nullif(o.oprcom, 0)::regoperator::text, 'negator', nullif(o.oprnegate, 0)::regoperator::text,
      'restrict', nullif(o.oprrest, 0)::regproc::text, 'join', nullif(o.oprjoin, 0)::regproc::text,
      'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
      ${owned('o.oid', 'pg_operator', 'o.oprowner')})
      order by ns.nspname, o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text), '[]')
    from pg_operator o join ns on ns.oid = o.oprnamespace where ${notExtension('o.oid', 'pg_operator')})
    as operators,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', cfg.cfgname,
      'parser', (select pn.nspname || '.' || pp.prsname from pg_ts_parser pp
        join pg_namespace pn on pn.oid = pp.prsnamespace where pp.oid = cfg.cfgparser),
      'mappings', (select coalesce(json_agg(tt.alias || ': ' || m.dicts order by tt.alias), '[]')
        from ts_token_type(cfg.cfgparser) tt
        join (select maptokentype, string_agg(mapdict::regdictionary::text, ', ' order by mapseqno) as dicts
          from pg_ts_config_map where mapcfg = cfg.oid group by maptokentype) m on m.maptokentype = tt.tokid),
      ${owned('cfg.oid', 'pg_ts_config', 'cfg.cfgowner')}) order by ns.nspname, cfg.cfgname), '[]')
    from pg_ts_config cfg join ns on ns.oid = cfg.cfgnamespace where ${notExtension('cfg.oid', 'pg_ts_config')})
    as ts_configs,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', dct.dictname,
      'template', (select tn.nspname || '.' || tp.tmplname from pg_ts_template tp
        join pg_namespace tn on tn.oid = tp.tmplnamespace where tp.oid = dct.dicttemplate),
      'options', dct.dictinitoption,
      ${owned('dct.oid', 'pg_ts_dict', 'dct.dictowner')}) order by ns.nspname, dct.dictname), '[]')
    from pg_ts_dict dct join ns on ns.oid = dct.dictnamespace where ${notExtension('dct.oid', 'pg_ts_dict')})
    as ts_dicts,
  (select coalesce(json_agg(json_build_object(
      'name', et.evtname, 'event', et.evtevent, 'function', et.evtfoid::regprocedure::text,
      'enabled', et.evtenabled::text, 'tags', coalesce(to_json(et.evttags), '[]'),
      ${owned('et.oid', 'pg_event_trigger', 'et.evtowner')}) order by et.evtname), '[]')
    from pg_event_trigger et where ${notExtension('et.oid', 'pg_event_trigger')}) as event_triggers,
  (select coalesce(json_agg(json_build_object(
      'source', format_type(ca.castsource, null), 'target', format_type(ca.casttarget, null),
      'function', nullif(ca.castfunc, 0)::regprocedure::text, 'method', ca.castmethod::text,
      'context', ca.castcontext::text, 'comment', ${comment('ca.oid', 'pg_cast')})
      order by format_type(ca.castsource, null), format_type(ca.casttarget, null)), '[]')
    -- Casts of the system's own are there in every database; only those made since are the schema's.
    from pg_cast ca where ca.oid >= 16384 and ${notExtension('ca.oid', 'pg_cast')}) as casts,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', co.collname,
      -- Every property the server has (provider, locales, deterministic, …) without naming version-specific
      -- columns; not collversion, the library's version on this machine.
      'definition', (select coalesce(json_agg(j.key || '=' || coalesce(j.value #>> '{}', 'none') order by j.key), '[]')
        from jsonb_each(to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion') j),
      ${owned('co.oid', 'pg_collation', 'co.collowner')}) order by ns.nspname, co.collname), '[]')
    from pg_collation co join ns on ns.oid = co.collnamespace where ${notExtension('co.oid', 'pg_collation')})
    as collations,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`;
}

type Options = string[] | null;
interface Owned {
  owner: string;
  /** Absent for objects without grants of their own (statistics, publications, operators, …). */
  privileges?: Record<string, string>;
  comment: string | null;
}

export interface CatalogRow {
  schemas: ({ name: string } & Owned)[];
  default_privileges: {
    role: string;
    schema: string | null;
    objtype: string;
    privileges: Record<string, string>;
  }[];
  tables: ({
    schema: string;
    name: string;
    kind: string;
    rls: boolean;
    forceRls: boolean;
    persistence: string;
    options: Options;
    replicaIdentity: string;
    replicaIndex: string | null;
    partitionKey: string | null;
    partitionOf: string | null;
    inherits: string[] | null;
    accessMethod: string | null;
  } & Owned)[];
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
    identityOptions: string | null;
    storage: string | null;
    compression: string | null;
    statistics: number | null;
    options: Options;
    privileges: Record<string, string> | null;
    comment: string | null;
    attnum: number;
  }[];
  constraints: {
    schema: string;
    table: string;
    name: string;
    type: string;
    definition: string;
    indexOptions: Options;
    comment: string | null;
  }[];
  indexes: { schema: string; name: string; table: string; definition: string; comment: string | null }[];
  views: ({
    schema: string;
    name: string;
    kind: string;
    definition: string;
    options: Options;
    columnComments: Record<string, string> | null;
  } & Owned)[];
  sequences: ({
    schema: string;
    name: string;
    type: string;
    start: string;
    increment: string;
    min: string;
    max: string;
    cycle: boolean;
    cache: string;
    ownedBy: string | null;
    persistence: string;
  } & Owned)[];
  functions: ({
    schema: string;
    name: string;
    args: string;
    arguments: string;
    kind: string;
    returns: string | null;
    language: string;
    volatility: string;
    strict: boolean;
    securityDefiner: boolean;
    config: string[] | null;
    parallel: string;
    leakproof: boolean;
    cost: string;
    rows: string;
    source: string | null;
    sqlBody: string | null;
    aggregate: string | null;
  } & Owned)[];
  enums: ({ schema: string; name: string; values: string[] } & Owned)[];
  domains: ({
    schema: string;
    name: string;
    type: string;
    notNull: boolean;
    default: string | null;
    constraints: string[];
  } & Owned)[];
  types: ({ schema: string; name: string; kind: string; definition: string[] } & Owned)[];
  triggers: {
    schema: string;
    table: string;
    name: string;
    definition: string;
    enabled: string;
    comment: string | null;
  }[];
  policies: {
    schema: string;
    table: string;
    name: string;
    command: string;
    permissive: boolean;
    roles: string[] | null;
    using: string | null;
    withCheck: string | null;
    comment: string | null;
  }[];
  rules: {
    schema: string;
    table: string;
    name: string;
    definition: string;
    enabled: string;
    comment: string | null;
  }[];
  statistics: ({
    schema: string;
    name: string;
    table: string;
    definition: string;
    target: number | null;
  } & Owned)[];
  publications: ({
    name: string;
    allTables: boolean;
    publish: (string | null)[];
    viaRoot: boolean;
    tables: string[];
    schemas: string[];
  } & Owned)[];
  operators: ({
    schema: string;
    name: string;
    left: string;
    right: string;
    function: string;
    commutator: string | null;
    negator: string | null;
    restrict: string | null;
    join: string | null;
    hashes: boolean;
    merges: boolean;
  } & Owned)[];
  ts_configs: ({ schema: string; name: string; parser: string; mappings: string[] } & Owned)[];
  ts_dicts: ({ schema: string; name: string; template: string; options: string | null } & Owned)[];
  event_triggers: ({
    name: string;
    event: string;
    function: string;
    enabled: string;
    tags: string[];
  } & Owned)[];
  casts: {
    source: string;
    target: string;
    function: string | null;
    method: string;
    context: string;
    comment: string | null;
  }[];
  collations: ({ schema: string; name: string; definition: string[] } & Owned)[];
  extensions: { name: string; version: string; schema: string }[];
}
