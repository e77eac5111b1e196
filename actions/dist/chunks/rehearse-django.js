import{c as K,d as X,e as V,f as z,g as Y}from"./shared-rehearse-embedded-server.js";import{b as Q}from"./shared-schema-catalog-sql.js";import{e as H}from"./shared-core-schema-diff.js";import{d as W,e as B,f as L}from"./shared-engines-django-manage.js";import{a as q}from"./shared-pg-cloudflare-empty.js";import"./shared-zod-external.js";import"./shared-zod-checks.js";import"./shared-engines-django-defaults.js";import"./shared-core-names.js";import"./shared-core-release-manifest.js";import"./shared-core-canonical-json.js";import"./shared-core-checksum.js";import"./shared-zod-api.js";import{b as J}from"./shared-core-redact.js";import{a as N,b as A,c as v,e as O}from"./shared-core-errors.js";import"./shared-chunk-2.js";import{resolve as ae}from"node:path";import{spawn as oe}from"node:child_process";var M="stepback-django-session ",Z=String.raw`import json, os, sys, time
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
`;function ee(r){let s=new URL(r);return{NAME:decodeURIComponent(s.pathname.replace(/^\//,"")),HOST:decodeURIComponent(s.hostname),PORT:s.port,USER:decodeURIComponent(s.username),PASSWORD:decodeURIComponent(s.password)}}async function ne(r,s){let h=W(s.manageCommand);if(h.length===0)throw new v("--manage-command is empty");let o=[...s.secrets,r.PASSWORD],m=i=>J(i,o),c=oe(h[0],[...h.slice(1),"shell","-c",Z],{cwd:s.cwd,env:{...s.env,STEPBACK_DJANGO:JSON.stringify({db:r})},stdio:["pipe","pipe","pipe"]}),{tail:g}=B(c.stderr,s,m),b=[],p="";c.stdout.setEncoding("utf8").on("data",i=>{p+=i;let a=p.split(`
`);p=a.pop()??"";for(let u of a)u.startsWith(M)&&b.shift()?.resolve(JSON.parse(u.slice(M.length)))});let f,w=i=>{f=new A(m(`"${s.manageCommand} shell" ${i} during the rehearsal${g.length?`:
${g.join(`
`)}`:""}`),N.migrationFailed,{hint:"check that the manage command runs this project and that Django is installed for that python"});for(let a of b.splice(0))a.reject(f)};c.on("error",i=>{f=new v(`cannot run the manage command "${s.manageCommand}": ${i.code??i.message}`,{hint:'pass --manage-command (env STEPBACK_MANAGE_COMMAND) with the python that has Django, e.g. "/usr/bin/python3 manage.py"'});for(let a of b.splice(0))a.reject(f)}),c.on("close",(i,a)=>w(a?`was killed by ${a}`:`exited ${i}`));let y=()=>new Promise((i,a)=>{f?a(f):b.push({resolve:i,reject:a})}),n=await y();if(!n.ok)throw c.kill(),new A(m(`Django could not open the scratch database: ${n.error}`),N.usage,{hint:"the rehearsal points the default database at a scratch one; its backend must be PostgreSQL"});return{async migrate(i){let a=y();c.stdin.write(`${JSON.stringify({targets:i})}
`);let u=await a;return{...u,error:u.error===void 0?void 0:m(u.error)}},async close(){if(c.exitCode!==null||c.signalCode!==null)return;let i=new Promise(a=>c.once("close",()=>a()));c.stdin.end(),await i}}}var k=r=>r.slice(0,r.indexOf(".")),re=r=>r.slice(r.indexOf(".")+1);function se(r,s,h){if(r===void 0||r==="")return{since:{release:null,source:"none",migrations:[],notes:[]},base:[]};let o=typeof r=="object"?r:Y(ae(s,r));if(o.engine!=="django")throw new v(`--since: release ${o.release}'s manifest is for the ${o.engine} engine, not django`);let m=new Set(o.migrations.map(n=>n.name)),c=n=>m.has(n.name)||n.replaces.length>0&&n.replaces.every(i=>m.has(i)),g=h.filter(c),b=new Set([...g.map(n=>n.name),...g.flatMap(n=>n.replaces)]),p=o.migrations.filter(n=>!b.has(n.name)).map(n=>n.name);if(p.length>0)throw new v(`the previous release ${o.release} has migrations this code does not: ${p.join(", ")}`,{hint:"the previous release must be a prefix of this one; check the manage command and --since"});let f=new Map(h.map(n=>[n.name,n])),w=o.migrations.filter(n=>f.has(n.name)&&f.get(n.name).checksum!==n.checksum).map(n=>`${n.name}: the migration file changed since release ${o.release} (checksum differs)`);return{since:{release:o.release,source:"manifest",migrations:o.migrations.map(n=>({name:n.name,checksum:n.checksum})),notes:w},base:g}}function ie(r,s,h){return[...new Set(h)].sort().map(o=>{let m=r.filter(c=>k(c.name)===o&&s.has(c.name)).at(-1);return[o,m?re(m.name):null]})}function $(r,s){return{step:r,message:s.error??"the Django step failed"}}async function Ee(r){let s=r.now??(()=>performance.now()),h=s(),o=r.log??(()=>{}),m={manageCommand:r.manageCommand,env:r.env,cwd:r.cwd,log:o,secrets:r.secrets},c=await L({op:"graph"},m);if(!c.ok||!c.graph)throw new O("graph",`Django could not load its migrations: ${c.error}`);let g=c.graph.nodes,{since:b,base:p}=se(r.since,r.cwd,g),f=new Set(p.map(l=>l.name)),w=g.filter(l=>!f.has(l.name)),y=r.columnOrder??!1,n=r.databaseUrl?await V(r.databaseUrl):await z(o),i=[],a={outcome:"skipped",reverted:[],differences:[]},u="unknown",R=new q.Client({connectionString:n.url,application_name:"stepback rehearse"}),x;try{await R.connect(),u=(await R.query("select current_setting('server_version') as v")).rows[0]?.v??u,x=await ne(ee(n.url),m);let l=x,j=()=>Q(R,{prepared:!0}),C=(e,t)=>H(e,t,{columnOrder:y}).map(d=>d.message);o(`rehearsing ${w.length} Django migration(s) in scratch database ${n.name} (PostgreSQL ${u})`);let S=new Set,E=e=>ie(g,S,e);if(p.length>0){for(let t of p)S.add(t.name);let e=await l.migrate(E(p.map(t=>k(t.name))));if(!e.ok)throw new O(e.failed??"previous release",`the previous release's migrations failed on the scratch database: ${e.error}`)}let te=await j(),T=async e=>{o(`rebuilding the scratch database after ${e}`),await R.query(X);let t=await l.migrate(E(g.map(d=>k(d.name))));if(!t.ok)throw new O(e,`rebuilding the scratch database failed: ${t.error}`)},D=!1;for(let e of w){let t={name:e.name,outcome:"ok",reversible:e.irreversible.length===0,differences:[],dataDifferences:[]};if(i.push(t),D){t.outcome="not-run";continue}let d=k(e.name),I=[[d,re(e.name)]],U=t.reversible?await j():null,P=await l.migrate(I);if(!P.ok){Object.assign(t,{outcome:"up-failed",error:$("up",P)}),D=!0,o(`${e.name}: up-failed \u2014 ${P.error}`);continue}if(S.add(e.name),!U){Object.assign(t,{outcome:"irreversible",note:`irreversible operation(s): ${e.irreversible.join(", ")}`}),o(`${e.name}: irreversible`);continue}S.delete(e.name);let _=await l.migrate(E([d]));if(!_.ok){Object.assign(t,{outcome:"down-failed",error:$("down",_)}),S.add(e.name),o(`${e.name}: down-failed \u2014 ${_.error}`),e.atomic||(t.note="the migration is not atomic; the database was rebuilt",await T(e.name));continue}t.differences=C(U,await j()),t.differences.length>0&&(t.outcome="not-restored");let G=await l.migrate(I);S.add(e.name),G.ok||(t.outcome==="ok"&&(t.outcome="reapply-failed"),t.error=$("up again",G)),o(`${e.name}: ${t.outcome}${t.differences.length?` \u2014 ${t.differences.join("; ")}`:""}`),t.outcome!=="ok"&&await T(e.name)}let F=w.filter(e=>e.irreversible.length>0).map(e=>e.name);if(D)a={outcome:"skipped",reverted:[],differences:[],reason:"an up failed"};else if(w.length===0)a={outcome:"skipped",reverted:[],differences:[],reason:"no new migrations"};else if(F.length>0)a={outcome:"skipped",reverted:[],differences:[],reason:`the release cannot be reverted: irreversible ${F.join(", ")}`};else{for(let d of w)S.delete(d.name);let e=await l.migrate(E(w.map(d=>k(d.name)))),t=e.done.map(d=>d.name);if(!e.ok)a={outcome:"down-failed",reverted:t,...e.failed?{failed:e.failed}:{},error:$("down",e),differences:[]};else{let d=C(te,await j());a={outcome:d.length===0?"ok":"not-restored",reverted:t,differences:d}}o(`whole release revert: ${a.outcome}`)}}finally{await x?.close().catch(()=>{}),await R.end().catch(()=>{}),await n.close().catch(l=>o(`warning: could not drop the scratch database: ${l.message}`))}return K({release:r.release??null,since:b,serverVersion:u,kind:n.kind,database:n.name,results:i,releaseRevert:a,requireReversible:r.requireReversible??!1,notes:b.notes,durationMs:Math.round(s()-h)})}export{Ee as rehearseDjango};
