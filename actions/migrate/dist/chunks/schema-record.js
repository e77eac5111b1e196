import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as N,b as v,c as $,d as I,e as F}from"./shared-core-schema-diff.js";import{c as T}from"./shared-core-checksum.js";import"./shared-chunk-2.js";var L="owners, grants and default privileges, comments, RLS policies and FORCE, SQL-standard function bodies, function argument defaults, PARALLEL, LEAKPROOF, COST and ROWS, aggregate definitions, view and table options, UNLOGGED, REPLICA IDENTITY, partitions and inheritance, identity sequence options, column STORAGE, COMPRESSION and statistics targets, trigger firing modes, rules, composite and range types, extended statistics, publications, operators, text search configurations and dictionaries, event triggers, casts and collations";function O(n,t){let s={};for(let r of t)n[r]!==void 0&&(s[r]=n[r]);return s}function u(n,t){return Object.fromEntries(Object.entries(n).map(([s,r])=>[s,t(r)]))}function D(n){let t=s=>({kind:s.kind,rowLevelSecurity:s.rowLevelSecurity,columns:u(s.columns,r=>O(r,["type","nullable","default","position","identity","generated","collation"])),constraints:u(s.constraints,r=>({type:r.type,definition:r.definition}))});return $({format:v,scope:n.scope,schemas:n.schemas,tables:u(n.tables,t),indexes:u(n.indexes,s=>({table:s.table,definition:s.definition})),views:u(n.views,s=>({kind:s.kind,definition:s.definition})),sequences:u(n.sequences,s=>O(s,["type","start","increment","min","max","cycle","cache","ownedBy"])),functions:u(n.functions,s=>O(s,["kind","returns","language","volatility","strict","securityDefiner","config","bodyHash"])),enums:u(n.enums,s=>({values:s.values})),domains:u(n.domains,s=>O(s,["type","nullable","default","constraints"])),triggers:u(n.triggers,s=>({definition:s.definition,enabled:s.enabled})),extensions:n.extensions})}var P="(select datdba from pg_database where datname = current_database())",S=(n,t)=>`case when ${n} = 0 then 'PUBLIC'${t?` when ${n} = ${t} then '(owner)'`:""} when ${n} = ${P} then '(database owner)' else pg_get_userbyid(${n})::text end`,q=n=>`case when ${n} = ${P} then '(database owner)' else pg_get_userbyid(${n})::text end`,A=(n,t,s)=>`(select coalesce(json_object_agg(g.grantee, g.privs), '{}')
  from (select ${S("x.grantee",s)} as grantee,
      string_agg(x.privilege_type || case when x.grantable then ' (grant option)' else '' end, ', '
        order by x.privilege_type) as privs
    from (select e.grantee, e.privilege_type, bool_or(e.is_grantable) as grantable
      from aclexplode(coalesce(${n}, acldefault('${t}', ${s}))) e group by 1, 2) x
    group by 1) g)`,h=(n,t,s="0")=>`(select description from pg_description where objoid = ${n} and classoid = '${t}'::regclass and objsubid = ${s})`,j=(n,t,s)=>`'owner', ${q(s)}, 'comment', ${h(n,t)}`,b=(n,t,s,r,o)=>`'owner', ${q(s)}, 'privileges', ${A(r,o,s)}, 'comment', ${h(n,t)}`,f=(n,t)=>`${n} not in (select objid from ext_objects where classid = '${t}'::regclass)`;function B(n){let t=n>=13e4,s=n>=14e4,r=n>=15e4;return`
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
      ${b("ns.oid","pg_namespace","ns.nspowner","ns.nspacl","n")}) order by ns.nspname), '[]') from ns)
    as schemas,
  (select coalesce(json_agg(json_build_object(
      'role', ${q("da.defaclrole")}, 'schema', dn.nspname, 'objtype', da.defaclobjtype::text,
      'privileges', ${A("da.defaclacl","r","da.defaclrole")})), '[]')
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
      ${b("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      'compression', ${s?"nullif(a.attcompression::text, '')":"null"},
      'statistics', case when a.attstattarget >= 0 then a.attstattarget end,
      'options', a.attoptions,
      'privileges', case when a.attacl is not null then ${A("a.attacl","c","c.relowner")} end,
      'comment', ${h("a.attrelid","pg_class","a.attnum")},
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
      'comment', ${h("k.oid","pg_constraint")})
      order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end,
      'comment', ${h("i.indexrelid","pg_class")})
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
      ${b("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      ${b("c.oid","pg_class","c.relowner","c.relacl","s")})
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
      'sqlBody', ${s?"case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) end":"null"},
      'aggregate', (select concat_ws(', ', 'transition ' || ag.aggtransfn::regprocedure::text,
          'state ' || format_type(ag.aggtranstype, null), 'final ' || nullif(ag.aggfinalfn, 0)::regprocedure::text,
          'combine ' || nullif(ag.aggcombinefn, 0)::regprocedure::text, 'initial ' || ag.agginitval,
          'sort ' || nullif(ag.aggsortop, 0)::regoperator::text, 'kind ' || ag.aggkind::text)
        from pg_aggregate ag where ag.aggfnoid = p.oid),
      ${b("p.oid","pg_proc","p.proowner","p.proacl","f")})
      order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where ${f("p.oid","pg_proc")}
      -- A range type's constructors are part of the type (owned by the bootstrap superuser, whoever made it).
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
        and d.deptype = 'i')) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid),
      ${b("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and ${f("t.oid","pg_type")}) as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid),
      ${b("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and ${f("t.oid","pg_type")}) as domains,
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
      ${b("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where (t.typtype = 'r' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${f("t.oid","pg_type")}) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text,
      'comment', ${h("g.oid","pg_trigger")})
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', (select json_agg(${S("x","c.relowner")} order by ${S("x","c.relowner")})
        from unnest(p.polroles) x),
      'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${h("p.oid","pg_policy")})
      order by r.nspname, r.relname, p.polname), '[]')
    from rel r join pg_policy p on p.polrelid = r.oid join pg_class c on c.oid = r.oid) as policies,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', w.rulename,
      'definition', pg_get_ruledef(w.oid, true), 'enabled', w.ev_enabled::text,
      'comment', ${h("w.oid","pg_rewrite")})
      order by r.nspname, r.relname, w.rulename), '[]')
    from rel r join pg_rewrite w on w.ev_class = r.oid where w.rulename <> '_RETURN') as rules,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', s.stxname, 'table', r.relname,
      'definition', pg_get_statisticsobjdef(s.oid),
      'target', ${t?"case when s.stxstattarget >= 0 then s.stxstattarget end":"null"},
      ${j("s.oid","pg_statistic_ext","s.stxowner")}) order by ns.nspname, s.stxname), '[]')
    from pg_statistic_ext s join ns on ns.oid = s.stxnamespace join rel r on r.oid = s.stxrelid) as statistics,
  (select coalesce(json_agg(json_build_object(
      'name', pb.pubname, 'allTables', pb.puballtables,
      'publish', json_build_array(case when pb.pubinsert then 'insert' end, case when pb.pubupdate then 'update' end,
        case when pb.pubdelete then 'delete' end, case when pb.pubtruncate then 'truncate' end),
      'viaRoot', ${t?"pb.pubviaroot":"false"},
      'tables', (select coalesce(json_agg(pr.prrelid::regclass::text
          ${r?`|| coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)) || ')', '')
              || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')`:""}
          order by pr.prrelid::regclass::text), '[]')
        from pg_publication_rel pr where pr.prrelid in (select oid from rel)),
      'schemas', ${r?`(select coalesce(json_agg(pn.nspname order by pn.nspname), '[]') from pg_publication_namespace pp
        join pg_namespace pn on pn.oid = pp.pnnspid where pp.pnpubid = pb.oid)`:"'[]'::json"},
      ${j("pb.oid","pg_publication","pb.pubowner")}) order by pb.pubname), '[]')
    from pg_publication pb) as publications,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', o.oprname,
      'left', coalesce(format_type(nullif(o.oprleft, 0), null), 'NONE'),
      'right', coalesce(format_type(nullif(o.oprright, 0), null), 'NONE'),
      'function', o.oprcode::regprocedure::text,
      'commutator', nullif(o.oprcom, 0)::regoperator::text, 'negator', nullif(o.oprnegate, 0)::regoperator::text,
      'restrict', nullif(o.oprrest, 0)::regproc::text, 'join', nullif(o.oprjoin, 0)::regproc::text,
      'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
      ${j("o.oid","pg_operator","o.oprowner")})
      order by ns.nspname, o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text), '[]')
    from pg_operator o join ns on ns.oid = o.oprnamespace where ${f("o.oid","pg_operator")})
    as operators,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', cfg.cfgname,
      'parser', (select pn.nspname || '.' || pp.prsname from pg_ts_parser pp
        join pg_namespace pn on pn.oid = pp.prsnamespace where pp.oid = cfg.cfgparser),
      'mappings', (select coalesce(json_agg(tt.alias || ': ' || m.dicts order by tt.alias), '[]')
        from ts_token_type(cfg.cfgparser) tt
        join (select maptokentype, string_agg(mapdict::regdictionary::text, ', ' order by mapseqno) as dicts
          from pg_ts_config_map where mapcfg = cfg.oid group by maptokentype) m on m.maptokentype = tt.tokid),
      ${j("cfg.oid","pg_ts_config","cfg.cfgowner")}) order by ns.nspname, cfg.cfgname), '[]')
    from pg_ts_config cfg join ns on ns.oid = cfg.cfgnamespace where ${f("cfg.oid","pg_ts_config")})
    as ts_configs,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', dct.dictname,
      'template', (select tn.nspname || '.' || tp.tmplname from pg_ts_template tp
        join pg_namespace tn on tn.oid = tp.tmplnamespace where tp.oid = dct.dicttemplate),
      'options', dct.dictinitoption,
      ${j("dct.oid","pg_ts_dict","dct.dictowner")}) order by ns.nspname, dct.dictname), '[]')
    from pg_ts_dict dct join ns on ns.oid = dct.dictnamespace where ${f("dct.oid","pg_ts_dict")})
    as ts_dicts,
  (select coalesce(json_agg(json_build_object(
      'name', et.evtname, 'event', et.evtevent, 'function', et.evtfoid::regprocedure::text,
      'enabled', et.evtenabled::text, 'tags', coalesce(to_json(et.evttags), '[]'),
      ${j("et.oid","pg_event_trigger","et.evtowner")}) order by et.evtname), '[]')
    from pg_event_trigger et where ${f("et.oid","pg_event_trigger")}) as event_triggers,
  (select coalesce(json_agg(json_build_object(
      'source', format_type(ca.castsource, null), 'target', format_type(ca.casttarget, null),
      'function', nullif(ca.castfunc, 0)::regprocedure::text, 'method', ca.castmethod::text,
      'context', ca.castcontext::text, 'comment', ${h("ca.oid","pg_cast")})
      order by format_type(ca.castsource, null), format_type(ca.casttarget, null)), '[]')
    -- Casts of the system's own are there in every database; only those made since are the schema's.
    from pg_cast ca where ca.oid >= 16384 and ${f("ca.oid","pg_cast")}) as casts,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', co.collname,
      -- Every property the server has (provider, locales, deterministic, \u2026) without naming version-specific
      -- columns; not collversion, the library's version on this machine.
      'definition', (select coalesce(json_agg(j.key || '=' || coalesce(j.value #>> '{}', 'none') order by j.key), '[]')
        from jsonb_each(to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion') j),
      ${j("co.oid","pg_collation","co.collowner")}) order by ns.nspname, co.collname), '[]')
    from pg_collation co join ns on ns.oid = co.collnamespace where ${f("co.oid","pg_collation")})
    as collations,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`}var H=["stepback_migrations","stepback_events","stepback_fingerprints"],V={r:"table",p:"partitioned table",f:"foreign table"},Y={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},W={f:"function",p:"procedure",a:"aggregate",w:"window"},X={i:"immutable",s:"stable",v:"volatile"},J={s:"safe",r:"restricted",u:"unsafe"},M={O:"origin",D:"disabled",R:"replica",A:"always"},Q={p:"plain",e:"external",x:"extended",m:"main"},Z={"*":"all",r:"select",a:"insert",w:"update",d:"delete"},ee={r:"tables",S:"sequences",f:"functions",T:"types",n:"schemas"},ne={e:"explicit",a:"assignment",i:"implicit"},m=(n,t)=>`${n}.${t}`;async function te(n){let{rows:t}=await n.query("select current_setting('server_version_num') as v, current_setting('jit', true) as jit, set_config('jit', 'off', false)");return{version:Number(t[0]?.v??0),jit:t[0]?.jit??null}}async function C(n,t={}){let s=[...H,...t.excludeTables??[]],r=t.schemas&&t.schemas.length>0?[...t.schemas]:null,o=[r,s],{version:c,jit:g}=await te(n),y=B(c),l;try{l=await n.query(t.prepared?{name:`stepback-schema-fingerprint-2-${Math.floor(c/1e4)}`,text:y,values:o}:{text:y,values:o})}finally{g!==null&&g!=="off"&&await n.query("select set_config('jit', $1, false)",[g]).catch(()=>{})}let _=l.rows[0];if(!_)throw new Error("the catalog query returned no row");return se(_,r===null,t.stateSchema)}function d(n){let t={};return n.owner!==void 0&&(t.owner=n.owner),n.privileges!==void 0&&(t.privileges=n.privileges),n.comment!=null&&(t.comment=n.comment),t}function k(n){let t=(n??[]).filter(s=>!s.startsWith("pg_"));return t.length>0?t.sort():void 0}function se(n,t,s){let r=n.schemas.filter(e=>!(t&&s&&e.name===s)),o=n.schemas.filter(e=>!(s&&s!=="public"&&e.name===s)),c={};for(let e of n.tables){let i={kind:V[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{},...d(e)};e.forceRls&&(i.forceRowLevelSecurity=!0),e.persistence==="u"&&(i.unlogged=!0);let a=k(e.options);a&&(i.options=a),i.replicaIdentity="default",e.replicaIdentity==="n"?i.replicaIdentity="nothing":e.replicaIdentity==="f"?i.replicaIdentity="full":e.replicaIdentity==="i"&&(i.replicaIdentity=`index ${e.replicaIndex??"?"}`),e.partitionKey&&(i.partitionKey=e.partitionKey),e.partitionOf&&(i.partitionOf=e.partitionOf),e.inherits&&e.inherits.length>0&&(i.inherits=e.inherits),e.accessMethod&&e.accessMethod!=="heap"&&(i.accessMethod=e.accessMethod),c[m(e.schema,e.name)]=i}let g=new Map;for(let e of n.columns){let i=c[m(e.schema,e.table)];if(!i)continue;let a=m(e.schema,e.table),x=(g.get(a)??0)+1;g.set(a,x);let p={type:e.type,nullable:!e.notNull,default:e.default,position:x};e.identity&&(p.identity=e.identity==="a"?"always":"by default"),e.generated&&(p.generated="stored"),e.collation&&(p.collation=e.collation),e.identityOptions&&(p.identityOptions=e.identityOptions),e.storage&&(p.storage=Q[e.storage]??"extended"),e.compression&&(p.compression=e.compression==="l"?"lz4":e.compression==="p"?"pglz":e.compression),e.statistics!==null&&(p.statistics=e.statistics);let E=k(e.options);E&&(p.options=E),e.privileges&&Object.keys(e.privileges).length>0&&(p.privileges=e.privileges),e.comment!==null&&(p.comment=e.comment),i.columns[e.name]=p}for(let e of n.constraints){let i=c[m(e.schema,e.table)];if(!i)continue;let a={type:Y[e.type]??e.type,definition:e.definition},x=k(e.indexOptions);x&&(a.indexOptions=x),e.comment!==null&&(a.comment=e.comment),i.constraints[e.name]=a}let y={};for(let e of n.functions){let i={kind:W[e.kind]??"function",returns:e.returns,language:e.language,volatility:X[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:T(e.source??""),arguments:e.arguments,parallel:J[e.parallel]??"unsafe",leakproof:e.leakproof,cost:e.cost,rows:e.rows,...d(e)};e.sqlBody!==null&&(i.sqlBodyHash=T(e.sqlBody)),e.aggregate!==null&&(i.aggregate=e.aggregate),y[`${m(e.schema,e.name)}(${e.args})`]=i}let l=(e,i)=>Object.fromEntries(e.map(a=>[m(a.schema,a.name),i(a)])),_=(e,i)=>Object.fromEntries(e.map(a=>[m(m(a.schema,a.table),a.name),i(a)])),w=(e,i)=>i===null?e:{...e,comment:i},z={format:N,scope:t?"all-user-schemas":"listed-schemas",schemas:r.map(e=>e.name),schemaAccess:Object.fromEntries(o.map(e=>[e.name,d(e)])),defaultPrivileges:Object.fromEntries(n.default_privileges.map(e=>[`for ${e.role}${e.schema===null?"":` in schema ${e.schema}`} on ${ee[e.objtype]??e.objtype}`,e.privileges])),tables:c,indexes:l(n.indexes,e=>w({table:m(e.schema,e.table),definition:e.definition},e.comment)),views:l(n.views,e=>{let i={kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim(),...d(e)},a=k(e.options);return a&&(i.options=a),e.columnComments&&(i.columnComments=e.columnComments),i}),sequences:l(n.sequences,e=>({type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy,...e.persistence==="u"?{unlogged:!0}:{},...d(e)})),functions:y,enums:l(n.enums,e=>({values:e.values,...d(e)})),domains:l(n.domains,e=>({type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints,...d(e)})),types:l(n.types,e=>({kind:e.kind==="r"?"range":"composite",definition:e.definition,...d(e)})),triggers:_(n.triggers,e=>w({definition:e.definition,enabled:e.enabled!=="D",firing:e.enabled==="R"?"replica":e.enabled==="A"?"always":"origin"},e.comment)),policies:_(n.policies,e=>w({command:Z[e.command]??"all",permissive:e.permissive,roles:e.roles??[],using:e.using,withCheck:e.withCheck},e.comment)),rules:_(n.rules,e=>w({definition:e.definition,firing:M[e.enabled]??"origin"},e.comment)),statistics:l(n.statistics,e=>({table:m(e.schema,e.table),definition:e.definition,...e.target===null?{}:{target:e.target},...d(e)})),publications:Object.fromEntries(n.publications.map(e=>[e.name,{allTables:e.allTables,publish:e.publish.filter(i=>i!==null),viaRoot:e.viaRoot,tables:e.tables,schemas:e.schemas,...d(e)}])),operators:Object.fromEntries(n.operators.map(e=>[`${m(e.schema,e.name)}(${e.left}, ${e.right})`,{function:e.function,commutator:e.commutator,negator:e.negator,restrict:e.restrict,join:e.join,hashes:e.hashes,merges:e.merges,...d(e)}])),textSearchConfigurations:l(n.ts_configs,e=>({parser:e.parser,mappings:e.mappings,...d(e)})),textSearchDictionaries:l(n.ts_dicts,e=>({template:e.template,options:e.options,...d(e)})),eventTriggers:Object.fromEntries(n.event_triggers.map(e=>[e.name,{event:e.event,function:e.function,firing:M[e.enabled]??"origin",tags:e.tags,...d(e)}])),casts:Object.fromEntries(n.casts.map(e=>[`(${e.source} AS ${e.target})`,w({method:e.method==="f"?`function ${e.function}`:e.method==="b"?"binary coercible":"inout",context:ne[e.context]??"explicit"},e.comment)])),collations:l(n.collations,e=>({definition:e.definition,...d(e)})),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return $(z)}var ie="stepback_fingerprints";function re(n){return`"${n.replaceAll('"','""')}"`}function R(n){return`${re(n??"public")}.${ie}`}async function ae(n,t){let s=`create table if not exists ${R(t)} (
    release text not null,
    digest text not null,
    fingerprint jsonb not null,
    recorded_at timestamptz not null default now(),
    last_recorded_at timestamptz not null default now(),
    primary key (release, digest))`;try{await n.query(s)}catch(r){let o=r.code;if(o!=="23505"&&o!=="42P07")throw r}}async function U(n,t,s){if(!(await n.query("select to_regclass($1)::text as t",[R(t)])).rows[0]?.t)return null;let{rows:o}=await n.query(`select digest, fingerprint, recorded_at from ${R(t)} where release = $1
     order by recorded_at, digest limit 1`,[s]),c=o[0];if(!c)return null;let{parseFingerprint:g}=await import("./schema-parse.js");return{digest:c.digest,fingerprint:g(c.fingerprint,`the recorded fingerprint of release ${s}`),recordedAt:c.recorded_at.toISOString()}}function K(n,t){let s=t.schema??"public";return t.schemas&&t.schemas.length>0?{schemas:t.schemas,stateSchema:s}:n?.scope==="listed-schemas"?{schemas:n.schemas,stateSchema:s}:{stateSchema:s}}function G(n,t){return n.format===v?{details:F(n,D(t)),older:{comparedAs:v,notCompared:L}}:{details:F(n,t),older:{}}}async function he(n,t){await ae(n,t.schema);let s=await U(n,t.schema,t.release),r=await C(n,K(s?.fingerprint,t)),o=I(r),{rows:c}=await n.query(`insert into ${R(t.schema)} (release, digest, fingerprint) values ($1, $2, $3)
     on conflict (release, digest) do update set last_recorded_at = now()
     returning recorded_at`,[t.release,o,JSON.stringify(r)]),g=(c[0]?.recorded_at??new Date).toISOString();if(!s)return{release:t.release,digest:o,recordedAt:g,outcome:"new",differences:[]};let{details:y,older:l}=G(s.fingerprint,r),_=y.map(w=>w.message);return{release:t.release,digest:o,recordedAt:s.recordedAt,outcome:_.length===0?"unchanged":"differs",differences:_,...l}}async function be(n,t){let s=await U(n,t.schema,t.release);if(!s)return{release:t.release,matches:null,reason:`no fingerprint recorded for release ${t.release} (it is recorded when \`stepback up --release ${t.release}\` completes)`};let r=await C(n,K(s.fingerprint,t)),{details:o,older:c}=G(s.fingerprint,r);return{release:t.release,matches:o.length===0,differences:o.map(g=>g.message),details:o,recordedAt:s.recordedAt,digest:s.digest,...c}}function ye(n){if(n.matches===null)return`cannot verify the schema: ${n.reason}`;let t=n.comparedAs?`
  (recorded by an earlier stepback as ${n.comparedAs}: compared as far as that format reads; not compared: ${n.notCompared})`:"";if(n.matches)return`schema matches release ${n.release} as deployed${t}`;let s=n.differences.length;return`schema differs from release ${n.release} as deployed (${s} difference${s===1?"":"s"}):
${n.differences.map(r=>`  - ${r}`).join(`
`)}${t}`}export{ie as FINGERPRINTS_TABLE,ye as describeVerifyResult,re as quoteIdent,he as recordReleaseFingerprint,be as verifyReleaseFingerprint};
