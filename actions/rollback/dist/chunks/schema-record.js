import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as r,f as K,g as w,i as v,j as f,n as N,o as z,p as G}from"./shared-zod-checks.js";import"./shared-zod-api.js";import{c as B}from"./shared-core-checksum.js";import"./shared-chunk-2.js";var M="stepback/schema@2",C="stepback/schema@1";function O(n){if(Array.isArray(n))return n.map(t=>O(t));if(n!==null&&typeof n=="object"){let t={};for(let i of Object.keys(n).sort()){let c=n[i];c!==void 0&&(t[i]=O(c))}return t}return n}function ke(n){let t={};for(let[i,c]of Object.entries(n.tables)){let d={};for(let[b,u]of Object.entries(c.columns))d[b]={...u,position:0};t[i]={...c,columns:d}}return{...n,tables:t}}function re(n,t={}){let i=t.columnOrder?n:ke(n);return B(JSON.stringify(O(i)))}function W(n){return n==null?"none":Array.isArray(n)?`[${n.map(t=>W(t)).join(", ")}]`:typeof n=="string"?n.length>160?`${n.slice(0,157)}\u2026`:n:String(n)}function q(n,t){return[...new Set([...Object.keys(n),...Object.keys(t)])].sort()}function te(n,t){return JSON.stringify(O(n??null))===JSON.stringify(O(t??null))}function ie(n){return n.replace(/[A-Z]/g,t=>` ${t.toLowerCase()}`)}var Oe={privileges:"privileges of",columnComments:"comment on column"},Fe={bodyHash:"body changed",sqlBodyHash:"body changed"},se=["type","nullable","default","identity","generated","collation"],Se=new Set(["kind","rowLevelSecurity","columns","constraints"]);function Y(n,t,i={}){let c=a=>a.startsWith("public.")?a.slice(7):a,d=[],b=(a,e,s)=>{let o=s?"missing":"unexpected";d.push({kind:a,name:c(e),change:o,message:`${a} ${c(e)}: ${o}`})},u=(a,e,s,o,l,g)=>{d.push({kind:a,name:c(e),change:"changed",property:s,expected:o,actual:l,message:`${a} ${c(e)}: ${g??`${s} ${W(o)} \u2192 ${W(l)}`}`})},$=(a,e,s,o,l)=>{if(te(o,l))return;let g=Oe[s];if(g){let _=o??{},k=l??{};for(let R of q(_,k))te(_[R],k[R])||u(a,e,`${g} ${R}`,_[R]??null,k[R]??null);return}if(s==="nullable"){let _=k=>k?"null":"not null";u(a,e,s,o,l,`${_(o)} \u2192 ${_(l)}`);return}if(typeof o=="boolean"||typeof l=="boolean"){(o??!1)!==(l??!1)&&u(a,e,ie(s),o??!1,l??!1);return}let y=Fe[s];y?u(a,e,"body",o,l,y):u(a,e,ie(s),o??null,l??null)},h=(a,e,s,o,l)=>{let g=s,y=o;for(let _ of q(g,y))l?.has(_)||$(a,e,_,g[_],y[_])},p=(a,e,s,o)=>{let l=e??{},g=s??{};for(let y of q(l,g)){let _=l[y],k=g[y];if(_===void 0||k===void 0){b(a,y,_!==void 0);continue}o?o(y,_,k):h(a,y,_,k)}},S=a=>Object.fromEntries(a.map(e=>[e,{}]));for(let a of q(S(n.schemas),S(t.schemas))){let e=n.schemas.includes(a),s=t.schemas.includes(a);if(e!==s){let o=e?"missing":"unexpected";d.push({kind:"schema",name:a,change:o,message:`schema ${a}: ${o}`})}}for(let a of q(n.schemaAccess??{},t.schemaAccess??{})){let e=n.schemaAccess?.[a],s=t.schemaAccess?.[a];e&&s&&h("schema",a,e,s)}return p("default privileges",n.defaultPrivileges,t.defaultPrivileges,(a,e,s)=>$("default privileges",a,"privileges",e,s)),p("extension",n.extensions,t.extensions),p("collation",n.collations,t.collations),p("enum",n.enums,t.enums),p("domain",n.domains,t.domains),p("type",n.types,t.types),p("sequence",n.sequences,t.sequences),p("table",n.tables,t.tables,(a,e,s)=>{e.kind!==s.kind&&u("table",a,"kind",e.kind,s.kind),e.rowLevelSecurity!==s.rowLevelSecurity&&u("table",a,"row level security",e.rowLevelSecurity,s.rowLevelSecurity),h("table",a,e,s,Se);for(let o of q(e.columns,s.columns)){let l=e.columns[o],g=s.columns[o],y=`${a}.${o}`;if(!l||!g){b("column",y,l!==void 0);continue}let _=q(l,g).filter(R=>R!=="position"),k=[...se,..._.filter(R=>!se.includes(R))];for(let R of k)$("column",y,R,l[R],g[R]);i.columnOrder&&l.position!==g.position&&u("column",y,"position",l.position,g.position)}for(let o of q(e.constraints,s.constraints)){let l=e.constraints[o],g=s.constraints[o],y=`${a}.${o}`;if(!l||!g){b("constraint",y,l!==void 0);continue}l.type!==g.type?u("constraint",y,"type",l.type,g.type):h("constraint",y,l,g,new Set(["type"]))}}),p("index",n.indexes,t.indexes,(a,e,s)=>h("index",a,e,s,new Set(["table"]))),p("view",n.views,t.views,(a,e,s)=>{e.kind!==s.kind&&u("view",a,"kind",e.kind,s.kind),e.definition!==s.definition&&u("view",a,"definition",e.definition,s.definition,"definition changed"),h("view",a,e,s,new Set(["kind","definition"]))}),p("function",n.functions,t.functions),p("trigger",n.triggers,t.triggers),p("policy",n.policies,t.policies),p("rule",n.rules,t.rules),p("statistics",n.statistics,t.statistics),p("operator",n.operators,t.operators),p("text search configuration",n.textSearchConfigurations,t.textSearchConfigurations),p("text search dictionary",n.textSearchDictionaries,t.textSearchDictionaries),p("cast",n.casts,t.casts),p("publication",n.publications,t.publications),p("event trigger",n.eventTriggers,t.eventTriggers),d}var oe="owners, grants and default privileges, comments, RLS policies and FORCE, SQL-standard function bodies, function argument defaults, PARALLEL, LEAKPROOF, COST and ROWS, aggregate definitions, view and table options, UNLOGGED, REPLICA IDENTITY, partitions and inheritance, identity sequence options, column STORAGE, COMPRESSION and statistics targets, trigger firing modes, rules, composite and range types, extended statistics, publications, operators, text search configurations and dictionaries, event triggers, casts and collations";function U(n,t){let i={};for(let c of t)n[c]!==void 0&&(i[c]=n[c]);return i}function T(n,t){return Object.fromEntries(Object.entries(n).map(([i,c])=>[i,t(c)]))}function ae(n){let t=i=>({kind:i.kind,rowLevelSecurity:i.rowLevelSecurity,columns:T(i.columns,c=>U(c,["type","nullable","default","position","identity","generated","collation"])),constraints:T(i.constraints,c=>({type:c.type,definition:c.definition}))});return O({format:C,scope:n.scope,schemas:n.schemas,tables:T(n.tables,t),indexes:T(n.indexes,i=>({table:i.table,definition:i.definition})),views:T(n.views,i=>({kind:i.kind,definition:i.definition})),sequences:T(n.sequences,i=>U(i,["type","start","increment","min","max","cycle","cache","ownedBy"])),functions:T(n.functions,i=>U(i,["kind","returns","language","volatility","strict","securityDefiner","config","bodyHash"])),enums:T(n.enums,i=>({values:i.values})),domains:T(n.domains,i=>U(i,["type","nullable","default","constraints"])),triggers:T(n.triggers,i=>({definition:i.definition,enabled:i.enabled})),extensions:n.extensions})}var ce="(select datdba from pg_database where datname = current_database())",X=(n,t)=>`case when ${n} = 0 then 'PUBLIC'${t?` when ${n} = ${t} then '(owner)'`:""} when ${n} = ${ce} then '(database owner)' else pg_get_userbyid(${n})::text end`,Z=n=>`case when ${n} = ${ce} then '(database owner)' else pg_get_userbyid(${n})::text end`,Q=(n,t,i)=>`(select coalesce(json_object_agg(g.grantee, g.privs), '{}')
  from (select ${X("x.grantee",i)} as grantee,
      string_agg(x.privilege_type || case when x.grantable then ' (grant option)' else '' end, ', '
        order by x.privilege_type) as privs
    from (select e.grantee, e.privilege_type, bool_or(e.is_grantable) as grantable
      from aclexplode(coalesce(${n}, acldefault('${t}', ${i}))) e group by 1, 2) x
    group by 1) g)`,E=(n,t,i="0")=>`(select description from pg_description where objoid = ${n} and classoid = '${t}'::regclass and objsubid = ${i})`,P=(n,t,i)=>`'owner', ${Z(i)}, 'comment', ${E(n,t)}`,I=(n,t,i,c,d)=>`'owner', ${Z(i)}, 'privileges', ${Q(c,d,i)}, 'comment', ${E(n,t)}`,A=(n,t)=>`${n} not in (select objid from ext_objects where classid = '${t}'::regclass)`;function le(n){let t=n>=13e4,i=n>=14e4,c=n>=15e4;return`
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
      ${I("ns.oid","pg_namespace","ns.nspowner","ns.nspacl","n")}) order by ns.nspname), '[]') from ns)
    as schemas,
  (select coalesce(json_agg(json_build_object(
      'role', ${Z("da.defaclrole")}, 'schema', dn.nspname, 'objtype', da.defaclobjtype::text,
      'privileges', ${Q("da.defaclacl","r","da.defaclrole")})), '[]')
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
      ${I("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      'privileges', case when a.attacl is not null then ${Q("a.attacl","c","c.relowner")} end,
      'comment', ${E("a.attrelid","pg_class","a.attnum")},
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
      'comment', ${E("k.oid","pg_constraint")})
      order by r.nspname, r.relname, k.conname), '[]')
    from rel r join pg_constraint k on k.conrelid = r.oid) as constraints,
  (select coalesce(json_agg(json_build_object(
      'schema', ir.nspname, 'name', ir.relname, 'table', tr.relname,
      -- An invalid index (an unfinished CREATE INDEX CONCURRENTLY) is not the index its definition says.
      'definition', pg_get_indexdef(i.indexrelid)
        || case when i.indisvalid then '' else ' -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)' end,
      'comment', ${E("i.indexrelid","pg_class")})
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
      ${I("c.oid","pg_class","c.relowner","c.relacl","r")})
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
      ${I("c.oid","pg_class","c.relowner","c.relacl","s")})
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
      ${I("p.oid","pg_proc","p.proowner","p.proacl","f")})
      order by ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    from pg_proc p join ns on ns.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where ${A("p.oid","pg_proc")}
      -- A range type's constructors are part of the type (owned by the bootstrap superuser, whoever made it).
      and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid
        and d.deptype = 'i')) as functions,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'values', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]')
        from pg_enum e where e.enumtypid = t.oid),
      ${I("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'e' and ${A("t.oid","pg_type")}) as enums,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', t.typname,
      'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
      'constraints', (select coalesce(json_agg(pg_get_constraintdef(k.oid, true) order by k.conname), '[]')
        from pg_constraint k where k.contypid = t.oid),
      ${I("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where t.typtype = 'd' and ${A("t.oid","pg_type")}) as domains,
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
      ${I("t.oid","pg_type","t.typowner","t.typacl","T")}) order by ns.nspname, t.typname), '[]')
    from pg_type t join ns on ns.oid = t.typnamespace
    where (t.typtype = 'r' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${A("t.oid","pg_type")}) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', g.tgname,
      'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled::text,
      'comment', ${E("g.oid","pg_trigger")})
      order by r.nspname, r.relname, g.tgname), '[]')
    from rel r join pg_trigger g on g.tgrelid = r.oid where not g.tgisinternal) as triggers,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', p.polname, 'command', p.polcmd::text,
      'permissive', p.polpermissive,
      'roles', (select json_agg(${X("x","c.relowner")} order by ${X("x","c.relowner")})
        from unnest(p.polroles) x),
      'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', ${E("p.oid","pg_policy")})
      order by r.nspname, r.relname, p.polname), '[]')
    from rel r join pg_policy p on p.polrelid = r.oid join pg_class c on c.oid = r.oid) as policies,
  (select coalesce(json_agg(json_build_object(
      'schema', r.nspname, 'table', r.relname, 'name', w.rulename,
      'definition', pg_get_ruledef(w.oid, true), 'enabled', w.ev_enabled::text,
      'comment', ${E("w.oid","pg_rewrite")})
      order by r.nspname, r.relname, w.rulename), '[]')
    from rel r join pg_rewrite w on w.ev_class = r.oid where w.rulename <> '_RETURN') as rules,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', s.stxname, 'table', r.relname,
      'definition', pg_get_statisticsobjdef(s.oid),
      'target', ${t?"case when s.stxstattarget >= 0 then s.stxstattarget end":"null"},
      ${P("s.oid","pg_statistic_ext","s.stxowner")}) order by ns.nspname, s.stxname), '[]')
    from pg_statistic_ext s join ns on ns.oid = s.stxnamespace join rel r on r.oid = s.stxrelid) as statistics,
  (select coalesce(json_agg(json_build_object(
      'name', pb.pubname, 'allTables', pb.puballtables,
      'publish', json_build_array(case when pb.pubinsert then 'insert' end, case when pb.pubupdate then 'update' end,
        case when pb.pubdelete then 'delete' end, case when pb.pubtruncate then 'truncate' end),
      'viaRoot', ${t?"pb.pubviaroot":"false"},
      'tables', (select coalesce(json_agg(pr.prrelid::regclass::text
          ${c?`|| coalesce(' (' || (select string_agg(quote_ident(a.attname), ', ' order by a.attnum) from pg_attribute a
                where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs)) || ')', '')
              || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')`:""}
          order by pr.prrelid::regclass::text), '[]')
        from pg_publication_rel pr where pr.prrelid in (select oid from rel)),
      'schemas', ${c?`(select coalesce(json_agg(pn.nspname order by pn.nspname), '[]') from pg_publication_namespace pp
        join pg_namespace pn on pn.oid = pp.pnnspid where pp.pnpubid = pb.oid)`:"'[]'::json"},
      ${P("pb.oid","pg_publication","pb.pubowner")}) order by pb.pubname), '[]')
    from pg_publication pb) as publications,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', o.oprname,
      'left', coalesce(format_type(nullif(o.oprleft, 0), null), 'NONE'),
      'right', coalesce(format_type(nullif(o.oprright, 0), null), 'NONE'),
      'function', o.oprcode::regprocedure::text,
      'commutator', nullif(o.oprcom, 0)::regoperator::text, 'negator', nullif(o.oprnegate, 0)::regoperator::text,
      'restrict', nullif(o.oprrest, 0)::regproc::text, 'join', nullif(o.oprjoin, 0)::regproc::text,
      'hashes', o.oprcanhash, 'merges', o.oprcanmerge,
      ${P("o.oid","pg_operator","o.oprowner")})
      order by ns.nspname, o.oprname, o.oprleft::regtype::text, o.oprright::regtype::text), '[]')
    from pg_operator o join ns on ns.oid = o.oprnamespace where ${A("o.oid","pg_operator")})
    as operators,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', cfg.cfgname,
      'parser', (select pn.nspname || '.' || pp.prsname from pg_ts_parser pp
        join pg_namespace pn on pn.oid = pp.prsnamespace where pp.oid = cfg.cfgparser),
      'mappings', (select coalesce(json_agg(tt.alias || ': ' || m.dicts order by tt.alias), '[]')
        from ts_token_type(cfg.cfgparser) tt
        join (select maptokentype, string_agg(mapdict::regdictionary::text, ', ' order by mapseqno) as dicts
          from pg_ts_config_map where mapcfg = cfg.oid group by maptokentype) m on m.maptokentype = tt.tokid),
      ${P("cfg.oid","pg_ts_config","cfg.cfgowner")}) order by ns.nspname, cfg.cfgname), '[]')
    from pg_ts_config cfg join ns on ns.oid = cfg.cfgnamespace where ${A("cfg.oid","pg_ts_config")})
    as ts_configs,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', dct.dictname,
      'template', (select tn.nspname || '.' || tp.tmplname from pg_ts_template tp
        join pg_namespace tn on tn.oid = tp.tmplnamespace where tp.oid = dct.dicttemplate),
      'options', dct.dictinitoption,
      ${P("dct.oid","pg_ts_dict","dct.dictowner")}) order by ns.nspname, dct.dictname), '[]')
    from pg_ts_dict dct join ns on ns.oid = dct.dictnamespace where ${A("dct.oid","pg_ts_dict")})
    as ts_dicts,
  (select coalesce(json_agg(json_build_object(
      'name', et.evtname, 'event', et.evtevent, 'function', et.evtfoid::regprocedure::text,
      'enabled', et.evtenabled::text, 'tags', coalesce(to_json(et.evttags), '[]'),
      ${P("et.oid","pg_event_trigger","et.evtowner")}) order by et.evtname), '[]')
    from pg_event_trigger et where ${A("et.oid","pg_event_trigger")}) as event_triggers,
  (select coalesce(json_agg(json_build_object(
      'source', format_type(ca.castsource, null), 'target', format_type(ca.casttarget, null),
      'function', nullif(ca.castfunc, 0)::regprocedure::text, 'method', ca.castmethod::text,
      'context', ca.castcontext::text, 'comment', ${E("ca.oid","pg_cast")})
      order by format_type(ca.castsource, null), format_type(ca.casttarget, null)), '[]')
    -- Casts of the system's own are there in every database; only those made since are the schema's.
    from pg_cast ca where ca.oid >= 16384 and ${A("ca.oid","pg_cast")}) as casts,
  (select coalesce(json_agg(json_build_object(
      'schema', ns.nspname, 'name', co.collname,
      -- Every property the server has (provider, locales, deterministic, \u2026) without naming version-specific
      -- columns; not collversion, the library's version on this machine.
      'definition', (select coalesce(json_agg(j.key || '=' || coalesce(j.value #>> '{}', 'none') order by j.key), '[]')
        from jsonb_each(to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion') j),
      ${P("co.oid","pg_collation","co.collowner")}) order by ns.nspname, co.collname), '[]')
    from pg_collation co join ns on ns.oid = co.collnamespace where ${A("co.oid","pg_collation")})
    as collations,
  (select coalesce(json_agg(json_build_object('name', x.extname, 'version', x.extversion, 'schema', ns.nspname)
      order by x.extname), '[]')
    from pg_extension x join ns on ns.oid = x.extnamespace where x.extname <> 'plpgsql') as extensions
`}var Te=["stepback_migrations","stepback_events","stepback_fingerprints"],Ae={r:"table",p:"partitioned table",f:"foreign table"},Ce={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},Ee={f:"function",p:"procedure",a:"aggregate",w:"window"},Ne={i:"immutable",s:"stable",v:"volatile"},qe={s:"safe",r:"restricted",u:"unsafe"},ge={O:"origin",D:"disabled",R:"replica",A:"always"},Ie={p:"plain",e:"external",x:"extended",m:"main"},De={"*":"all",r:"select",a:"insert",w:"update",d:"delete"},Pe={r:"tables",S:"sequences",f:"functions",T:"types",n:"schemas"},Le={e:"explicit",a:"assignment",i:"implicit"},F=(n,t)=>`${n}.${t}`;async function Me(n){let{rows:t}=await n.query("select current_setting('server_version_num') as v, current_setting('jit', true) as jit, set_config('jit', 'off', false)");return{version:Number(t[0]?.v??0),jit:t[0]?.jit??null}}async function ee(n,t={}){let i=[...Te,...t.excludeTables??[]],c=t.schemas&&t.schemas.length>0?[...t.schemas]:null,d=[c,i],{version:b,jit:u}=await Me(n),$=le(b),h;try{h=await n.query(t.prepared?{name:`stepback-schema-fingerprint-2-${Math.floor(b/1e4)}`,text:$,values:d}:{text:$,values:d})}finally{u!==null&&u!=="off"&&await n.query("select set_config('jit', $1, false)",[u]).catch(()=>{})}let p=h.rows[0];if(!p)throw new Error("the catalog query returned no row");return Be(p,c===null,t.stateSchema)}function j(n){let t={};return n.owner!==void 0&&(t.owner=n.owner),n.privileges!==void 0&&(t.privileges=n.privileges),n.comment!=null&&(t.comment=n.comment),t}function V(n){let t=(n??[]).filter(i=>!i.startsWith("pg_"));return t.length>0?t.sort():void 0}function Be(n,t,i){let c=n.schemas.filter(e=>!(t&&i&&e.name===i)),d=n.schemas.filter(e=>!(i&&i!=="public"&&e.name===i)),b={};for(let e of n.tables){let s={kind:Ae[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{},...j(e)};e.forceRls&&(s.forceRowLevelSecurity=!0),e.persistence==="u"&&(s.unlogged=!0);let o=V(e.options);o&&(s.options=o),s.replicaIdentity="default",e.replicaIdentity==="n"?s.replicaIdentity="nothing":e.replicaIdentity==="f"?s.replicaIdentity="full":e.replicaIdentity==="i"&&(s.replicaIdentity=`index ${e.replicaIndex??"?"}`),e.partitionKey&&(s.partitionKey=e.partitionKey),e.partitionOf&&(s.partitionOf=e.partitionOf),e.inherits&&e.inherits.length>0&&(s.inherits=e.inherits),e.accessMethod&&e.accessMethod!=="heap"&&(s.accessMethod=e.accessMethod),b[F(e.schema,e.name)]=s}let u=new Map;for(let e of n.columns){let s=b[F(e.schema,e.table)];if(!s)continue;let o=F(e.schema,e.table),l=(u.get(o)??0)+1;u.set(o,l);let g={type:e.type,nullable:!e.notNull,default:e.default,position:l};e.identity&&(g.identity=e.identity==="a"?"always":"by default"),e.generated&&(g.generated="stored"),e.collation&&(g.collation=e.collation),e.identityOptions&&(g.identityOptions=e.identityOptions),e.storage&&(g.storage=Ie[e.storage]??"extended"),e.compression&&(g.compression=e.compression==="l"?"lz4":e.compression==="p"?"pglz":e.compression),e.statistics!==null&&(g.statistics=e.statistics);let y=V(e.options);y&&(g.options=y),e.privileges&&Object.keys(e.privileges).length>0&&(g.privileges=e.privileges),e.comment!==null&&(g.comment=e.comment),s.columns[e.name]=g}for(let e of n.constraints){let s=b[F(e.schema,e.table)];if(!s)continue;let o={type:Ce[e.type]??e.type,definition:e.definition},l=V(e.indexOptions);l&&(o.indexOptions=l),e.comment!==null&&(o.comment=e.comment),s.constraints[e.name]=o}let $={};for(let e of n.functions){let s={kind:Ee[e.kind]??"function",returns:e.returns,language:e.language,volatility:Ne[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:B(e.source??""),arguments:e.arguments,parallel:qe[e.parallel]??"unsafe",leakproof:e.leakproof,cost:e.cost,rows:e.rows,...j(e)};e.sqlBody!==null&&(s.sqlBodyHash=B(e.sqlBody)),e.aggregate!==null&&(s.aggregate=e.aggregate),$[`${F(e.schema,e.name)}(${e.args})`]=s}let h=(e,s)=>Object.fromEntries(e.map(o=>[F(o.schema,o.name),s(o)])),p=(e,s)=>Object.fromEntries(e.map(o=>[F(F(o.schema,o.table),o.name),s(o)])),S=(e,s)=>s===null?e:{...e,comment:s},a={format:M,scope:t?"all-user-schemas":"listed-schemas",schemas:c.map(e=>e.name),schemaAccess:Object.fromEntries(d.map(e=>[e.name,j(e)])),defaultPrivileges:Object.fromEntries(n.default_privileges.map(e=>[`for ${e.role}${e.schema===null?"":` in schema ${e.schema}`} on ${Pe[e.objtype]??e.objtype}`,e.privileges])),tables:b,indexes:h(n.indexes,e=>S({table:F(e.schema,e.table),definition:e.definition},e.comment)),views:h(n.views,e=>{let s={kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim(),...j(e)},o=V(e.options);return o&&(s.options=o),e.columnComments&&(s.columnComments=e.columnComments),s}),sequences:h(n.sequences,e=>({type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy,...e.persistence==="u"?{unlogged:!0}:{},...j(e)})),functions:$,enums:h(n.enums,e=>({values:e.values,...j(e)})),domains:h(n.domains,e=>({type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints,...j(e)})),types:h(n.types,e=>({kind:e.kind==="r"?"range":"composite",definition:e.definition,...j(e)})),triggers:p(n.triggers,e=>S({definition:e.definition,enabled:e.enabled!=="D",firing:e.enabled==="R"?"replica":e.enabled==="A"?"always":"origin"},e.comment)),policies:p(n.policies,e=>S({command:De[e.command]??"all",permissive:e.permissive,roles:e.roles??[],using:e.using,withCheck:e.withCheck},e.comment)),rules:p(n.rules,e=>S({definition:e.definition,firing:ge[e.enabled]??"origin"},e.comment)),statistics:h(n.statistics,e=>({table:F(e.schema,e.table),definition:e.definition,...e.target===null?{}:{target:e.target},...j(e)})),publications:Object.fromEntries(n.publications.map(e=>[e.name,{allTables:e.allTables,publish:e.publish.filter(s=>s!==null),viaRoot:e.viaRoot,tables:e.tables,schemas:e.schemas,...j(e)}])),operators:Object.fromEntries(n.operators.map(e=>[`${F(e.schema,e.name)}(${e.left}, ${e.right})`,{function:e.function,commutator:e.commutator,negator:e.negator,restrict:e.restrict,join:e.join,hashes:e.hashes,merges:e.merges,...j(e)}])),textSearchConfigurations:h(n.ts_configs,e=>({parser:e.parser,mappings:e.mappings,...j(e)})),textSearchDictionaries:h(n.ts_dicts,e=>({template:e.template,options:e.options,...j(e)})),eventTriggers:Object.fromEntries(n.event_triggers.map(e=>[e.name,{event:e.event,function:e.function,firing:ge[e.enabled]??"origin",tags:e.tags,...j(e)}])),casts:Object.fromEntries(n.casts.map(e=>[`(${e.source} AS ${e.target})`,S({method:e.method==="f"?`function ${e.function}`:e.method==="b"?"binary coercible":"inout",context:Le[e.context]??"explicit"},e.comment)])),collations:h(n.collations,e=>({definition:e.definition,...j(e)})),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return O(a)}var ne=N(r(),r()),x=r().optional(),H=v(r()).optional(),D={owner:r(),privileges:ne,comment:x},L={owner:r(),comment:x},de=z(["origin","replica","always","disabled"]),pe=f({type:r(),nullable:w(),default:r().nullable(),position:K().int(),identity:z(["always","by default"]).optional(),generated:G("stored").optional(),collation:r().optional()}),He=pe.extend({identityOptions:x,storage:z(["plain","external","extended","main"]).optional(),compression:x,statistics:K().int().optional(),options:H,privileges:ne.optional(),comment:x}),me=f({type:r(),definition:r()}),Ke=me.extend({indexOptions:H,comment:x}),ue=f({kind:z(["table","partitioned table","foreign table"]),rowLevelSecurity:w(),columns:N(r(),pe),constraints:N(r(),me)}),Ge=ue.extend({columns:N(r(),He),constraints:N(r(),Ke),...D,forceRowLevelSecurity:w().optional(),unlogged:w().optional(),options:H,replicaIdentity:x,partitionKey:x,partitionOf:x,inherits:H,accessMethod:x}),fe=f({table:r(),definition:r()}),be=f({kind:z(["view","materialized view"]),definition:r()}),he=f({type:r(),start:r(),increment:r(),min:r(),max:r(),cycle:w(),cache:r(),ownedBy:r().nullable()}),ye=f({kind:z(["function","procedure","aggregate","window"]),returns:r().nullable(),language:r(),volatility:z(["immutable","stable","volatile"]),strict:w(),securityDefiner:w(),config:v(r()),bodyHash:r()}),_e=f({values:v(r())}),we=f({type:r(),nullable:w(),default:r().nullable(),constraints:v(r())}),xe=f({definition:r(),enabled:w()}),Ue=f({version:r(),schema:r()}),m=n=>N(r(),n),je=f({format:G(C),scope:z(["all-user-schemas","listed-schemas"]),schemas:v(r()),tables:m(ue),indexes:m(fe),views:m(be),sequences:m(he),functions:m(ye),enums:m(_e),domains:m(we),triggers:m(xe),extensions:m(Ue)}),Ve=je.extend({format:G(M),tables:m(Ge),indexes:m(fe.extend({comment:x})),views:m(be.extend({...D,options:H,columnComments:N(r(),r()).optional()})),sequences:m(he.extend({...D,unlogged:w().optional()})),functions:m(ye.extend({...D,sqlBodyHash:x,arguments:r(),parallel:z(["safe","restricted","unsafe"]),leakproof:w(),cost:r(),rows:r(),aggregate:x})),enums:m(_e.extend(D)),domains:m(we.extend(D)),triggers:m(xe.extend({firing:z(["origin","replica","always"]),comment:x})),schemaAccess:m(f(D)),defaultPrivileges:m(ne),policies:m(f({command:z(["all","select","insert","update","delete"]),permissive:w(),roles:v(r()),using:r().nullable(),withCheck:r().nullable(),comment:x})),rules:m(f({definition:r(),firing:de,comment:x})),types:m(f({kind:z(["composite","range"]),definition:v(r()),...D})),statistics:m(f({table:r(),definition:r(),target:K().int().optional(),...L})),publications:m(f({allTables:w(),publish:v(r()),viaRoot:w(),tables:v(r()),schemas:v(r()),...L})),operators:m(f({function:r(),commutator:r().nullable(),negator:r().nullable(),restrict:r().nullable(),join:r().nullable(),hashes:w(),merges:w(),...L})),textSearchConfigurations:m(f({parser:r(),mappings:v(r()),...L})),textSearchDictionaries:m(f({template:r(),options:r().nullable(),...L})),eventTriggers:m(f({event:r(),function:r(),firing:de,tags:v(r()),...L})),casts:m(f({method:r(),context:z(["explicit","assignment","implicit"]),comment:x})),collations:m(f({definition:v(r()),...L}))}),Je={[M]:Ve,[C]:je};function ve(n,t){let i=n?.format,c=Je[i];if(!c)throw new Error(`${t} has format ${JSON.stringify(i??null)}; this stepback reads ${M} and ${C} (one written by a newer stepback is read by that version)`);let d=c.safeParse(n);if(!d.success){let b=d.error.issues.slice(0,5).map(u=>`${u.path.length>0?u.path.join("."):"(root)"}: ${u.message}`);throw new Error(`${t} is not a valid ${i} fingerprint: ${b.join("; ")}`)}return O(d.data)}var We="stepback_fingerprints";function Ye(n){return`"${n.replaceAll('"','""')}"`}function J(n){return`${Ye(n??"public")}.${We}`}async function Xe(n,t){let i=`create table if not exists ${J(t)} (
    release text not null,
    digest text not null,
    fingerprint jsonb not null,
    recorded_at timestamptz not null default now(),
    last_recorded_at timestamptz not null default now(),
    primary key (release, digest))`;try{await n.query(i)}catch(c){let d=c.code;if(d!=="23505"&&d!=="42P07")throw c}}async function ze(n,t,i){if(!(await n.query("select to_regclass($1)::text as t",[J(t)])).rows[0]?.t)return null;let{rows:d}=await n.query(`select digest, fingerprint, recorded_at from ${J(t)} where release = $1
     order by recorded_at, digest limit 1`,[i]),b=d[0];return b?{digest:b.digest,fingerprint:ve(b.fingerprint,`the recorded fingerprint of release ${i}`),recordedAt:b.recorded_at.toISOString()}:null}function Re(n,t){let i=t.schema??"public";return t.schemas&&t.schemas.length>0?{schemas:t.schemas,stateSchema:i}:n?.scope==="listed-schemas"?{schemas:n.schemas,stateSchema:i}:{stateSchema:i}}function $e(n,t){return n.format===C?{details:Y(n,ae(t)),older:{comparedAs:C,notCompared:oe}}:{details:Y(n,t),older:{}}}async function fn(n,t){await Xe(n,t.schema);let i=await ze(n,t.schema,t.release),c=await ee(n,Re(i?.fingerprint,t)),d=re(c),{rows:b}=await n.query(`insert into ${J(t.schema)} (release, digest, fingerprint) values ($1, $2, $3)
     on conflict (release, digest) do update set last_recorded_at = now()
     returning recorded_at`,[t.release,d,JSON.stringify(c)]),u=(b[0]?.recorded_at??new Date).toISOString();if(!i)return{release:t.release,digest:d,recordedAt:u,outcome:"new",differences:[]};let{details:$,older:h}=$e(i.fingerprint,c),p=$.map(S=>S.message);return{release:t.release,digest:d,recordedAt:i.recordedAt,outcome:p.length===0?"unchanged":"differs",differences:p,...h}}async function bn(n,t){let i=await ze(n,t.schema,t.release);if(!i)return{release:t.release,matches:null,reason:`no fingerprint recorded for release ${t.release} (it is recorded when \`stepback up --release ${t.release}\` completes)`};let c=await ee(n,Re(i.fingerprint,t)),{details:d,older:b}=$e(i.fingerprint,c);return{release:t.release,matches:d.length===0,differences:d.map(u=>u.message),details:d,recordedAt:i.recordedAt,digest:i.digest,...b}}function hn(n){if(n.matches===null)return`cannot verify the schema: ${n.reason}`;let t=n.comparedAs?`
  (recorded by an earlier stepback as ${n.comparedAs}: compared as far as that format reads; not compared: ${n.notCompared})`:"";if(n.matches)return`schema matches release ${n.release} as deployed${t}`;let i=n.differences.length;return`schema differs from release ${n.release} as deployed (${i} difference${i===1?"":"s"}):
${n.differences.map(c=>`  - ${c}`).join(`
`)}${t}`}export{We as FINGERPRINTS_TABLE,hn as describeVerifyResult,Ye as quoteIdent,fn as recordReleaseFingerprint,bn as verifyReleaseFingerprint};
