import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{c as T}from"./shared-core-checksum.js";var L="stepback/schema@2",re="stepback/schema@1";function O(n){if(Array.isArray(n))return n.map(t=>O(t));if(n!==null&&typeof n=="object"){let t={};for(let c of Object.keys(n).sort()){let p=n[c];p!==void 0&&(t[c]=O(p))}return t}return n}function K(n){let t={};for(let[c,p]of Object.entries(n.tables)){let b={};for(let[h,d]of Object.entries(p.columns))b[h]={...d,position:0};t[c]={...p,columns:b}}return{...n,tables:t}}function oe(n,t={}){let c=t.columnOrder?n:K(n);return T(JSON.stringify(O(c)))}function A(n){return n==null?"none":Array.isArray(n)?`[${n.map(t=>A(t)).join(", ")}]`:typeof n=="string"?n.length>160?`${n.slice(0,157)}\u2026`:n:String(n)}function $(n,t){return[...new Set([...Object.keys(n),...Object.keys(t)])].sort()}function E(n,t){return JSON.stringify(O(n??null))===JSON.stringify(O(t??null))}function I(n){return n.replace(/[A-Z]/g,t=>` ${t.toLowerCase()}`)}var H={privileges:"privileges of",columnComments:"comment on column"},U={bodyHash:"body changed",sqlBodyHash:"body changed"},D=["type","nullable","default","identity","generated","collation"],G=new Set(["kind","rowLevelSecurity","columns","constraints"]);function ae(n,t,c={}){let p=r=>r.startsWith("public.")?r.slice(7):r,b=[],h=(r,e,i)=>{let s=i?"missing":"unexpected";b.push({kind:r,name:p(e),change:s,message:`${r} ${p(e)}: ${s}`})},d=(r,e,i,s,o,a)=>{b.push({kind:r,name:p(e),change:"changed",property:i,expected:s,actual:o,message:`${r} ${p(e)}: ${a??`${i} ${A(s)} \u2192 ${A(o)}`}`})},x=(r,e,i,s,o)=>{if(E(s,o))return;let a=H[i];if(a){let u=s??{},y=o??{};for(let _ of $(u,y))E(u[_],y[_])||d(r,e,`${a} ${_}`,u[_]??null,y[_]??null);return}if(i==="nullable"){let u=y=>y?"null":"not null";d(r,e,i,s,o,`${u(s)} \u2192 ${u(o)}`);return}if(typeof s=="boolean"||typeof o=="boolean"){(s??!1)!==(o??!1)&&d(r,e,I(i),s??!1,o??!1);return}let g=U[i];g?d(r,e,"body",s,o,g):d(r,e,I(i),s??null,o??null)},m=(r,e,i,s,o)=>{let a=i,g=s;for(let u of $(a,g))o?.has(u)||x(r,e,u,a[u],g[u])},l=(r,e,i,s)=>{let o=e??{},a=i??{};for(let g of $(o,a)){let u=o[g],y=a[g];if(u===void 0||y===void 0){h(r,g,u!==void 0);continue}s?s(g,u,y):m(r,g,u,y)}},k=r=>Object.fromEntries(r.map(e=>[e,{}]));for(let r of $(k(n.schemas),k(t.schemas))){let e=n.schemas.includes(r),i=t.schemas.includes(r);if(e!==i){let s=e?"missing":"unexpected";b.push({kind:"schema",name:r,change:s,message:`schema ${r}: ${s}`})}}for(let r of $(n.schemaAccess??{},t.schemaAccess??{})){let e=n.schemaAccess?.[r],i=t.schemaAccess?.[r];e&&i&&m("schema",r,e,i)}return l("default privileges",n.defaultPrivileges,t.defaultPrivileges,(r,e,i)=>x("default privileges",r,"privileges",e,i)),l("extension",n.extensions,t.extensions),l("collation",n.collations,t.collations),l("enum",n.enums,t.enums),l("domain",n.domains,t.domains),l("type",n.types,t.types),l("sequence",n.sequences,t.sequences),l("table",n.tables,t.tables,(r,e,i)=>{e.kind!==i.kind&&d("table",r,"kind",e.kind,i.kind),e.rowLevelSecurity!==i.rowLevelSecurity&&d("table",r,"row level security",e.rowLevelSecurity,i.rowLevelSecurity),m("table",r,e,i,G);for(let s of $(e.columns,i.columns)){let o=e.columns[s],a=i.columns[s],g=`${r}.${s}`;if(!o||!a){h("column",g,o!==void 0);continue}let u=$(o,a).filter(_=>_!=="position"),y=[...D,...u.filter(_=>!D.includes(_))];for(let _ of y)x("column",g,_,o[_],a[_]);c.columnOrder&&o.position!==a.position&&d("column",g,"position",o.position,a.position)}for(let s of $(e.constraints,i.constraints)){let o=e.constraints[s],a=i.constraints[s],g=`${r}.${s}`;if(!o||!a){h("constraint",g,o!==void 0);continue}o.type!==a.type?d("constraint",g,"type",o.type,a.type):m("constraint",g,o,a,new Set(["type"]))}}),l("index",n.indexes,t.indexes,(r,e,i)=>m("index",r,e,i,new Set(["table"]))),l("view",n.views,t.views,(r,e,i)=>{e.kind!==i.kind&&d("view",r,"kind",e.kind,i.kind),e.definition!==i.definition&&d("view",r,"definition",e.definition,i.definition,"definition changed"),m("view",r,e,i,new Set(["kind","definition"]))}),l("function",n.functions,t.functions),l("trigger",n.triggers,t.triggers),l("policy",n.policies,t.policies),l("rule",n.rules,t.rules),l("statistics",n.statistics,t.statistics),l("operator",n.operators,t.operators),l("text search configuration",n.textSearchConfigurations,t.textSearchConfigurations),l("text search dictionary",n.textSearchDictionaries,t.textSearchDictionaries),l("cast",n.casts,t.casts),l("publication",n.publications,t.publications),l("event trigger",n.eventTriggers,t.eventTriggers),b}var P="(select datdba from pg_database where datname = current_database())",C=(n,t)=>`case when ${n} = 0 then 'PUBLIC'${t?` when ${n} = ${t} then '(owner)'`:""} when ${n} = ${P} then '(database owner)' else pg_get_userbyid(${n})::text end`,N=n=>`case when ${n} = ${P} then '(database owner)' else pg_get_userbyid(${n})::text end`,q=(n,t,c)=>`(select coalesce(json_object_agg(g.grantee, g.privs), '{}')
  from (select ${C("x.grantee",c)} as grantee,
      string_agg(x.privilege_type || case when x.grantable then ' (grant option)' else '' end, ', '
        order by x.privilege_type) as privs
    from (select e.grantee, e.privilege_type, bool_or(e.is_grantable) as grantable
      from aclexplode(coalesce(${n}, acldefault('${t}', ${c}))) e group by 1, 2) x
    group by 1) g)`,v=(n,t,c="0")=>`(select description from pg_description where objoid = ${n} and classoid = '${t}'::regclass and objsubid = ${c})`,F=(n,t,c)=>`'owner', ${N(c)}, 'comment', ${v(n,t)}`,R=(n,t,c,p,b)=>`'owner', ${N(c)}, 'privileges', ${q(p,b,c)}, 'comment', ${v(n,t)}`,j=(n,t)=>`${n} not in (select objid from ext_objects where classid = '${t}'::regclass)`;function M(n){let t=n>=13e4,c=n>=14e4,p=n>=15e4;return`
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
      ${R("ns.oid","pg_namespace","ns.nspowner","ns.nspacl","n")}) order by ns.nspname), '[]') from ns)
    as schemas,
  (select coalesce(json_agg(json_build_object(
      'role', ${N("da.defaclrole")}, 'schema', dn.nspname, 'objtype', da.defaclobjtype::text,
      'privileges', ${q("da.defaclacl","r","da.defaclrole")})), '[]')
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
      ${R("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      'compression', ${c?"nullif(a.attcompression::text, '')":"null"},
      'statistics', case when a.attstattarget >= 0 then a.attstattarget end,
      'options', a.attoptions,
      'privileges', case when a.attacl is not null then ${q("a.attacl","c","c.relowner")} end,
      'comment', ${v("a.attrelid","pg_class","a.attnum")},
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
      'comment', ${v("k.oid","pg_constraint")})
      order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end,
      'comment', ${v("i.indexrelid","pg_class")})
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
      ${R("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      ${R("c.oid","pg_class","c.relowner","c.relacl","s")})
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
      'sqlBody', ${c?"case when p.prosqlbody is not null then pg_get_function_sqlbody(p.oid) end":"null"},
      'aggregate', (select concat_ws(', ', 'transition ' || ag.aggtransfn::regprocedure::text,
          'state ' || format_type(ag.aggtranstype, null), 'final ' || nullif(ag.aggfinalfn, 0)::regprocedure::text,
          'combine ' || nullif(ag.aggcombinefn, 0)::regprocedure::text, 'initial ' || ag.agginitval,
          'sort ' || nullif(ag.aggsortop, 0)::regoperator::text, 'kind ' || ag.aggkind::text)
        from pg_aggregate ag where ag.aggfnoid = p.oid),
      ${R("p.oid","pg_proc","p.proowner","p.proacl","f")})
      order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where ${j("p.oid","pg_proc")}
      -- A range type's constructors are part of the type (owned by the bootstrap superuser, whoever made it).
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
        and d.deptype = 'i')) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid),
      ${R("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and ${j("t.oid","pg_type")}) as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid),
      ${R("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and ${j("t.oid","pg_type")}) as domains,
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
      ${R("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where (t.typtype = 'r' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${j("t.oid","pg_type")}) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text,
      'comment', ${v("g.oid","pg_trigger")})
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', (select json_agg(${C("x","c.relowner")} order by ${C("x","c.relowner")})
        from unnest(p.polroles) x),
      'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${v("p.oid","pg_policy")})
      order by r.nspname, r.relname, p.polname), '[]')
    from rel r join pg_policy p on p.polrelid = r.oid join pg_class c on c.oid = r.oid) as policies,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', w.rulename,
      'definition', pg_get_ruledef(w.oid, true), 'enabled', w.ev_enabled::text,
      'comment', ${v("w.oid","pg_rewrite")})
      order by r.nspname, r.relname, w.rulename), '[]')
    from rel r join pg_rewrite w on w.ev_class = r.oid where w.rulename <> '_RETURN') as rules,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', s.stxname, 'table', r.relname,
      'definition', pg_get_statisticsobjdef(s.oid),
      'target', ${t?"case when s.stxstattarget >= 0 then s.stxstattarget end":"null"},
      ${F("s.oid","pg_statistic_ext","s.stxowner")}) order by ns.nspname, s.stxname), '[]')
    from pg_statistic_ext s join ns on ns.oid = s.stxnamespace join rel r on r.oid = s.stxrelid) as statistics,
  (select coalesce(json_agg(json_build_object(
      'name', pb.pubname, 'allTables', pb.puballtables,
      'publish', json_build_array(case when pb.pubinsert then 'insert' end, case when pb.pubupdate then 'update' end,
        case when pb.pubdelete then 'delete' end, case when pb.pubtruncate then 'truncate' end),
      'viaRoot', ${t?"pb.pubviaroot":"false"},
      'tables', (select coalesce(json_agg(pr.prrelid::regclass::text
          ${p?`|| coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)) || ')', '')
              || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')`:""}
          order by pr.prrelid::regclass::text), '[]')
        from pg_publication_rel pr where pr.prrelid in (select oid from rel)),
      'schemas', ${p?`(select coalesce(json_agg(pn.nspname order by pn.nspname), '[]') from pg_publication_namespace pp
        join pg_namespace pn on pn.oid = pp.pnnspid where pp.pnpubid = pb.oid)`:"'[]'::json"},
      ${F("pb.oid","pg_publication","pb.pubowner")}) order by pb.pubname), '[]')
    from pg_publication pb) as publications,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', o.oprname,
      'left', coalesce(format_type(nullif(o.oprleft, 0), null), 'NONE'),
      'right', coalesce(format_type(nullif(o.oprright, 0), null), 'NONE'),
      'function', o.oprcode::regprocedure::text,
      'commutator', nullif(o.oprcom, 0)::regoperator::text, 'negator', nullif(o.oprnegate, 0)::regoperator::text,
      'restrict', nullif(o.oprrest, 0)::regproc::text, 'join', nullif(o.oprjoin, 0)::regproc::text,
      'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
      ${F("o.oid","pg_operator","o.oprowner")})
      order by ns.nspname, o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text), '[]')
    from pg_operator o join ns on ns.oid = o.oprnamespace where ${j("o.oid","pg_operator")})
    as operators,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', cfg.cfgname,
      'parser', (select pn.nspname || '.' || pp.prsname from pg_ts_parser pp
        join pg_namespace pn on pn.oid = pp.prsnamespace where pp.oid = cfg.cfgparser),
      'mappings', (select coalesce(json_agg(tt.alias || ': ' || m.dicts order by tt.alias), '[]')
        from ts_token_type(cfg.cfgparser) tt
        join (select maptokentype, string_agg(mapdict::regdictionary::text, ', ' order by mapseqno) as dicts
          from pg_ts_config_map where mapcfg = cfg.oid group by maptokentype) m on m.maptokentype = tt.tokid),
      ${F("cfg.oid","pg_ts_config","cfg.cfgowner")}) order by ns.nspname, cfg.cfgname), '[]')
    from pg_ts_config cfg join ns on ns.oid = cfg.cfgnamespace where ${j("cfg.oid","pg_ts_config")})
    as ts_configs,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', dct.dictname,
      'template', (select tn.nspname || '.' || tp.tmplname from pg_ts_template tp
        join pg_namespace tn on tn.oid = tp.tmplnamespace where tp.oid = dct.dicttemplate),
      'options', dct.dictinitoption,
      ${F("dct.oid","pg_ts_dict","dct.dictowner")}) order by ns.nspname, dct.dictname), '[]')
    from pg_ts_dict dct join ns on ns.oid = dct.dictnamespace where ${j("dct.oid","pg_ts_dict")})
    as ts_dicts,
  (select coalesce(json_agg(json_build_object(
      'name', et.evtname, 'event', et.evtevent, 'function', et.evtfoid::regprocedure::text,
      'enabled', et.evtenabled::text, 'tags', coalesce(to_json(et.evttags), '[]'),
      ${F("et.oid","pg_event_trigger","et.evtowner")}) order by et.evtname), '[]')
    from pg_event_trigger et where ${j("et.oid","pg_event_trigger")}) as event_triggers,
  (select coalesce(json_agg(json_build_object(
      'source', format_type(ca.castsource, null), 'target', format_type(ca.casttarget, null),
      'function', nullif(ca.castfunc, 0)::regprocedure::text, 'method', ca.castmethod::text,
      'context', ca.castcontext::text, 'comment', ${v("ca.oid","pg_cast")})
      order by format_type(ca.castsource, null), format_type(ca.casttarget, null)), '[]')
    -- Casts of the system's own are there in every database; only those made since are the schema's.
    from pg_cast ca where ca.oid >= 16384 and ${j("ca.oid","pg_cast")}) as casts,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', co.collname,
      -- Every property the server has (provider, locales, deterministic, \u2026) without naming version-specific
      -- columns; not collversion, the library's version on this machine.
      'definition', (select coalesce(json_agg(j.key || '=' || coalesce(j.value #>> '{}', 'none') order by j.key), '[]')
        from jsonb_each(to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion') j),
      ${F("co.oid","pg_collation","co.collowner")}) order by ns.nspname, co.collname), '[]')
    from pg_collation co join ns on ns.oid = co.collnamespace where ${j("co.oid","pg_collation")})
    as collations,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`}var z=["stepback_migrations","stepback_events","stepback_fingerprints"],W={r:"table",p:"partitioned table",f:"foreign table"},Y={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},J={f:"function",p:"procedure",a:"aggregate",w:"window"},V={i:"immutable",s:"stable",v:"volatile"},X={s:"safe",r:"restricted",u:"unsafe"},B={O:"origin",D:"disabled",R:"replica",A:"always"},Q={p:"plain",e:"external",x:"extended",m:"main"},Z={"*":"all",r:"select",a:"insert",w:"update",d:"delete"},ee={r:"tables",S:"sequences",f:"functions",T:"types",n:"schemas"},ne={e:"explicit",a:"assignment",i:"implicit"},w=(n,t)=>`${n}.${t}`;async function te(n){let{rows:t}=await n.query("select current_setting('server_version_num') as v, current_setting('jit', true) as jit, set_config('jit', 'off', false)");return{version:Number(t[0]?.v??0),jit:t[0]?.jit??null}}async function me(n,t={}){let c=[...z,...t.excludeTables??[]],p=t.schemas&&t.schemas.length>0?[...t.schemas]:null,b=[p,c],{version:h,jit:d}=await te(n),x=M(h),m;try{m=await n.query(t.prepared?{name:`stepback-schema-fingerprint-2-${Math.floor(h/1e4)}`,text:x,values:b}:{text:x,values:b})}finally{d!==null&&d!=="off"&&await n.query("select set_config('jit', $1, false)",[d]).catch(()=>{})}let l=m.rows[0];if(!l)throw new Error("the catalog query returned no row");return ie(l,p===null,t.stateSchema)}function f(n){let t={};return n.owner!==void 0&&(t.owner=n.owner),n.privileges!==void 0&&(t.privileges=n.privileges),n.comment!=null&&(t.comment=n.comment),t}function S(n){let t=(n??[]).filter(c=>!c.startsWith("pg_"));return t.length>0?t.sort():void 0}function ie(n,t,c){let p=n.schemas.filter(e=>!(t&&c&&e.name===c)),b=n.schemas.filter(e=>!(c&&c!=="public"&&e.name===c)),h={};for(let e of n.tables){let i={kind:W[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{},...f(e)};e.forceRls&&(i.forceRowLevelSecurity=!0),e.persistence==="u"&&(i.unlogged=!0);let s=S(e.options);s&&(i.options=s),i.replicaIdentity="default",e.replicaIdentity==="n"?i.replicaIdentity="nothing":e.replicaIdentity==="f"?i.replicaIdentity="full":e.replicaIdentity==="i"&&(i.replicaIdentity=`index ${e.replicaIndex??"?"}`),e.partitionKey&&(i.partitionKey=e.partitionKey),e.partitionOf&&(i.partitionOf=e.partitionOf),e.inherits&&e.inherits.length>0&&(i.inherits=e.inherits),e.accessMethod&&e.accessMethod!=="heap"&&(i.accessMethod=e.accessMethod),h[w(e.schema,e.name)]=i}let d=new Map;for(let e of n.columns){let i=h[w(e.schema,e.table)];if(!i)continue;let s=w(e.schema,e.table),o=(d.get(s)??0)+1;d.set(s,o);let a={type:e.type,nullable:!e.notNull,default:e.default,position:o};e.identity&&(a.identity=e.identity==="a"?"always":"by default"),e.generated&&(a.generated="stored"),e.collation&&(a.collation=e.collation),e.identityOptions&&(a.identityOptions=e.identityOptions),e.storage&&(a.storage=Q[e.storage]??"extended"),e.compression&&(a.compression=e.compression==="l"?"lz4":e.compression==="p"?"pglz":e.compression),e.statistics!==null&&(a.statistics=e.statistics);let g=S(e.options);g&&(a.options=g),e.privileges&&Object.keys(e.privileges).length>0&&(a.privileges=e.privileges),e.comment!==null&&(a.comment=e.comment),i.columns[e.name]=a}for(let e of n.constraints){let i=h[w(e.schema,e.table)];if(!i)continue;let s={type:Y[e.type]??e.type,definition:e.definition},o=S(e.indexOptions);o&&(s.indexOptions=o),e.comment!==null&&(s.comment=e.comment),i.constraints[e.name]=s}let x={};for(let e of n.functions){let i={kind:J[e.kind]??"function",returns:e.returns,language:e.language,volatility:V[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:T(e.source??""),arguments:e.arguments,parallel:X[e.parallel]??"unsafe",leakproof:e.leakproof,cost:e.cost,rows:e.rows,...f(e)};e.sqlBody!==null&&(i.sqlBodyHash=T(e.sqlBody)),e.aggregate!==null&&(i.aggregate=e.aggregate),x[`${w(e.schema,e.name)}(${e.args})`]=i}let m=(e,i)=>Object.fromEntries(e.map(s=>[w(s.schema,s.name),i(s)])),l=(e,i)=>Object.fromEntries(e.map(s=>[w(w(s.schema,s.table),s.name),i(s)])),k=(e,i)=>i===null?e:{...e,comment:i},r={format:L,scope:t?"all-user-schemas":"listed-schemas",schemas:p.map(e=>e.name),schemaAccess:Object.fromEntries(b.map(e=>[e.name,f(e)])),defaultPrivileges:Object.fromEntries(n.default_privileges.map(e=>[`for ${e.role}${e.schema===null?"":` in schema ${e.schema}`} on ${ee[e.objtype]??e.objtype}`,e.privileges])),tables:h,indexes:m(n.indexes,e=>k({table:w(e.schema,e.table),definition:e.definition},e.comment)),views:m(n.views,e=>{let i={kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim(),...f(e)},s=S(e.options);return s&&(i.options=s),e.columnComments&&(i.columnComments=e.columnComments),i}),sequences:m(n.sequences,e=>({type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy,...e.persistence==="u"?{unlogged:!0}:{},...f(e)})),functions:x,enums:m(n.enums,e=>({values:e.values,...f(e)})),domains:m(n.domains,e=>({type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints,...f(e)})),types:m(n.types,e=>({kind:e.kind==="r"?"range":"composite",definition:e.definition,...f(e)})),triggers:l(n.triggers,e=>k({definition:e.definition,enabled:e.enabled!=="D",firing:e.enabled==="R"?"replica":e.enabled==="A"?"always":"origin"},e.comment)),policies:l(n.policies,e=>k({command:Z[e.command]??"all",permissive:e.permissive,roles:e.roles??[],using:e.using,withCheck:e.withCheck},e.comment)),rules:l(n.rules,e=>k({definition:e.definition,firing:B[e.enabled]??"origin"},e.comment)),statistics:m(n.statistics,e=>({table:w(e.schema,e.table),definition:e.definition,...e.target===null?{}:{target:e.target},...f(e)})),publications:Object.fromEntries(n.publications.map(e=>[e.name,{allTables:e.allTables,publish:e.publish.filter(i=>i!==null),viaRoot:e.viaRoot,tables:e.tables,schemas:e.schemas,...f(e)}])),operators:Object.fromEntries(n.operators.map(e=>[`${w(e.schema,e.name)}(${e.left}, ${e.right})`,{function:e.function,commutator:e.commutator,negator:e.negator,restrict:e.restrict,join:e.join,hashes:e.hashes,merges:e.merges,...f(e)}])),textSearchConfigurations:m(n.ts_configs,e=>({parser:e.parser,mappings:e.mappings,...f(e)})),textSearchDictionaries:m(n.ts_dicts,e=>({template:e.template,options:e.options,...f(e)})),eventTriggers:Object.fromEntries(n.event_triggers.map(e=>[e.name,{event:e.event,function:e.function,firing:B[e.enabled]??"origin",tags:e.tags,...f(e)}])),casts:Object.fromEntries(n.casts.map(e=>[`(${e.source} AS ${e.target})`,k({method:e.method==="f"?`function ${e.function}`:e.method==="b"?"binary coercible":"inout",context:ne[e.context]??"explicit"},e.comment)])),collations:m(n.collations,e=>({definition:e.definition,...f(e)})),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return O(r)}export{L as a,re as b,O as c,oe as d,ae as e,z as f,me as g};
