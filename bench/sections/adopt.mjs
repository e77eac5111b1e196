/**
 * `stepback adopt` on a long history: a database goose migrated with `count` migrations (its
 * goose_db_version rows and the tables they made), taken over by the built CLI (`node dist/cli.js adopt`).
 * Timed spawn → exit, which includes reading the directory, the lock, reading goose's table, recording every
 * row and the event in one transaction, and the schema fingerprint of `count` tables. Each run on a fresh copy
 * of the migrated database (CREATE DATABASE … TEMPLATE).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, withAdmin } from '../lib/pg.mjs';
import { run, summarize, tail } from '../lib/util.mjs';

export async function benchAdopt({ tmp, count, runs, cli, log }) {
  if (!cli.available) return { notMeasured: `the stepback CLI is needed: ${cli.reason}` };
  const dir = join(tmp, 'adopt-goose');
  mkdirSync(dir, { recursive: true });
  const ups = [];
  for (let i = 1; i <= count; i++) {
    const up = `create table adopt_t${i} (id int primary key, note text);`;
    ups.push(up);
    const name = `${String(i).padStart(5, '0')}_t${i}.sql`;
    writeFileSync(join(dir, name), `-- +goose Up\n${up}\n\n-- +goose Down\ndrop table adopt_t${i};\n`);
  }
  const template = await createDatabase('adopt_template');
  const client = new pg.Client({ connectionString: template.url });
  await client.connect();
  try {
    await client.query(ups.join('\n'));
    await client.query(`create table goose_db_version (id serial not null, version_id bigint not null,
      is_applied boolean not null, tstamp timestamp null default now(), primary key (id))`);
    await client.query(
      `insert into goose_db_version (version_id, is_applied) select g, true from generate_series(0, ${count}) g`,
    );
  } finally {
    await client.end();
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    const db = await createDatabase(`adopt_${i}`);
    await withAdmin((c) => c.query(`DROP DATABASE "${db.name}"`));
    await withAdmin((c) => c.query(`CREATE DATABASE "${db.name}" TEMPLATE "${template.name}"`));
    const r = await run(process.execPath, [cli.path, '--dir', dir, 'adopt', '--json'], {
      env: { ...process.env, DATABASE_URL: db.url },
    });
    if (r.code !== 0) return { notMeasured: `adopt exited ${r.code}: ${tail(r.stderr, 4)}` };
    const doc = JSON.parse(r.stdout.trim().split('\n').pop());
    if (doc.adopted.length !== count)
      return { notMeasured: `adopt recorded ${doc.adopted.length} of ${count}` };
    times.push(r.ms);
    log(`  adopt ${count}: ${Math.round(r.ms)} ms`);
    await db.drop();
  }
  return {
    description: [
      `\`node dist/cli.js adopt\` taking over a database goose migrated with ${count} migrations (goose_db_version`,
      `rows and ${count} tables): process start to exit, including the directory read, recording ${count} rows`,
      'and the event in one transaction, and the schema fingerprint. A fresh copy of the database per run.',
    ],
    count,
    stats: summarize(times),
  };
}
