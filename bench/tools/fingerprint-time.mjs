/**
 * `node --import tsx bench/tools/fingerprint-time.mjs [tables] [rounds]` — how long the schema fingerprint
 * (src/schema/fingerprint.ts, in-process) takes on a generated schema of `tables` tables (default 300), each
 * with a few typed columns, a primary key, a foreign key to the previous table, an index, a comment and a grant,
 * plus a view, a function and a policy per ten tables. Prints one JSON line: median and min in ms, the size of
 * the fingerprint's JSON and the round trips it took. A diagnostic (not run by `npm run bench`); the database
 * it creates is dropped at the end.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDatabase, dropAll, withAdmin } from '../lib/pg.mjs';

const tables = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 15);

function schemaSql(n) {
  const out = ['do $$ begin create role sb_bench_reader; exception when duplicate_object then null; end $$;'];
  for (let i = 1; i <= n; i++) {
    const t = `t${String(i).padStart(4, '0')}`;
    const prev = `t${String(i - 1).padStart(4, '0')}`;
    out.push(`create table ${t} (
      id bigint generated always as identity primary key,
      ${i > 1 ? `parent_id bigint references ${prev}(id),` : ''}
      name text not null default '',
      amount numeric(12,2) check (amount >= 0),
      created_at timestamptz not null default now(),
      payload jsonb);`);
    out.push(`create index ${t}_created_idx on ${t} (created_at);`);
    out.push(`comment on table ${t} is 'table ${i}';`);
    out.push(`grant select on ${t} to sb_bench_reader;`);
    if (i % 10 === 0) {
      out.push(`create view ${t}_v as select id, name from ${t} where amount > 0;`);
      out.push(
        `create function ${t}_total() returns numeric language sql stable as $f$ select sum(amount) from ${t} $f$;`,
      );
      out.push(`alter table ${t} enable row level security;`);
      out.push(`create policy ${t}_own on ${t} using (name = current_user);`);
    }
  }
  return out.join('\n');
}

const { fingerprintSchema } = await import('../../src/schema/fingerprint.ts');
const db = await createDatabase('fingerprint');
try {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(schemaSql(tables));
  let roundTrips = 0;
  const query = client.query.bind(client);
  client.query = (...args) => {
    roundTrips++;
    return query(...args);
  };
  await fingerprintSchema(client); // warm the catalog caches
  roundTrips = 0;
  const times = [];
  let size = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const fp = await fingerprintSchema(client);
    times.push(performance.now() - t0);
    size = JSON.stringify(fp).length;
  }
  await client.end();
  times.sort((a, b) => a - b);
  const ms = (x) => Math.round(x * 10) / 10;
  console.log(
    JSON.stringify({
      tables,
      rounds,
      medianMs: ms(times[Math.floor(times.length / 2)]),
      minMs: ms(times[0]),
      jsonBytes: size,
      roundTripsPerFingerprint: roundTrips / rounds,
    }),
  );
} finally {
  await dropAll();
  await withAdmin((c) => c.query('drop role if exists sb_bench_reader'));
}
