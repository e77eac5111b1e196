// A JavaScript migration: the context's `sql` runs inside this migration's transaction.
export async function up({ sql }) {
  await sql(`create type order_status as enum ('pending', 'paid', 'shipped')`);
  await sql(`
    create table orders (
      id bigserial primary key,
      user_id bigint not null references users (id),
      status order_status not null default 'pending',
      total_cents integer not null check (total_cents >= 0)
    )`);
  await sql('create index orders_user_idx on orders (user_id)');
}

export async function down({ sql }) {
  await sql('drop table orders');
  await sql('drop type order_status');
}
