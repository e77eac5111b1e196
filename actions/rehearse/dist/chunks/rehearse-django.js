import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{c as X,d as V,e as z,f as Y}from"./shared-rehearse-embedded-server.js";import{b as K}from"./shared-schema-catalog-sql.js";import{e as Q}from"./shared-core-schema-diff.js";import{a as L}from"./shared-pg-cloudflare-empty.js";import{d as W,e as B,f as H}from"./shared-engines-django-manage.js";import{f as q}from"./shared-zod-external.js";import"./shared-zod-checks.js";import"./shared-engines-django-defaults.js";import"./shared-zod-api.js";import"./shared-core-release-manifest.js";import"./shared-core-canonical-json.js";import"./shared-core-names.js";import"./shared-core-checksum.js";import{a as N,b as A,c as v,e as $}from"./shared-core-errors.js";import{b as J}from"./shared-core-redact.js";import"./shared-chunk-2.js";import{readFileSync as oe}from"node:fs";import{resolve as se}from"node:path";import{spawn as ae}from"node:child_process";var M="stepback-django-session ",Z=String.raw`import json, os, sys, time
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
R = json.loads(os.environ["STEPBACK_DJANGO"])
db = connections["default"]
def out(**doc):
    t = json.dumps(doc)
    p = R["db"].get("PASSWORD") or ""
    sys.stdout.write("stepback-django-session " + (t.replace(p, "***") if p else t) + "\n")
    sys.stdout.flush()
def log(line):
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
try:
    if db.vendor != "postgresql":
        raise Exception("the default database uses the " + db.vendor + " backend; stepback rehearses on PostgreSQL only")
    db.close()
    db.settings_dict.update(R["db"])
    MigrationRecorder(db).ensure_schema()
    out(ok=True, ready=True)
except Exception as e:
    out(ok=False, error=type(e).__name__ + ": " + str(e))
    sys.exit(0)
for line in sys.stdin:
    q = json.loads(line)
    done, marks, cur = [], {}, [None]
    def progress(action, migration=None, fake=False):
        if migration is None:
            return
        n, now = migration.app_label + "." + migration.name, time.monotonic()
        if action.endswith("_start"):
            marks[n], cur[0] = now, n
            log(("applying " if action == "apply_start" else "reverting ") + n)
        elif action.endswith("_success"):
            done.append({"name": n, "durationMs": round((now - marks[n]) * 1000, 1)})
            cur[0] = None
    try:
        ex = MigrationExecutor(db, progress)
        targets = [(t[0], t[1]) for t in q["targets"]]
        ex.migrate(targets, plan=ex.migration_plan(targets))
        out(ok=True, done=done)
    except Exception as e:
        out(ok=False, done=done, failed=cur[0], error=type(e).__name__ + ": " + str(e))
`;function ee(r){let i=new URL(r);return{NAME:decodeURIComponent(i.pathname.replace(/^\//,"")),HOST:decodeURIComponent(i.hostname),PORT:i.port,USER:decodeURIComponent(i.username),PASSWORD:decodeURIComponent(i.password)}}async function ne(r,i){let h=W(i.manageCommand);if(h.length===0)throw new v("--manage-command is empty");let a=[...i.secrets,r.PASSWORD],m=s=>J(s,a),c=ae(h[0],[...h.slice(1),"shell","-c",Z],{cwd:i.cwd,env:{...i.env,STEPBACK_DJANGO:JSON.stringify({db:r})},stdio:["pipe","pipe","pipe"]}),{tail:g}=B(c.stderr,i,m),b=[],p="";c.stdout.setEncoding("utf8").on("data",s=>{p+=s;let o=p.split(`
`);p=o.pop()??"";for(let u of o)u.startsWith(M)&&b.shift()?.resolve(JSON.parse(u.slice(M.length)))});let f,w=s=>{f=new A(m(`"${i.manageCommand} shell" ${s} during the rehearsal${g.length?`:
${g.join(`
`)}`:""}`),N.migrationFailed,{hint:"check that the manage command runs this project and that Django is installed for that python"});for(let o of b.splice(0))o.reject(f)};c.on("error",s=>{f=new v(`cannot run the manage command "${i.manageCommand}": ${s.code??s.message}`,{hint:'pass --manage-command (env STEPBACK_MANAGE_COMMAND) with the python that has Django, e.g. "/usr/bin/python3 manage.py"'});for(let o of b.splice(0))o.reject(f)}),c.on("close",(s,o)=>w(o?`was killed by ${o}`:`exited ${s}`));let y=()=>new Promise((s,o)=>{f?o(f):b.push({resolve:s,reject:o})}),e=await y();if(!e.ok)throw c.kill(),new A(m(`Django could not open the scratch database: ${e.error}`),N.usage,{hint:"the rehearsal points the default database at a scratch one; its backend must be PostgreSQL"});return{async migrate(s){let o=y();c.stdin.write(`${JSON.stringify({targets:s})}
`);let u=await o;return{...u,error:u.error===void 0?void 0:m(u.error)}},async close(){if(c.exitCode!==null||c.signalCode!==null)return;let s=new Promise(o=>c.once("close",()=>o()));c.stdin.end(),await s}}}var k=r=>r.slice(0,r.indexOf(".")),re=r=>r.slice(r.indexOf(".")+1);function ie(r,i,h){if(r===void 0||r==="")return{since:{release:null,source:"none",migrations:[],notes:[]},base:[]};let a;if(typeof r=="object")a=r;else{let e=se(i,r),s;try{s=JSON.parse(oe(e,"utf8"))}catch(o){throw new v(`--since ${r}: cannot read the manifest: ${o.message}`,{hint:"a Django rehearsal starts from the previous release's manifest file (`stepback --engine django manifest --release R --out FILE`)"})}a=q(s,e)}if(a.engine!=="django")throw new v(`--since: release ${a.release}'s manifest is for the ${a.engine} engine, not django`);let m=new Set(a.migrations.map(e=>e.name)),c=e=>m.has(e.name)||e.replaces.length>0&&e.replaces.every(s=>m.has(s)),g=h.filter(c),b=new Set([...g.map(e=>e.name),...g.flatMap(e=>e.replaces)]),p=a.migrations.filter(e=>!b.has(e.name)).map(e=>e.name);if(p.length>0)throw new v(`the previous release ${a.release} has migrations this code does not: ${p.join(", ")}`,{hint:"the previous release must be a prefix of this one; check the manage command and --since"});let f=new Map(h.map(e=>[e.name,e])),w=a.migrations.filter(e=>f.has(e.name)&&f.get(e.name).checksum!==e.checksum).map(e=>`${e.name}: the migration file changed since release ${a.release} (checksum differs)`);return{since:{release:a.release,source:"manifest",migrations:a.migrations.map(e=>({name:e.name,checksum:e.checksum})),notes:w},base:g}}function ce(r,i,h){return[...new Set(h)].sort().map(a=>{let m=r.filter(c=>k(c.name)===a&&i.has(c.name)).at(-1);return[a,m?re(m.name):null]})}function O(r,i){return{step:r,message:i.error??"the Django step failed"}}async function Oe(r){let i=r.now??(()=>performance.now()),h=i(),a=r.log??(()=>{}),m={manageCommand:r.manageCommand,env:r.env,cwd:r.cwd,log:a,secrets:r.secrets},c=await H({op:"graph"},m);if(!c.ok||!c.graph)throw new $("graph",`Django could not load its migrations: ${c.error}`);let g=c.graph.nodes,{since:b,base:p}=ie(r.since,r.cwd,g),f=new Set(p.map(l=>l.name)),w=g.filter(l=>!f.has(l.name)),y=r.columnOrder??!1,e=r.databaseUrl?await z(r.databaseUrl):await Y(a),s=[],o={outcome:"skipped",reverted:[],differences:[]},u="unknown",R=new L.Client({connectionString:e.url,application_name:"stepback rehearse"}),D;try{await R.connect(),u=(await R.query("select current_setting('server_version') as v")).rows[0]?.v??u,D=await ne(ee(e.url),m);let l=D,j=()=>K(R,{prepared:!0}),C=(n,t)=>Q(n,t,{columnOrder:y}).map(d=>d.message);a(`rehearsing ${w.length} Django migration(s) in scratch database ${e.name} (PostgreSQL ${u})`);let S=new Set,E=n=>ce(g,S,n);if(p.length>0){for(let t of p)S.add(t.name);let n=await l.migrate(E(p.map(t=>k(t.name))));if(!n.ok)throw new $(n.failed??"previous release",`the previous release's migrations failed on the scratch database: ${n.error}`)}let te=await j(),T=async n=>{a(`rebuilding the scratch database after ${n}`),await R.query(V);let t=await l.migrate(E(g.map(d=>k(d.name))));if(!t.ok)throw new $(n,`rebuilding the scratch database failed: ${t.error}`)},x=!1;for(let n of w){let t={name:n.name,outcome:"ok",reversible:n.irreversible.length===0,differences:[],dataDifferences:[]};if(s.push(t),x){t.outcome="not-run";continue}let d=k(n.name),I=[[d,re(n.name)]],U=t.reversible?await j():null,P=await l.migrate(I);if(!P.ok){Object.assign(t,{outcome:"up-failed",error:O("up",P)}),x=!0,a(`${n.name}: up-failed \u2014 ${P.error}`);continue}if(S.add(n.name),!U){Object.assign(t,{outcome:"irreversible",note:`irreversible operation(s): ${n.irreversible.join(", ")}`}),a(`${n.name}: irreversible`);continue}S.delete(n.name);let _=await l.migrate(E([d]));if(!_.ok){Object.assign(t,{outcome:"down-failed",error:O("down",_)}),S.add(n.name),a(`${n.name}: down-failed \u2014 ${_.error}`),n.atomic||(t.note="the migration is not atomic; the database was rebuilt",await T(n.name));continue}t.differences=C(U,await j()),t.differences.length>0&&(t.outcome="not-restored");let G=await l.migrate(I);S.add(n.name),G.ok||(t.outcome==="ok"&&(t.outcome="reapply-failed"),t.error=O("up again",G)),a(`${n.name}: ${t.outcome}${t.differences.length?` \u2014 ${t.differences.join("; ")}`:""}`),t.outcome!=="ok"&&await T(n.name)}let F=w.filter(n=>n.irreversible.length>0).map(n=>n.name);if(x)o={outcome:"skipped",reverted:[],differences:[],reason:"an up failed"};else if(w.length===0)o={outcome:"skipped",reverted:[],differences:[],reason:"no new migrations"};else if(F.length>0)o={outcome:"skipped",reverted:[],differences:[],reason:`the release cannot be reverted: irreversible ${F.join(", ")}`};else{for(let d of w)S.delete(d.name);let n=await l.migrate(E(w.map(d=>k(d.name)))),t=n.done.map(d=>d.name);if(!n.ok)o={outcome:"down-failed",reverted:t,...n.failed?{failed:n.failed}:{},error:O("down",n),differences:[]};else{let d=C(te,await j());o={outcome:d.length===0?"ok":"not-restored",reverted:t,differences:d}}a(`whole release revert: ${o.outcome}`)}}finally{await D?.close().catch(()=>{}),await R.end().catch(()=>{}),await e.close().catch(l=>a(`warning: could not drop the scratch database: ${l.message}`))}return X({release:r.release??null,since:b,serverVersion:u,kind:e.kind,database:e.name,results:s,releaseRevert:o,requireReversible:r.requireReversible??!1,notes:b.notes,durationMs:Math.round(i()-h)})}export{Oe as rehearseDjango};
