/**
 * What the fingerprint sees: each change a rollback can get wrong, made on a recorded schema, is reported as a
 * readable difference naming the object; what is not a schema change (data, ANALYZE, VACUUM, a grant taken back)
 * is not; and two databases built by the same migrations under different roles give the same fingerprint.
 *
 * Each change runs in a transaction that is rolled back afterwards (the catalog is transactional), so every case
 * starts from the same recorded schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas, fingerprintDigest, type SchemaFingerprint } from '../../src/core/schema-diff.ts';
import { fingerprintSchema } from '../../src/schema/fingerprint.ts';
import { createTestDatabase, type TestDatabase, withAdmin } from '../support/pg.ts';

const suffix = randomBytes(3).toString('hex');
const READER = `sbfp_reader_${suffix}`;
const OWNER_A = `sbfp_owner_a_${suffix}`;
const OWNER_B = `sbfp_owner_b_${suffix}`;

/** A schema with one of nearly everything, as migrations would build it (run by the database's owner). */
const SCHEMA = `
create extension if not exists citext;
create schema audit;
create type mood as enum ('sad', 'ok', 'happy');
create domain email as text check (value like '%@%');
create type address as (street text, city text);
create type price_range as range (subtype = numeric);
create sequence invoice_numbers start 1000 increment 5;
create table users (
  id bigint generated always as identity primary key,
  email email not null unique,
  name text default 'anon',
  mood mood,
  created_at timestamptz not null default now()
);
create table orders (
  id serial primary key,
  user_id bigint not null references users(id) on delete cascade,
  total numeric(10,2) not null check (total >= 0),
  created_at timestamptz not null default now()
);
create index orders_created_idx on orders (created_at);
alter table orders enable row level security;
create policy orders_own on orders using (user_id > 0);
grant select on orders to ${READER};
create view big_orders as select id, total from orders where total > 100;
create materialized view order_totals as select user_id, sum(total) as total from orders group by user_id;
create function order_count(uid bigint) returns bigint language sql stable
  as $$ select count(*) from orders where user_id = uid $$;
create function add_one(x int) returns int language sql immutable return x + 1;
create procedure bump(x int) language sql begin atomic update orders set total = total + x; end;
create function touch() returns trigger language plpgsql as $$ begin new.created_at := now(); return new; end $$;
create trigger orders_touch before update on orders for each row execute function touch();
create table events (id int, at date not null) partition by range (at);
create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01');
create table events_2025 (id int, at date not null);
create table audit.log (id int, note text);
create table audit.log_old (id int, note text);
create text search configuration en_simple (copy = english);
create collation sort_c (locale = 'C');
create aggregate total_of(numeric) (sfunc = numeric_add, stype = numeric, initcond = '0');
`;

let db: TestDatabase;
let client: pg.Client;
let recorded: SchemaFingerprint;

beforeAll(async () => {
  await withAdmin(async (a) => {
    for (const role of [READER, OWNER_A, OWNER_B]) await a.query(`create role ${role}`);
  });
  db = await createTestDatabase('fp_coverage');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(SCHEMA);
  recorded = await fingerprintSchema(client);
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
  await withAdmin(async (a) => {
    for (const role of [READER, OWNER_A, OWNER_B]) await a.query(`drop role if exists ${role}`);
  });
});

/** The differences `change` makes to the recorded schema (undone afterwards). */
async function differencesAfter(change: string): Promise<string[]> {
  await client.query('begin');
  try {
    await client.query(change);
    return diffSchemas(recorded, await fingerprintSchema(client)).map((d) => d.message);
  } finally {
    await client.query('rollback');
  }
}

// Each change and the one difference it must produce (exactly: nothing else may be reported with it).
const CHANGES: [string, string, string | string[]][] = [
  // RLS
  [
    'a policy added',
    `create policy orders_all on orders using (true)`,
    'policy orders.orders_all: unexpected',
  ],
  ['a policy dropped', `drop policy orders_own on orders`, 'policy orders.orders_own: missing'],
  [
    'a policy expression',
    `alter policy orders_own on orders using (user_id > 1)`,
    'policy orders.orders_own: using (user_id > 0) → (user_id > 1)',
  ],
  [
    'a policy role',
    `alter policy orders_own on orders to ${READER}`,
    `policy orders.orders_own: roles [PUBLIC] → [${READER}]`,
  ],
  [
    'FORCE ROW LEVEL SECURITY',
    `alter table orders force row level security`,
    'table orders: force row level security false → true',
  ],
  [
    'RLS disabled',
    `alter table orders disable row level security`,
    'table orders: row level security true → false',
  ],
  // Grants, default privileges, owners
  [
    'a table grant',
    `grant insert on users to ${READER}`,
    `table users: privileges of ${READER} none → INSERT`,
  ],
  [
    'a table revoke',
    `revoke select on orders from ${READER}`,
    `table orders: privileges of ${READER} SELECT → none`,
  ],
  [
    'a grant option',
    `grant select on orders to ${READER} with grant option`,
    `table orders: privileges of ${READER} SELECT → SELECT (grant option)`,
  ],
  [
    'a column grant',
    `grant update (total) on orders to ${READER}`,
    `column orders.total: privileges of ${READER} none → UPDATE`,
  ],
  [
    'a function revoke from PUBLIC',
    `revoke execute on function order_count(bigint) from public`,
    'function order_count(uid bigint): privileges of PUBLIC EXECUTE → none',
  ],
  [
    'a sequence grant',
    `grant usage on sequence invoice_numbers to ${READER}`,
    `sequence invoice_numbers: privileges of ${READER} none → USAGE`,
  ],
  [
    'a schema grant',
    `grant usage on schema audit to ${READER}`,
    `schema audit: privileges of ${READER} none → USAGE`,
  ],
  [
    'a type grant taken from PUBLIC',
    `revoke usage on type mood from public`,
    'enum mood: privileges of PUBLIC USAGE → none',
  ],
  [
    'default privileges',
    `alter default privileges in schema public grant select on tables to ${READER}`,
    'default privileges for (database owner) in schema public on tables: unexpected',
  ],
  [
    'a table owner (its serial sequence follows; the grant to the new owner becomes its own)',
    `alter table orders owner to ${READER}`,
    [
      `sequence orders_id_seq: owner (database owner) → ${READER}`,
      `table orders: owner (database owner) → ${READER}`,
      `table orders: privileges of ${READER} SELECT → none`,
    ],
  ],
  [
    'a function owner',
    `alter function touch() owner to ${READER}`,
    `function touch(): owner (database owner) → ${READER}`,
  ],
  [
    'a schema owner',
    `alter schema audit owner to ${READER}`,
    `schema audit: owner (database owner) → ${READER}`,
  ],
  [
    'a type owner',
    `alter type address owner to ${READER}`,
    `type address: owner (database owner) → ${READER}`,
  ],
  // Comments
  ['a table comment', `comment on table users is 'people'`, 'table users: comment none → people'],
  [
    'a column comment',
    `comment on column users.email is 'login'`,
    'column users.email: comment none → login',
  ],
  [
    'a function comment',
    `comment on function add_one(int) is 'adds'`,
    'function add_one(x integer): comment none → adds',
  ],
  [
    'an index comment',
    `comment on index orders_created_idx is 'x'`,
    'index orders_created_idx: comment none → x',
  ],
  [
    'a constraint comment',
    `comment on constraint orders_total_check on orders is 'x'`,
    'constraint orders.orders_total_check: comment none → x',
  ],
  ['a view comment', `comment on view big_orders is 'x'`, 'view big_orders: comment none → x'],
  [
    'a view column comment',
    `comment on column big_orders.total is 'x'`,
    'view big_orders: comment on column total none → x',
  ],
  ['a schema comment', `comment on schema audit is 'x'`, 'schema audit: comment none → x'],
  [
    'a trigger comment',
    `comment on trigger orders_touch on orders is 'x'`,
    'trigger orders.orders_touch: comment none → x',
  ],
  [
    'a policy comment',
    `comment on policy orders_own on orders is 'x'`,
    'policy orders.orders_own: comment none → x',
  ],
  ['a type comment', `comment on type mood is 'x'`, 'enum mood: comment none → x'],
  // Functions
  [
    'a RETURN body',
    `create or replace function add_one(x int) returns int language sql immutable return x + 2`,
    'function add_one(x integer): body changed',
  ],
  [
    'a BEGIN ATOMIC body',
    `create or replace procedure bump(x int) language sql begin atomic update orders set total = total - x; end`,
    'function bump(IN x integer): body changed',
  ],
  [
    'PARALLEL',
    `alter function order_count(bigint) parallel safe`,
    'function order_count(uid bigint): parallel unsafe → safe',
  ],
  [
    'LEAKPROOF',
    `alter function add_one(int) leakproof`,
    'function add_one(x integer): leakproof false → true',
  ],
  ['COST', `alter function order_count(bigint) cost 5`, 'function order_count(uid bigint): cost 100 → 5'],
  [
    'an argument default',
    `create or replace function add_one(x int default 1) returns int language sql immutable return x + 1`,
    'function add_one(x integer): arguments x integer → x integer DEFAULT 1',
  ],
  [
    'an aggregate initial value',
    `create or replace aggregate total_of(numeric) (sfunc = numeric_add, stype = numeric, initcond = '1')`,
    'function total_of(numeric): aggregate transition numeric_add(numeric,numeric), state numeric, initial 0, kind n → transition numeric_add(numeric,numeric), state numeric, initial 1, kind n',
  ],
  // Views
  [
    'a view check_option',
    `alter view big_orders set (check_option = local)`,
    'view big_orders: options none → [check_option=local]',
  ],
  [
    'a view security_barrier',
    `alter view big_orders set (security_barrier = true)`,
    'view big_orders: options none → [security_barrier=true]',
  ],
  // Tables and columns
  [
    'an identity increment',
    `alter table users alter column id set increment by 5`,
    'column users.id: identity options increment 1, start 1, min 1, max 9223372036854775807, cache 1, no cycle → increment 5, start 1, min 1, max 9223372036854775807, cache 1, no cycle',
  ],
  ['fillfactor', `alter table orders set (fillfactor = 70)`, 'table orders: options none → [fillfactor=70]'],
  [
    'an autovacuum setting',
    `alter table orders set (autovacuum_enabled = false)`,
    'table orders: options none → [autovacuum_enabled=false]',
  ],
  ['UNLOGGED', `alter table audit.log set unlogged`, 'table audit.log: unlogged false → true'],
  [
    'an UNLOGGED sequence',
    `alter sequence invoice_numbers set unlogged`,
    'sequence invoice_numbers: unlogged false → true',
  ],
  [
    'REPLICA IDENTITY',
    `alter table orders replica identity full`,
    'table orders: replica identity default → full',
  ],
  [
    'REPLICA IDENTITY USING INDEX',
    `alter table users replica identity using index users_pkey`,
    'table users: replica identity default → index users_pkey',
  ],
  [
    'a trigger firing mode',
    `alter table orders enable always trigger orders_touch`,
    'trigger orders.orders_touch: firing origin → always',
  ],
  [
    'a disabled trigger',
    `alter table orders disable trigger orders_touch`,
    'trigger orders.orders_touch: enabled true → false',
  ],
  [
    'column STORAGE',
    `alter table users alter column name set storage main`,
    'column users.name: storage none → main',
  ],
  [
    'column COMPRESSION',
    `alter table users alter column name set compression pglz`,
    'column users.name: compression none → pglz',
  ],
  [
    'a column statistics target',
    `alter table orders alter column total set statistics 500`,
    'column orders.total: statistics none → 500',
  ],
  [
    'a column n_distinct',
    `alter table orders alter column user_id set (n_distinct = 100)`,
    'column orders.user_id: options none → [n_distinct=100]',
  ],
  [
    'a constraint index fillfactor',
    `alter index orders_pkey set (fillfactor = 50)`,
    'constraint orders.orders_pkey: index options none → [fillfactor=50]',
  ],
  [
    'a rule',
    `create rule orders_keep as on delete to orders do instead nothing`,
    'rule orders.orders_keep: unexpected',
  ],
  [
    'a partition detached',
    `alter table events detach partition events_2024`,
    "table events_2024: partition of events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') → none",
  ],
  [
    'a partition attached',
    `alter table events attach partition events_2025 for values from ('2025-01-01') to ('2026-01-01')`,
    "table events_2025: partition of none → events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
  ],
  [
    'an inheritance parent',
    `alter table audit.log_old inherit audit.log`,
    'table audit.log_old: inherits none → [audit.log]',
  ],
  // Other objects
  [
    'extended statistics',
    `create statistics orders_deps (dependencies) on user_id, total from orders`,
    'statistics orders_deps: unexpected',
  ],
  ['a publication', `create publication orders_pub for table orders`, 'publication orders_pub: unexpected'],
  [
    'an operator',
    `create operator === (leftarg = integer, rightarg = integer, function = int4eq)`,
    'operator ===(integer, integer): unexpected',
  ],
  [
    'a text search mapping',
    `alter text search configuration en_simple drop mapping for email`,
    'text search configuration en_simple: mappings',
  ],
  [
    'a text search dictionary',
    `create text search dictionary en_stem (template = snowball, language = english)`,
    'text search dictionary en_stem: unexpected',
  ],
  [
    'a composite type attribute',
    `alter type address add attribute zip text`,
    'type address: definition [street text, city text] → [street text, city text, zip text]',
  ],
  ['a composite type', `create type point3 as (x float8, y float8, z float8)`, 'type point3: unexpected'],
  [
    'an event trigger',
    `create event trigger no_drops on sql_drop execute function touch_ddl()`,
    'event trigger no_drops: unexpected',
  ],
  ['a cast', `create cast (address as text) with inout`, 'cast (address AS text): unexpected'],
  ['a collation', `create collation c_copy (locale = 'C')`, 'collation c_copy: unexpected'],
  [
    'a collation owner',
    `alter collation sort_c owner to ${READER}`,
    `collation sort_c: owner (database owner) → ${READER}`,
  ],
];

describe('the fingerprint sees what a rollback can get wrong', () => {
  it.each(CHANGES)('%s', async (_name, change, expected) => {
    let sql = change;
    if (change.includes('touch_ddl()'))
      sql = `create function touch_ddl() returns event_trigger language plpgsql as $$ begin end $$; ${change}`;
    const messages = await differencesAfter(sql);
    if (sql.includes('touch_ddl()')) {
      expect(messages).toEqual(['function touch_ddl(): unexpected', expected]);
    } else if (Array.isArray(expected)) {
      expect(messages).toEqual(expected);
    } else if (expected.endsWith(': mappings')) {
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/^text search configuration en_simple: mappings \[.*email: .*\] → \[/);
    } else {
      expect(messages).toEqual([expected]);
    }
  });

  it('sees an index left invalid by a failed CREATE INDEX CONCURRENTLY', async () => {
    await client.query(`insert into users (email) values ('a@x'), ('b@x')`);
    await client.query(`alter table users add column nick text; update users set nick = 'same'`);
    const before = await fingerprintSchema(client);
    await expect(
      client.query('create unique index concurrently users_nick_key on users (nick)'),
    ).rejects.toThrow(/could not create unique index/);
    try {
      expect(diffSchemas(before, await fingerprintSchema(client)).map((d) => d.message)).toEqual([
        'index users_nick_key: unexpected',
      ]);
      // And as the index a migration meant to make: a valid one of the same definition is not it.
      await client.query('drop index users_nick_key; update users set nick = email');
      await client.query('create unique index users_nick_key on users (nick)');
      const valid = await fingerprintSchema(client);
      await client.query(`drop index users_nick_key; update users set nick = 'same'`);
      await expect(
        client.query('create unique index concurrently users_nick_key on users (nick)'),
      ).rejects.toThrow();
      expect(diffSchemas(valid, await fingerprintSchema(client)).map((d) => d.message)).toEqual([
        'index users_nick_key: definition CREATE UNIQUE INDEX users_nick_key ON public.users USING btree (nick) → CREATE UNIQUE INDEX users_nick_key ON public.users USING btree (nick) -- INVALID (an unfinished CREATE INDEX CONCURRENTLY)',
      ]);
    } finally {
      await client.query(
        'drop index if exists users_nick_key; alter table users drop column nick; delete from users',
      );
    }
  });
});

describe('what is not a schema change is not reported', () => {
  it('data, ANALYZE, VACUUM, CLUSTER, REINDEX, sequence values, REFRESH, a grant taken back, a comment removed', async () => {
    await client.query(`insert into users (email) values ('a@x'), ('b@x')`);
    await client.query(`insert into orders (user_id, total) select id, 150 from users`);
    await client.query(`select nextval('invoice_numbers'); select setval('invoice_numbers', 5000)`);
    // One statement per query: VACUUM refuses to run in the implicit transaction of several.
    for (const sql of [
      'analyze',
      'vacuum orders',
      'vacuum full users',
      'cluster orders using orders_created_idx',
    ])
      await client.query(sql);
    await client.query('reindex table orders');
    await client.query('reindex index concurrently orders_created_idx');
    await client.query('refresh materialized view order_totals');
    await client.query(`grant delete on users to ${READER}; revoke delete on users from ${READER}`);
    await client.query(`comment on table users is 'x'; comment on table users is null`);
    await client.query('create temporary table scratch (id int)');
    try {
      const now = await fingerprintSchema(client);
      expect(diffSchemas(recorded, now)).toEqual([]);
      expect(fingerprintDigest(now)).toBe(fingerprintDigest(recorded));
    } finally {
      await client.query('drop table scratch; delete from orders; delete from users');
    }
  });
});

describe('deterministic across databases', () => {
  it('gives the same fingerprint for two databases built by the same migrations under different roles', async () => {
    const fingerprints: SchemaFingerprint[] = [];
    for (const owner of [OWNER_A, OWNER_B]) {
      const other = await createTestDatabase('fp_determinism');
      try {
        await withAdmin((a) => a.query(`alter database "${other.name}" owner to ${owner}`));
        const c = new pg.Client({ connectionString: other.url });
        await c.connect();
        try {
          // Objects made and dropped first, so the two databases' OIDs differ.
          if (owner === OWNER_B) await c.query('create table warmup (id int); drop table warmup');
          await c.query(`set role ${owner}`);
          await c.query(SCHEMA);
          await c.query('reset role');
          fingerprints.push(await fingerprintSchema(c));
        } finally {
          await c.end();
        }
      } finally {
        await other.drop();
      }
    }
    const [a, b] = fingerprints as [SchemaFingerprint, SchemaFingerprint];
    expect(diffSchemas(a, b)).toEqual([]);
    expect(fingerprintDigest(a)).toBe(fingerprintDigest(b));
    const text = JSON.stringify(a);
    expect(text).not.toContain(OWNER_A);
    expect(text).toContain(READER);
    expect(text).not.toMatch(/pg_attver|\boid\b/);
    // The same schema built by the superuser reads the same too: its owner is the database's owner there.
    expect(diffSchemas(recorded, a)).toEqual([]);
  });
});
