import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas, fingerprintDigest, type SchemaFingerprint } from '../../src/core/schema-diff.ts';
import { fingerprintSchema } from '../../src/schema/fingerprint.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const BASE = `
create type mood as enum ('sad', 'ok', 'happy');
create domain email as text check (value like '%@%');
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
create view big_orders as select id, total from orders where total > 100;
create function order_count(uid bigint) returns bigint language sql stable as $$ select count(*) from orders where user_id = uid $$;
create function touch() returns trigger language plpgsql as $$ begin new.created_at := now(); return new; end $$;
create trigger orders_touch before update on orders for each row execute function touch();
create table stepback_migrations (name text primary key);
create table stepback_events (id serial primary key, what text);
`;

let db: TestDatabase;
let client: pg.Client;

async function reset(extra = ''): Promise<SchemaFingerprint> {
  await client.query('drop schema public cascade; create schema public;');
  await client.query(BASE + extra);
  return fingerprintSchema(client);
}

beforeAll(async () => {
  db = await createTestDatabase('fingerprint');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('fingerprintSchema', () => {
  it('reads every kind of object, keyed by qualified name, without stepback tables', async () => {
    const fp = await reset();
    expect(fp.schemas).toEqual(['public']);
    expect(Object.keys(fp.tables)).toEqual(['public.orders', 'public.users']);
    const users = fp.tables['public.users'];
    expect(users?.columns.email).toMatchObject({
      type: 'email',
      nullable: false,
      default: null,
      position: 2,
    });
    expect(users?.columns.id).toMatchObject({ type: 'bigint', identity: 'always', nullable: false });
    expect(users?.columns.name?.default).toBe("'anon'::text");
    expect(users?.constraints.users_pkey).toEqual({ type: 'primary key', definition: 'PRIMARY KEY (id)' });
    expect(users?.constraints.users_email_key?.type).toBe('unique');
    const orders = fp.tables['public.orders'];
    expect(orders?.constraints.orders_user_id_fkey?.definition).toBe(
      'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE',
    );
    expect(orders?.constraints.orders_total_check?.definition).toContain('total >= 0');
    expect(orders?.columns.id?.default).toBe("nextval('orders_id_seq'::regclass)");
    // Constraint-backed indexes are compared as constraints, the plain one as an index.
    expect(Object.keys(fp.indexes)).toEqual(['public.orders_created_idx']);
    expect(fp.indexes['public.orders_created_idx']?.definition).toContain('USING btree (created_at)');
    expect(fp.views['public.big_orders']?.definition).toContain('total > 100');
    expect(Object.keys(fp.functions).sort()).toEqual(['public.order_count(uid bigint)', 'public.touch()']);
    expect(fp.functions['public.order_count(uid bigint)']).toMatchObject({
      returns: 'bigint',
      language: 'sql',
      volatility: 'stable',
    });
    expect(fp.functions['public.touch()']?.bodyHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The identity sequence belongs to its column; the serial one and the free one are listed.
    expect(Object.keys(fp.sequences)).toEqual(['public.invoice_numbers', 'public.orders_id_seq']);
    expect(fp.sequences['public.orders_id_seq']?.ownedBy).toBe('orders.id');
    expect(fp.sequences['public.invoice_numbers']).toMatchObject({ start: '1000', increment: '5' });
    expect(fp.enums['public.mood']?.values).toEqual(['sad', 'ok', 'happy']);
    expect(fp.domains['public.email']?.constraints[0]).toContain('~~');
    expect(Object.keys(fp.triggers)).toEqual(['public.orders.orders_touch']);
    expect(JSON.stringify(fp)).not.toContain('stepback_');
    expect(JSON.parse(JSON.stringify(fp))).toEqual(fp);
  });

  it('gives the same digest for the same schema built again, and a different one after a change', async () => {
    const a = await reset();
    const b = await reset();
    expect(fingerprintDigest(a)).toBe(fingerprintDigest(b));
    expect(diffSchemas(a, b)).toEqual([]);
    // As a named prepared statement (the rehearsal's way), twice on one connection: the same result.
    expect(await fingerprintSchema(client, { prepared: true })).toEqual(b);
    expect(await fingerprintSchema(client, { prepared: true })).toEqual(b);
    const c = await reset('alter table users add column bio text;');
    expect(fingerprintDigest(c)).not.toBe(fingerprintDigest(a));
  });

  it('limits itself to the listed schemas and sees other user schemas by default', async () => {
    await reset('create schema audit; create table audit.log (id int);');
    const all = await fingerprintSchema(client);
    expect(all.schemas).toEqual(['audit', 'public']);
    expect(all.tables['audit.log']).toBeDefined();
    const onlyAudit = await fingerprintSchema(client, { schemas: ['audit'] });
    expect(onlyAudit.scope).toBe('listed-schemas');
    expect(Object.keys(onlyAudit.tables)).toEqual(['audit.log']);
    await client.query('drop schema audit cascade');
  });
});

describe('diffSchemas on real catalogs', () => {
  it('names each kind of difference readably', async () => {
    const before = await reset();
    await client.query(`
      alter table users alter column name type varchar(200);
      alter table users alter column name set default 'nobody';
      alter table users alter column created_at drop not null;
      drop index orders_created_idx;
      create index orders_total_idx on orders (total);
      alter table orders drop constraint orders_total_check;
      alter table orders add constraint orders_total_check check (total > 0);
      alter type mood add value 'ecstatic';
      create or replace view big_orders as select id, total from orders where total > 1000;
      create or replace function order_count(uid bigint) returns bigint language sql stable as $$ select 0::bigint $$;
      drop trigger orders_touch on orders;
      alter table orders drop column created_at;
      create table extra (id int);
    `);
    const after = await fingerprintSchema(client);
    const messages = diffSchemas(before, after).map((d) => d.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'column users.name: type text → character varying(200)',
        "column users.name: default 'anon'::text → 'nobody'::character varying",
        'column users.created_at: not null → null',
        'column orders.created_at: missing',
        'table extra: unexpected',
        'index orders_created_idx: missing',
        'index orders_total_idx: unexpected',
        'constraint orders.orders_total_check: definition CHECK (total >= 0::numeric) → CHECK (total > 0::numeric)',
        'enum mood: values [sad, ok, happy] → [sad, ok, happy, ecstatic]',
        'view big_orders: definition changed',
        'function order_count(uid bigint): body changed',
        'trigger orders.orders_touch: missing',
      ]),
    );
    expect(messages).toHaveLength(12);
  });

  it('ignores column order by default and reports it when asked', async () => {
    const before = await reset();
    // Drop and re-add a column the way a careless down does: same type and default, new position.
    await client.query(
      `alter table users drop column name; alter table users add column name text default 'anon';`,
    );
    const after = await fingerprintSchema(client);
    expect(diffSchemas(before, after)).toEqual([]);
    expect(fingerprintDigest(before)).toBe(fingerprintDigest(after));
    expect(fingerprintDigest(before, { columnOrder: true })).not.toBe(
      fingerprintDigest(after, { columnOrder: true }),
    );
    const ordered = diffSchemas(before, after, { columnOrder: true }).map((d) => d.message);
    expect(ordered).toContain('column users.name: position 3 → 5');
    expect(ordered).toContain('column users.mood: position 4 → 3');
  });
});
