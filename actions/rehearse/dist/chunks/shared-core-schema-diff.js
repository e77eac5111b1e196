import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{c as k}from"./shared-core-checksum.js";var S="stepback/schema@1";function y(n){if(Array.isArray(n))return n.map(t=>y(t));if(n!==null&&typeof n=="object"){let t={};for(let g of Object.keys(n).sort()){let d=n[g];d!==void 0&&(t[g]=y(d))}return t}return n}function v(n){let t={};for(let[g,d]of Object.entries(n.tables)){let m={};for(let[b,l]of Object.entries(d.columns))m[b]={...l,position:0};t[g]={...d,columns:m}}return{...n,tables:t}}function A(n,t={}){let g=t.columnOrder?n:v(n);return k(JSON.stringify(y(g)))}function R(n){return n==null?"none":Array.isArray(n)?`[${n.map(t=>R(t)).join(", ")}]`:typeof n=="string"?n.length>160?`${n.slice(0,157)}\u2026`:n:String(n)}function _(n,t){return[...new Set([...Object.keys(n),...Object.keys(t)])].sort()}function x(n,t){return JSON.stringify(y(n))===JSON.stringify(y(t))}function D(n,t,g={}){let d=s=>s.startsWith("public.")?s.slice(7):s,m=[],b=(s,i,r)=>{let c=r?"missing":"unexpected";m.push({kind:s,name:d(i),change:c,message:`${s} ${d(i)}: ${c}`})},l=(s,i,r,c,o,a)=>{m.push({kind:s,name:d(i),change:"changed",property:r,expected:c,actual:o,message:`${s} ${d(i)}: ${a??`${r} ${R(c)} \u2192 ${R(o)}`}`})},e=(s,i,r,c)=>{for(let o of _(i,r)){let a=i[o],p=r[o];if(a===void 0||p===void 0){b(s,o,a!==void 0);continue}if(c){c(o,a,p);continue}for(let f of _(a,p)){let j=a[f],w=p[f];x(j,w)||l(s,o,f,j,w)}}},h=s=>Object.fromEntries(s.map(i=>[i,{}]));for(let s of _(h(n.schemas),h(t.schemas))){let i=n.schemas.includes(s),r=t.schemas.includes(s);if(i!==r){let c=i?"missing":"unexpected";m.push({kind:"schema",name:s,change:c,message:`schema ${s}: ${c}`})}}return e("extension",n.extensions,t.extensions),e("enum",n.enums,t.enums,(s,i,r)=>{x(i.values,r.values)||l("enum",s,"values",i.values,r.values)}),e("domain",n.domains,t.domains),e("sequence",n.sequences,t.sequences),e("table",n.tables,t.tables,(s,i,r)=>{i.kind!==r.kind&&l("table",s,"kind",i.kind,r.kind),i.rowLevelSecurity!==r.rowLevelSecurity&&l("table",s,"row level security",i.rowLevelSecurity,r.rowLevelSecurity);for(let c of _(i.columns,r.columns)){let o=i.columns[c],a=r.columns[c],p=`${s}.${c}`;if(!o||!a){b("column",p,o!==void 0);continue}for(let f of["type","nullable","default","identity","generated","collation"])if(o[f]!==a[f])if(f==="nullable"){let j=w=>w?"null":"not null";l("column",p,f,o.nullable,a.nullable,`${j(o.nullable)} \u2192 ${j(a.nullable)}`)}else l("column",p,f,o[f]??null,a[f]??null);g.columnOrder&&o.position!==a.position&&l("column",p,"position",o.position,a.position)}for(let c of _(i.constraints,r.constraints)){let o=i.constraints[c],a=r.constraints[c],p=`${s}.${c}`;if(!o||!a){b("constraint",p,o!==void 0);continue}o.type!==a.type?l("constraint",p,"type",o.type,a.type):o.definition!==a.definition&&l("constraint",p,"definition",o.definition,a.definition)}}),e("index",n.indexes,t.indexes,(s,i,r)=>{i.definition!==r.definition&&l("index",s,"definition",i.definition,r.definition)}),e("view",n.views,t.views,(s,i,r)=>{i.kind!==r.kind&&l("view",s,"kind",i.kind,r.kind),i.definition!==r.definition&&l("view",s,"definition",i.definition,r.definition,"definition changed")}),e("function",n.functions,t.functions,(s,i,r)=>{for(let c of _(i,r)){let o=i[c],a=r[c];x(o,a)||(c==="bodyHash"?l("function",s,"body",o,a,"body changed"):l("function",s,c,o,a))}}),e("trigger",n.triggers,t.triggers),m}var O=["stepback_migrations","stepback_events","stepback_fingerprints"],F=`
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
`,T={r:"table",p:"partitioned table",f:"foreign table"},N={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},q={f:"function",p:"procedure",a:"aggregate",w:"window"},$={i:"immutable",s:"stable",v:"volatile"},u=(n,t)=>`${n}.${t}`;async function B(n,t={}){let g=[...O,...t.excludeTables??[]],d=t.schemas&&t.schemas.length>0?[...t.schemas]:null,m=[d,g],l=(await n.query(t.prepared?{name:"stepback-schema-fingerprint-1",text:F,values:m}:{text:F,values:m})).rows[0];if(!l)throw new Error("the catalog query returned no row");return t.stateSchema&&d===null&&(l.schemas=l.schemas.filter(e=>e!==t.stateSchema)),E(l,d===null)}function E(n,t){let g={};for(let e of n.tables)g[u(e.schema,e.name)]={kind:T[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{}};let d=new Map;for(let e of n.columns){let h=g[u(e.schema,e.table)];if(!h)continue;let s=u(e.schema,e.table),i=(d.get(s)??0)+1;d.set(s,i);let r={type:e.type,nullable:!e.notNull,default:e.default,position:i};e.identity&&(r.identity=e.identity==="a"?"always":"by default"),e.generated&&(r.generated="stored"),e.collation&&(r.collation=e.collation),h.columns[e.name]=r}for(let e of n.constraints){let h=g[u(e.schema,e.table)];h&&(h.constraints[e.name]={type:N[e.type]??e.type,definition:e.definition})}let m={};for(let e of n.sequences)m[u(e.schema,e.name)]={type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy};let b={};for(let e of n.functions)b[`${u(e.schema,e.name)}(${e.args})`]={kind:q[e.kind]??"function",returns:e.returns,language:e.language,volatility:$[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:k(e.source??"")};let l={format:S,scope:t?"all-user-schemas":"listed-schemas",schemas:n.schemas,tables:g,indexes:Object.fromEntries(n.indexes.map(e=>[u(e.schema,e.name),{table:u(e.schema,e.table),definition:e.definition}])),views:Object.fromEntries(n.views.map(e=>[u(e.schema,e.name),{kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim()}])),sequences:m,functions:b,enums:Object.fromEntries(n.enums.map(e=>[u(e.schema,e.name),{values:e.values}])),domains:Object.fromEntries(n.domains.map(e=>[u(e.schema,e.name),{type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints}])),triggers:Object.fromEntries(n.triggers.map(e=>[u(u(e.schema,e.table),e.name),{definition:e.definition,enabled:e.enabled!=="D"}])),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return y(l)}export{S as a,y as b,A as c,D as d,O as e,B as f};
