import{a as T,c as q}from"./shared-core-schema-diff.js";import{c as v}from"./shared-core-checksum.js";var C="(select datdba from pg_database where datname = current_database())",$=(n,t)=>`case when ${n} = 0 then 'PUBLIC'${t?` when ${n} = ${t} then '(owner)'`:""} when ${n} = ${C} then '(database owner)' else pg_get_userbyid(${n})::text end`,O=n=>`case when ${n} = ${C} then '(database owner)' else pg_get_userbyid(${n})::text end`,k=(n,t,i)=>`(select coalesce(json_object_agg(g.grantee, g.privs), '{}')
  from (select ${$("x.grantee",i)} as grantee,
      string_agg(x.privilege_type || case when x.grantable then ' (grant option)' else '' end, ', '
        order by x.privilege_type) as privs
    from (select e.grantee, e.privilege_type, bool_or(e.is_grantable) as grantable
      from aclexplode(coalesce(${n}, acldefault('${t}', ${i}))) e group by 1, 2) x
    group by 1) g)`,d=(n,t,i="0")=>`(select description from pg_description where objoid = ${n} and classoid = '${t}'::regclass and objsubid = ${i})`,f=(n,t,i)=>`'owner', ${O(i)}, 'comment', ${d(n,t)}`,m=(n,t,i,g,_)=>`'owner', ${O(i)}, 'privileges', ${k(g,_,i)}, 'comment', ${d(n,t)}`,p=(n,t)=>`${n} not in (select objid from ext_objects where classid = '${t}'::regclass)`;function N(n){let t=n>=13e4,i=n>=14e4,g=n>=15e4;return`
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
      ${m("ns.oid","pg_namespace","ns.nspowner","ns.nspacl","n")}) order by ns.nspname), '[]') from ns)
    as schemas,
  (select coalesce(json_agg(json_build_object(
      'role', ${O("da.defaclrole")}, 'schema', dn.nspname, 'objtype', da.defaclobjtype::text,
      'privileges', ${k("da.defaclacl","r","da.defaclrole")})), '[]')
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
      ${m("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      'compression', ${i?"nullif(a.attcompression::text, '')":"null"},
      'statistics', case when a.attstattarget >= 0 then a.attstattarget end,
      'options', a.attoptions,
      'privileges', case when a.attacl is not null then ${k("a.attacl","c","c.relowner")} end,
      'comment', ${d("a.attrelid","pg_class","a.attnum")},
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
      'comment', ${d("k.oid","pg_constraint")})
      order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end,
      'comment', ${d("i.indexrelid","pg_class")})
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
      ${m("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      ${m("c.oid","pg_class","c.relowner","c.relacl","s")})
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
      'sqlBody', ${i?"case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) end":"null"},
      'aggregate', (select concat_ws(', ', 'transition ' || ag.aggtransfn::regprocedure::text,
          'state ' || format_type(ag.aggtranstype, null), 'final ' || nullif(ag.aggfinalfn, 0)::regprocedure::text,
          'combine ' || nullif(ag.aggcombinefn, 0)::regprocedure::text, 'initial ' || ag.agginitval,
          'sort ' || nullif(ag.aggsortop, 0)::regoperator::text, 'kind ' || ag.aggkind::text)
        from pg_aggregate ag where ag.aggfnoid = p.oid),
      ${m("p.oid","pg_proc","p.proowner","p.proacl","f")})
      order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where ${p("p.oid","pg_proc")}
      -- A range type's constructors are part of the type (owned by the bootstrap superuser, whoever made it).
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
        and d.deptype = 'i')) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid),
      ${m("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and ${p("t.oid","pg_type")}) as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid),
      ${m("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and ${p("t.oid","pg_type")}) as domains,
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
      ${m("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where (t.typtype = 'r' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${p("t.oid","pg_type")}) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text,
      'comment', ${d("g.oid","pg_trigger")})
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', (select json_agg(${$("x","c.relowner")} order by ${$("x","c.relowner")})
        from unnest(p.polroles) x),
      'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${d("p.oid","pg_policy")})
      order by r.nspname, r.relname, p.polname), '[]')
    from rel r join pg_policy p on p.polrelid = r.oid join pg_class c on c.oid = r.oid) as policies,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', w.rulename,
      'definition', pg_get_ruledef(w.oid, true), 'enabled', w.ev_enabled::text,
      'comment', ${d("w.oid","pg_rewrite")})
      order by r.nspname, r.relname, w.rulename), '[]')
    from rel r join pg_rewrite w on w.ev_class = r.oid where w.rulename <> '_RETURN') as rules,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', s.stxname, 'table', r.relname,
      'definition', pg_get_statisticsobjdef(s.oid),
      'target', ${t?"case when s.stxstattarget >= 0 then s.stxstattarget end":"null"},
      ${f("s.oid","pg_statistic_ext","s.stxowner")}) order by ns.nspname, s.stxname), '[]')
    from pg_statistic_ext s join ns on ns.oid = s.stxnamespace join rel r on r.oid = s.stxrelid) as statistics,
  (select coalesce(json_agg(json_build_object(
      'name', pb.pubname, 'allTables', pb.puballtables,
      'publish', json_build_array(case when pb.pubinsert then 'insert' end, case when pb.pubupdate then 'update' end,
        case when pb.pubdelete then 'delete' end, case when pb.pubtruncate then 'truncate' end),
      'viaRoot', ${t?"pb.pubviaroot":"false"},
      'tables', (select coalesce(json_agg(pr.prrelid::regclass::text
          ${g?`|| coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)) || ')', '')
              || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')`:""}
          order by pr.prrelid::regclass::text), '[]')
        from pg_publication_rel pr where pr.prrelid in (select oid from rel)),
      'schemas', ${g?`(select coalesce(json_agg(pn.nspname order by pn.nspname), '[]') from pg_publication_namespace pp
        join pg_namespace pn on pn.oid = pp.pnnspid where pp.pnpubid = pb.oid)`:"'[]'::json"},
      ${f("pb.oid","pg_publication","pb.pubowner")}) order by pb.pubname), '[]')
    from pg_publication pb) as publications,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', o.oprname,
      'left', coalesce(format_type(nullif(o.oprleft, 0), null), 'NONE'),
      'right', coalesce(format_type(nullif(o.oprright, 0), null), 'NONE'),
      'function', o.oprcode::regprocedure::text,
      'commutator', nullif(o.oprcom, 0)::regoperator::text, 'negator', nullif(o.oprnegate, 0)::regoperator::text,
      'restrict', nullif(o.oprrest, 0)::regproc::text, 'join', nullif(o.oprjoin, 0)::regproc::text,
      'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
      ${f("o.oid","pg_operator","o.oprowner")})
      order by ns.nspname, o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text), '[]')
    from pg_operator o join ns on ns.oid = o.oprnamespace where ${p("o.oid","pg_operator")})
    as operators,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', cfg.cfgname,
      'parser', (select pn.nspname || '.' || pp.prsname from pg_ts_parser pp
        join pg_namespace pn on pn.oid = pp.prsnamespace where pp.oid = cfg.cfgparser),
      'mappings', (select coalesce(json_agg(tt.alias || ': ' || m.dicts order by tt.alias), '[]')
        from ts_token_type(cfg.cfgparser) tt
        join (select maptokentype, string_agg(mapdict::regdictionary::text, ', ' order by mapseqno) as dicts
          from pg_ts_config_map where mapcfg = cfg.oid group by maptokentype) m on m.maptokentype = tt.tokid),
      ${f("cfg.oid","pg_ts_config","cfg.cfgowner")}) order by ns.nspname, cfg.cfgname), '[]')
    from pg_ts_config cfg join ns on ns.oid = cfg.cfgnamespace where ${p("cfg.oid","pg_ts_config")})
    as ts_configs,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', dct.dictname,
      'template', (select tn.nspname || '.' || tp.tmplname from pg_ts_template tp
        join pg_namespace tn on tn.oid = tp.tmplnamespace where tp.oid = dct.dicttemplate),
      'options', dct.dictinitoption,
      ${f("dct.oid","pg_ts_dict","dct.dictowner")}) order by ns.nspname, dct.dictname), '[]')
    from pg_ts_dict dct join ns on ns.oid = dct.dictnamespace where ${p("dct.oid","pg_ts_dict")})
    as ts_dicts,
  (select coalesce(json_agg(json_build_object(
      'name', et.evtname, 'event', et.evtevent, 'function', et.evtfoid::regprocedure::text,
      'enabled', et.evtenabled::text, 'tags', coalesce(to_json(et.evttags), '[]'),
      ${f("et.oid","pg_event_trigger","et.evtowner")}) order by et.evtname), '[]')
    from pg_event_trigger et where ${p("et.oid","pg_event_trigger")}) as event_triggers,
  (select coalesce(json_agg(json_build_object(
      'source', format_type(ca.castsource, null), 'target', format_type(ca.casttarget, null),
      'function', nullif(ca.castfunc, 0)::regprocedure::text, 'method', ca.castmethod::text,
      'context', ca.castcontext::text, 'comment', ${d("ca.oid","pg_cast")})
      order by format_type(ca.castsource, null), format_type(ca.casttarget, null)), '[]')
    -- Casts of the system's own are there in every database; only those made since are the schema's.
    from pg_cast ca where ca.oid >= 16384 and ${p("ca.oid","pg_cast")}) as casts,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', co.collname,
      -- Every property the server has (provider, locales, deterministic, \u2026) without naming version-specific
      -- columns; not collversion, the library's version on this machine.
      'definition', (select coalesce(json_agg(j.key || '=' || coalesce(j.value #>> '{}', 'none') order by j.key), '[]')
        from jsonb_each(to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion') j),
      ${f("co.oid","pg_collation","co.collowner")}) order by ns.nspname, co.collname), '[]')
    from pg_collation co join ns on ns.oid = co.collnamespace where ${p("co.oid","pg_collation")})
    as collations,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`}var I=["stepback_migrations","stepback_events","stepback_fingerprints"],A={r:"table",p:"partitioned table",f:"foreign table"},S={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},L={f:"function",p:"procedure",a:"aggregate",w:"window"},B={i:"immutable",s:"stable",v:"volatile"},D={s:"safe",r:"restricted",u:"unsafe"},E={O:"origin",D:"disabled",R:"replica",A:"always"},M={p:"plain",e:"external",x:"extended",m:"main"},P={"*":"all",r:"select",a:"insert",w:"update",d:"delete"},K={r:"tables",S:"sequences",f:"functions",T:"types",n:"schemas"},U={e:"explicit",a:"assignment",i:"implicit"},l=(n,t)=>`${n}.${t}`;async function z(n){let{rows:t}=await n.query("select current_setting('server_version_num') as v, current_setting('jit', true) as jit, set_config('jit', 'off', false)");return{version:Number(t[0]?.v??0),jit:t[0]?.jit??null}}async function V(n,t={}){let i=[...I,...t.excludeTables??[]],g=t.schemas&&t.schemas.length>0?[...t.schemas]:null,_=[g,i],{version:u,jit:b}=await z(n),y=N(u),o;try{o=await n.query(t.prepared?{name:`stepback-schema-fingerprint-2-${Math.floor(u/1e4)}`,text:y,values:_}:{text:y,values:_})}finally{b!==null&&b!=="off"&&await n.query("select set_config('jit', $1, false)",[b]).catch(()=>{})}let h=o.rows[0];if(!h)throw new Error("the catalog query returned no row");return H(h,g===null,t.stateSchema)}function a(n){let t={};return n.owner!==void 0&&(t.owner=n.owner),n.privileges!==void 0&&(t.privileges=n.privileges),n.comment!=null&&(t.comment=n.comment),t}function x(n){let t=(n??[]).filter(i=>!i.startsWith("pg_"));return t.length>0?t.sort():void 0}function H(n,t,i){let g=n.schemas.filter(e=>!(t&&i&&e.name===i)),_=n.schemas.filter(e=>!(i&&i!=="public"&&e.name===i)),u={};for(let e of n.tables){let s={kind:A[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{},...a(e)};e.forceRls&&(s.forceRowLevelSecurity=!0),e.persistence==="u"&&(s.unlogged=!0);let r=x(e.options);r&&(s.options=r),s.replicaIdentity="default",e.replicaIdentity==="n"?s.replicaIdentity="nothing":e.replicaIdentity==="f"?s.replicaIdentity="full":e.replicaIdentity==="i"&&(s.replicaIdentity=`index ${e.replicaIndex??"?"}`),e.partitionKey&&(s.partitionKey=e.partitionKey),e.partitionOf&&(s.partitionOf=e.partitionOf),e.inherits&&e.inherits.length>0&&(s.inherits=e.inherits),e.accessMethod&&e.accessMethod!=="heap"&&(s.accessMethod=e.accessMethod),u[l(e.schema,e.name)]=s}let b=new Map;for(let e of n.columns){let s=u[l(e.schema,e.table)];if(!s)continue;let r=l(e.schema,e.table),w=(b.get(r)??0)+1;b.set(r,w);let c={type:e.type,nullable:!e.notNull,default:e.default,position:w};e.identity&&(c.identity=e.identity==="a"?"always":"by default"),e.generated&&(c.generated="stored"),e.collation&&(c.collation=e.collation),e.identityOptions&&(c.identityOptions=e.identityOptions),e.storage&&(c.storage=M[e.storage]??"extended"),e.compression&&(c.compression=e.compression==="l"?"lz4":e.compression==="p"?"pglz":e.compression),e.statistics!==null&&(c.statistics=e.statistics);let R=x(e.options);R&&(c.options=R),e.privileges&&Object.keys(e.privileges).length>0&&(c.privileges=e.privileges),e.comment!==null&&(c.comment=e.comment),s.columns[e.name]=c}for(let e of n.constraints){let s=u[l(e.schema,e.table)];if(!s)continue;let r={type:S[e.type]??e.type,definition:e.definition},w=x(e.indexOptions);w&&(r.indexOptions=w),e.comment!==null&&(r.comment=e.comment),s.constraints[e.name]=r}let y={};for(let e of n.functions){let s={kind:L[e.kind]??"function",returns:e.returns,language:e.language,volatility:B[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:v(e.source??""),arguments:e.arguments,parallel:D[e.parallel]??"unsafe",leakproof:e.leakproof,cost:e.cost,rows:e.rows,...a(e)};e.sqlBody!==null&&(s.sqlBodyHash=v(e.sqlBody)),e.aggregate!==null&&(s.aggregate=e.aggregate),y[`${l(e.schema,e.name)}(${e.args})`]=s}let o=(e,s)=>Object.fromEntries(e.map(r=>[l(r.schema,r.name),s(r)])),h=(e,s)=>Object.fromEntries(e.map(r=>[l(l(r.schema,r.table),r.name),s(r)])),j=(e,s)=>s===null?e:{...e,comment:s},F={format:T,scope:t?"all-user-schemas":"listed-schemas",schemas:g.map(e=>e.name),schemaAccess:Object.fromEntries(_.map(e=>[e.name,a(e)])),defaultPrivileges:Object.fromEntries(n.default_privileges.map(e=>[`for ${e.role}${e.schema===null?"":` in schema ${e.schema}`} on ${K[e.objtype]??e.objtype}`,e.privileges])),tables:u,indexes:o(n.indexes,e=>j({table:l(e.schema,e.table),definition:e.definition},e.comment)),views:o(n.views,e=>{let s={kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim(),...a(e)},r=x(e.options);return r&&(s.options=r),e.columnComments&&(s.columnComments=e.columnComments),s}),sequences:o(n.sequences,e=>({type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy,...e.persistence==="u"?{unlogged:!0}:{},...a(e)})),functions:y,enums:o(n.enums,e=>({values:e.values,...a(e)})),domains:o(n.domains,e=>({type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints,...a(e)})),types:o(n.types,e=>({kind:e.kind==="r"?"range":"composite",definition:e.definition,...a(e)})),triggers:h(n.triggers,e=>j({definition:e.definition,enabled:e.enabled!=="D",firing:e.enabled==="R"?"replica":e.enabled==="A"?"always":"origin"},e.comment)),policies:h(n.policies,e=>j({command:P[e.command]??"all",permissive:e.permissive,roles:e.roles??[],using:e.using,withCheck:e.withCheck},e.comment)),rules:h(n.rules,e=>j({definition:e.definition,firing:E[e.enabled]??"origin"},e.comment)),statistics:o(n.statistics,e=>({table:l(e.schema,e.table),definition:e.definition,...e.target===null?{}:{target:e.target},...a(e)})),publications:Object.fromEntries(n.publications.map(e=>[e.name,{allTables:e.allTables,publish:e.publish.filter(s=>s!==null),viaRoot:e.viaRoot,tables:e.tables,schemas:e.schemas,...a(e)}])),operators:Object.fromEntries(n.operators.map(e=>[`${l(e.schema,e.name)}(${e.left}, ${e.right})`,{function:e.function,commutator:e.commutator,negator:e.negator,restrict:e.restrict,join:e.join,hashes:e.hashes,merges:e.merges,...a(e)}])),textSearchConfigurations:o(n.ts_configs,e=>({parser:e.parser,mappings:e.mappings,...a(e)})),textSearchDictionaries:o(n.ts_dicts,e=>({template:e.template,options:e.options,...a(e)})),eventTriggers:Object.fromEntries(n.event_triggers.map(e=>[e.name,{event:e.event,function:e.function,firing:E[e.enabled]??"origin",tags:e.tags,...a(e)}])),casts:Object.fromEntries(n.casts.map(e=>[`(${e.source} AS ${e.target})`,j({method:e.method==="f"?`function ${e.function}`:e.method==="b"?"binary coercible":"inout",context:U[e.context]??"explicit"},e.comment)])),collations:o(n.collations,e=>({definition:e.definition,...a(e)})),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return q(F)}export{I as a,V as b};
