import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a as s,f as C,g as x,i as S,j as b,n as y,o as k,p as T}from"./shared-zod-checks.js";import"./shared-zod-api.js";import{c as $}from"./shared-core-checksum.js";import"./shared-chunk-2.js";var F="stepback/schema@1";function j(n){if(Array.isArray(n))return n.map(t=>j(t));if(n!==null&&typeof n=="object"){let t={};for(let i of Object.keys(n).sort()){let l=n[i];l!==void 0&&(t[i]=j(l))}return t}return n}function K(n){let t={};for(let[i,l]of Object.entries(n.tables)){let c={};for(let[u,g]of Object.entries(l.columns))c[u]={...g,position:0};t[i]={...l,columns:c}}return{...n,tables:t}}function D(n,t={}){let i=t.columnOrder?n:K(n);return $(JSON.stringify(j(i)))}function q(n){return n==null?"none":Array.isArray(n)?`[${n.map(t=>q(t)).join(", ")}]`:typeof n=="string"?n.length>160?`${n.slice(0,157)}\u2026`:n:String(n)}function z(n,t){return[...new Set([...Object.keys(n),...Object.keys(t)])].sort()}function N(n,t){return JSON.stringify(j(n))===JSON.stringify(j(t))}function A(n,t,i={}){let l=o=>o.startsWith("public.")?o.slice(7):o,c=[],u=(o,r,a)=>{let p=a?"missing":"unexpected";c.push({kind:o,name:l(r),change:p,message:`${o} ${l(r)}: ${p}`})},g=(o,r,a,p,d,m)=>{c.push({kind:o,name:l(r),change:"changed",property:a,expected:p,actual:d,message:`${o} ${l(r)}: ${m??`${a} ${q(p)} \u2192 ${q(d)}`}`})},e=(o,r,a,p)=>{for(let d of z(r,a)){let m=r[d],f=a[d];if(m===void 0||f===void 0){u(o,d,m!==void 0);continue}if(p){p(d,m,f);continue}for(let _ of z(m,f)){let R=m[_],v=f[_];N(R,v)||g(o,d,_,R,v)}}},w=o=>Object.fromEntries(o.map(r=>[r,{}]));for(let o of z(w(n.schemas),w(t.schemas))){let r=n.schemas.includes(o),a=t.schemas.includes(o);if(r!==a){let p=r?"missing":"unexpected";c.push({kind:"schema",name:o,change:p,message:`schema ${o}: ${p}`})}}return e("extension",n.extensions,t.extensions),e("enum",n.enums,t.enums,(o,r,a)=>{N(r.values,a.values)||g("enum",o,"values",r.values,a.values)}),e("domain",n.domains,t.domains),e("sequence",n.sequences,t.sequences),e("table",n.tables,t.tables,(o,r,a)=>{r.kind!==a.kind&&g("table",o,"kind",r.kind,a.kind),r.rowLevelSecurity!==a.rowLevelSecurity&&g("table",o,"row level security",r.rowLevelSecurity,a.rowLevelSecurity);for(let p of z(r.columns,a.columns)){let d=r.columns[p],m=a.columns[p],f=`${o}.${p}`;if(!d||!m){u("column",f,d!==void 0);continue}for(let _ of["type","nullable","default","identity","generated","collation"])if(d[_]!==m[_])if(_==="nullable"){let R=v=>v?"null":"not null";g("column",f,_,d.nullable,m.nullable,`${R(d.nullable)} \u2192 ${R(m.nullable)}`)}else g("column",f,_,d[_]??null,m[_]??null);i.columnOrder&&d.position!==m.position&&g("column",f,"position",d.position,m.position)}for(let p of z(r.constraints,a.constraints)){let d=r.constraints[p],m=a.constraints[p],f=`${o}.${p}`;if(!d||!m){u("constraint",f,d!==void 0);continue}d.type!==m.type?g("constraint",f,"type",d.type,m.type):d.definition!==m.definition&&g("constraint",f,"definition",d.definition,m.definition)}}),e("index",n.indexes,t.indexes,(o,r,a)=>{r.definition!==a.definition&&g("index",o,"definition",r.definition,a.definition)}),e("view",n.views,t.views,(o,r,a)=>{r.kind!==a.kind&&g("view",o,"kind",r.kind,a.kind),r.definition!==a.definition&&g("view",o,"definition",r.definition,a.definition,"definition changed")}),e("function",n.functions,t.functions,(o,r,a)=>{for(let p of z(r,a)){let d=r[p],m=a[p];N(d,m)||(p==="bodyHash"?g("function",o,"body",d,m,"body changed"):g("function",o,p,d,m))}}),e("trigger",n.triggers,t.triggers),c}var M=["stepback_migrations","stepback_events","stepback_fingerprints"],I=`
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
`,H={r:"table",p:"partitioned table",f:"foreign table"},G={p:"primary key",f:"foreign key",u:"unique",c:"check",x:"exclusion",t:"trigger",n:"not null"},V={f:"function",p:"procedure",a:"aggregate",w:"window"},J={i:"immutable",s:"stable",v:"volatile"},h=(n,t)=>`${n}.${t}`;async function E(n,t={}){let i=[...M,...t.excludeTables??[]],l=t.schemas&&t.schemas.length>0?[...t.schemas]:null,c=[l,i],g=(await n.query(t.prepared?{name:"stepback-schema-fingerprint-1",text:I,values:c}:{text:I,values:c})).rows[0];if(!g)throw new Error("the catalog query returned no row");return t.stateSchema&&l===null&&(g.schemas=g.schemas.filter(e=>e!==t.stateSchema)),U(g,l===null)}function U(n,t){let i={};for(let e of n.tables)i[h(e.schema,e.name)]={kind:H[e.kind]??"table",rowLevelSecurity:e.rls,columns:{},constraints:{}};let l=new Map;for(let e of n.columns){let w=i[h(e.schema,e.table)];if(!w)continue;let o=h(e.schema,e.table),r=(l.get(o)??0)+1;l.set(o,r);let a={type:e.type,nullable:!e.notNull,default:e.default,position:r};e.identity&&(a.identity=e.identity==="a"?"always":"by default"),e.generated&&(a.generated="stored"),e.collation&&(a.collation=e.collation),w.columns[e.name]=a}for(let e of n.constraints){let w=i[h(e.schema,e.table)];w&&(w.constraints[e.name]={type:G[e.type]??e.type,definition:e.definition})}let c={};for(let e of n.sequences)c[h(e.schema,e.name)]={type:e.type,start:e.start,increment:e.increment,min:e.min,max:e.max,cycle:e.cycle,cache:e.cache,ownedBy:e.ownedBy};let u={};for(let e of n.functions)u[`${h(e.schema,e.name)}(${e.args})`]={kind:V[e.kind]??"function",returns:e.returns,language:e.language,volatility:J[e.volatility]??"volatile",strict:e.strict,securityDefiner:e.securityDefiner,config:e.config??[],bodyHash:$(e.source??"")};let g={format:F,scope:t?"all-user-schemas":"listed-schemas",schemas:n.schemas,tables:i,indexes:Object.fromEntries(n.indexes.map(e=>[h(e.schema,e.name),{table:h(e.schema,e.table),definition:e.definition}])),views:Object.fromEntries(n.views.map(e=>[h(e.schema,e.name),{kind:e.kind==="m"?"materialized view":"view",definition:e.definition.trim()}])),sequences:c,functions:u,enums:Object.fromEntries(n.enums.map(e=>[h(e.schema,e.name),{values:e.values}])),domains:Object.fromEntries(n.domains.map(e=>[h(e.schema,e.name),{type:e.type,nullable:!e.notNull,default:e.default,constraints:e.constraints}])),triggers:Object.fromEntries(n.triggers.map(e=>[h(h(e.schema,e.table),e.name),{definition:e.definition,enabled:e.enabled!=="D"}])),extensions:Object.fromEntries(n.extensions.map(e=>[e.name,{version:e.version,schema:e.schema}]))};return j(g)}var Y=b({type:s(),nullable:x(),default:s().nullable(),position:C().int(),identity:k(["always","by default"]).optional(),generated:T("stored").optional(),collation:s().optional()}),X=b({format:T(F),scope:k(["all-user-schemas","listed-schemas"]),schemas:S(s()),tables:y(s(),b({kind:k(["table","partitioned table","foreign table"]),rowLevelSecurity:x(),columns:y(s(),Y),constraints:y(s(),b({type:s(),definition:s()}))})),indexes:y(s(),b({table:s(),definition:s()})),views:y(s(),b({kind:k(["view","materialized view"]),definition:s()})),sequences:y(s(),b({type:s(),start:s(),increment:s(),min:s(),max:s(),cycle:x(),cache:s(),ownedBy:s().nullable()})),functions:y(s(),b({kind:k(["function","procedure","aggregate","window"]),returns:s().nullable(),language:s(),volatility:k(["immutable","stable","volatile"]),strict:x(),securityDefiner:x(),config:S(s()),bodyHash:s()})),enums:y(s(),b({values:S(s())})),domains:y(s(),b({type:s(),nullable:x(),default:s().nullable(),constraints:S(s())})),triggers:y(s(),b({definition:s(),enabled:x()})),extensions:y(s(),b({version:s(),schema:s()}))});function L(n,t){let i=X.safeParse(n);if(!i.success){let l=i.error.issues.slice(0,5).map(c=>`${c.path.length>0?c.path.join("."):"(root)"}: ${c.message}`);throw new Error(`${t} is not a valid ${F} fingerprint: ${l.join("; ")}`)}return j(i.data)}var Q="stepback_fingerprints";function W(n){return`"${n.replaceAll('"','""')}"`}function O(n){return`${W(n??"public")}.${Q}`}async function Z(n,t){let i=`create table if not exists ${O(t)} (
    release text not null,
    digest text not null,
    fingerprint jsonb not null,
    recorded_at timestamptz not null default now(),
    last_recorded_at timestamptz not null default now(),
    primary key (release, digest))`;try{await n.query(i)}catch(l){let c=l.code;if(c!=="23505"&&c!=="42P07")throw l}}async function B(n,t,i){if(!(await n.query("select to_regclass($1)::text as t",[O(t)])).rows[0]?.t)return null;let{rows:c}=await n.query(`select digest, fingerprint, recorded_at from ${O(t)} where release = $1
     order by recorded_at, digest limit 1`,[i]),u=c[0];return u?{digest:u.digest,fingerprint:L(u.fingerprint,`the recorded fingerprint of release ${i}`),recordedAt:u.recorded_at.toISOString()}:null}function P(n,t){let i=t.schema??"public";return t.schemas&&t.schemas.length>0?{schemas:t.schemas,stateSchema:i}:n?.scope==="listed-schemas"?{schemas:n.schemas,stateSchema:i}:{stateSchema:i}}async function ge(n,t){await Z(n,t.schema);let i=await B(n,t.schema,t.release),l=await E(n,P(i?.fingerprint,t)),c=D(l),{rows:u}=await n.query(`insert into ${O(t.schema)} (release, digest, fingerprint) values ($1, $2, $3)
     on conflict (release, digest) do update set last_recorded_at = now()
     returning recorded_at`,[t.release,c,JSON.stringify(l)]),g=(u[0]?.recorded_at??new Date).toISOString();if(!i)return{release:t.release,digest:c,recordedAt:g,outcome:"new",differences:[]};let e=A(i.fingerprint,l).map(w=>w.message);return{release:t.release,digest:c,recordedAt:i.recordedAt,outcome:e.length===0?"unchanged":"differs",differences:e}}async function me(n,t){let i=await B(n,t.schema,t.release);if(!i)return{release:t.release,matches:null,reason:`no fingerprint recorded for release ${t.release} (it is recorded when \`stepback up --release ${t.release}\` completes)`};let l=await E(n,P(i.fingerprint,t)),c=A(i.fingerprint,l);return{release:t.release,matches:c.length===0,differences:c.map(u=>u.message),details:c,recordedAt:i.recordedAt,digest:i.digest}}function pe(n){if(n.matches===null)return`cannot verify the schema: ${n.reason}`;if(n.matches)return`schema matches release ${n.release} as deployed`;let t=n.differences.length;return`schema differs from release ${n.release} as deployed (${t} difference${t===1?"":"s"}):
${n.differences.map(i=>`  - ${i}`).join(`
`)}`}export{Q as FINGERPRINTS_TABLE,pe as describeVerifyResult,W as quoteIdent,ge as recordReleaseFingerprint,me as verifyReleaseFingerprint};
