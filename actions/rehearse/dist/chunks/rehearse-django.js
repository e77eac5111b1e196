import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{c as K,d as X,e as V,f as z}from"./shared-rehearse-embedded-server.js";import{b as Q}from"./shared-schema-catalog-sql.js";import{e as H}from"./shared-core-schema-diff.js";import{a as W}from"./shared-pg-cloudflare-empty.js";import{d as B,e as L}from"./shared-engines-django-manage.js";import{e as q}from"./shared-zod-external.js";import"./shared-zod-checks.js";import"./shared-engines-django-defaults.js";import"./shared-zod-api.js";import"./shared-core-release-manifest.js";import"./shared-core-canonical-json.js";import"./shared-core-names.js";import"./shared-core-checksum.js";import{a as N,b as A,c as y,e as $}from"./shared-core-errors.js";import{b as J}from"./shared-core-redact.js";import"./shared-chunk-2.js";import{readFileSync as oe}from"node:fs";import{resolve as ae}from"node:path";import{spawn as te}from"node:child_process";var M="stepback-django-session ",Y=String.raw`import json, os, sys, time
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
`;function Z(r){let i=new URL(r);return{NAME:decodeURIComponent(i.pathname.replace(/^\//,"")),HOST:decodeURIComponent(i.hostname),PORT:i.port,USER:decodeURIComponent(i.username),PASSWORD:decodeURIComponent(i.password)}}async function ee(r,i){let h=B(i.manageCommand);if(h.length===0)throw new y("--manage-command is empty");let o=[...i.secrets,r.PASSWORD],p=a=>J(a,o),c=te(h[0],[...h.slice(1),"shell","-c",Y],{cwd:i.cwd,env:{...i.env,STEPBACK_DJANGO:JSON.stringify({db:r})},stdio:["pipe","pipe","pipe"]}),g=[],b="";c.stderr.setEncoding("utf8").on("data",a=>{b+=a;let s=b.split(`
`);b=s.pop()??"";for(let l of s)i.log(p(l)),g.push(l),g.length>20&&g.shift()});let f=[],S="";c.stdout.setEncoding("utf8").on("data",a=>{S+=a;let s=S.split(`
`);S=s.pop()??"";for(let l of s)l.startsWith(M)&&f.shift()?.resolve(JSON.parse(l.slice(M.length)))});let d,k=a=>{d=new A(p(`"${i.manageCommand} shell" ${a} during the rehearsal${g.length?`:
${g.join(`
`)}`:""}`),N.migrationFailed,{hint:"check that the manage command runs this project and that Django is installed for that python"});for(let s of f.splice(0))s.reject(d)};c.on("error",a=>{d=new y(`cannot run the manage command "${i.manageCommand}": ${a.code??a.message}`,{hint:'pass --manage-command (env STEPBACK_MANAGE_COMMAND) with the python that has Django, e.g. "/usr/bin/python3 manage.py"'});for(let s of f.splice(0))s.reject(d)}),c.on("close",(a,s)=>k(s?`was killed by ${s}`:`exited ${a}`));let e=()=>new Promise((a,s)=>{d?s(d):f.push({resolve:a,reject:s})}),w=await e();if(!w.ok)throw c.kill(),new A(p(`Django could not open the scratch database: ${w.error}`),N.usage,{hint:"the rehearsal points the default database at a scratch one; its backend must be PostgreSQL"});return{async migrate(a){let s=e();c.stdin.write(`${JSON.stringify({targets:a})}
`);let l=await s;return{...l,error:l.error===void 0?void 0:p(l.error)}},async close(){if(c.exitCode!==null||c.signalCode!==null)return;let a=new Promise(s=>c.once("close",()=>s()));c.stdin.end(),await a}}}var R=r=>r.slice(0,r.indexOf(".")),ne=r=>r.slice(r.indexOf(".")+1);function se(r,i,h){if(r===void 0||r==="")return{since:{release:null,source:"none",migrations:[],notes:[]},base:[]};let o;if(typeof r=="object")o=r;else{let e=ae(i,r),w;try{w=JSON.parse(oe(e,"utf8"))}catch(a){throw new y(`--since ${r}: cannot read the manifest: ${a.message}`,{hint:"a Django rehearsal starts from the previous release's manifest file (`stepback --engine django manifest --release R --out FILE`)"})}o=q(w,e)}if(o.engine!=="django")throw new y(`--since: release ${o.release}'s manifest is for the ${o.engine} engine, not django`);let p=new Set(o.migrations.map(e=>e.name)),c=e=>p.has(e.name)||e.replaces.length>0&&e.replaces.every(w=>p.has(w)),g=h.filter(c),b=new Set([...g.map(e=>e.name),...g.flatMap(e=>e.replaces)]),f=o.migrations.filter(e=>!b.has(e.name)).map(e=>e.name);if(f.length>0)throw new y(`the previous release ${o.release} has migrations this code does not: ${f.join(", ")}`,{hint:"the previous release must be a prefix of this one; check the manage command and --since"});let S=new Map(h.map(e=>[e.name,e])),d=o.migrations.filter(e=>S.has(e.name)&&S.get(e.name).checksum!==e.checksum).map(e=>`${e.name}: the migration file changed since release ${o.release} (checksum differs)`);return{since:{release:o.release,source:"manifest",migrations:o.migrations.map(e=>({name:e.name,checksum:e.checksum})),notes:d},base:g}}function ie(r,i,h){return[...new Set(h)].sort().map(o=>{let p=r.filter(c=>R(c.name)===o&&i.has(c.name)).at(-1);return[o,p?ne(p.name):null]})}function O(r,i){return{step:r,message:i.error??"the Django step failed"}}async function $e(r){let i=r.now??(()=>performance.now()),h=i(),o=r.log??(()=>{}),p={manageCommand:r.manageCommand,env:r.env,cwd:r.cwd,log:o,secrets:r.secrets},c=await L({op:"graph"},p);if(!c.ok||!c.graph)throw new $("graph",`Django could not load its migrations: ${c.error}`);let g=c.graph.nodes,{since:b,base:f}=se(r.since,r.cwd,g),S=new Set(f.map(u=>u.name)),d=g.filter(u=>!S.has(u.name)),k=r.columnOrder??!1,e=r.databaseUrl?await V(r.databaseUrl):await z(o),w=[],a={outcome:"skipped",reverted:[],differences:[]},s="unknown",l=new W.Client({connectionString:e.url,application_name:"stepback rehearse"}),D;try{await l.connect(),s=(await l.query("select current_setting('server_version') as v")).rows[0]?.v??s,D=await ee(Z(e.url),p);let u=D,j=()=>Q(l,{prepared:!0}),C=(n,t)=>H(n,t,{columnOrder:k}).map(m=>m.message);o(`rehearsing ${d.length} Django migration(s) in scratch database ${e.name} (PostgreSQL ${s})`);let v=new Set,E=n=>ie(g,v,n);if(f.length>0){for(let t of f)v.add(t.name);let n=await u.migrate(E(f.map(t=>R(t.name))));if(!n.ok)throw new $(n.failed??"previous release",`the previous release's migrations failed on the scratch database: ${n.error}`)}let re=await j(),T=async n=>{o(`rebuilding the scratch database after ${n}`),await l.query(X);let t=await u.migrate(E(g.map(m=>R(m.name))));if(!t.ok)throw new $(n,`rebuilding the scratch database failed: ${t.error}`)},P=!1;for(let n of d){let t={name:n.name,outcome:"ok",reversible:n.irreversible.length===0,differences:[],dataDifferences:[]};if(w.push(t),P){t.outcome="not-run";continue}let m=R(n.name),I=[[m,ne(n.name)]],U=t.reversible?await j():null,x=await u.migrate(I);if(!x.ok){Object.assign(t,{outcome:"up-failed",error:O("up",x)}),P=!0,o(`${n.name}: up-failed \u2014 ${x.error}`);continue}if(v.add(n.name),!U){Object.assign(t,{outcome:"irreversible",note:`irreversible operation(s): ${n.irreversible.join(", ")}`}),o(`${n.name}: irreversible`);continue}v.delete(n.name);let _=await u.migrate(E([m]));if(!_.ok){Object.assign(t,{outcome:"down-failed",error:O("down",_)}),v.add(n.name),o(`${n.name}: down-failed \u2014 ${_.error}`),n.atomic||(t.note="the migration is not atomic; the database was rebuilt",await T(n.name));continue}t.differences=C(U,await j()),t.differences.length>0&&(t.outcome="not-restored");let G=await u.migrate(I);v.add(n.name),G.ok||(t.outcome==="ok"&&(t.outcome="reapply-failed"),t.error=O("up again",G)),o(`${n.name}: ${t.outcome}${t.differences.length?` \u2014 ${t.differences.join("; ")}`:""}`),t.outcome!=="ok"&&await T(n.name)}let F=d.filter(n=>n.irreversible.length>0).map(n=>n.name);if(P)a={outcome:"skipped",reverted:[],differences:[],reason:"an up failed"};else if(d.length===0)a={outcome:"skipped",reverted:[],differences:[],reason:"no new migrations"};else if(F.length>0)a={outcome:"skipped",reverted:[],differences:[],reason:`the release cannot be reverted: irreversible ${F.join(", ")}`};else{for(let m of d)v.delete(m.name);let n=await u.migrate(E(d.map(m=>R(m.name)))),t=n.done.map(m=>m.name);if(!n.ok)a={outcome:"down-failed",reverted:t,...n.failed?{failed:n.failed}:{},error:O("down",n),differences:[]};else{let m=C(re,await j());a={outcome:m.length===0?"ok":"not-restored",reverted:t,differences:m}}o(`whole release revert: ${a.outcome}`)}}finally{await D?.close().catch(()=>{}),await l.end().catch(()=>{}),await e.close().catch(u=>o(`warning: could not drop the scratch database: ${u.message}`))}return K({release:r.release??null,since:b,serverVersion:s,kind:e.kind,database:e.name,results:w,releaseRevert:a,requireReversible:r.requireReversible??!1,notes:b.notes,durationMs:Math.round(i()-h)})}export{$e as rehearseDjango};
