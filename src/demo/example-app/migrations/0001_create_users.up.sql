create table users (
  id bigserial primary key,
  full_name text not null,
  email text not null unique,
  created_at timestamptz not null default now()
);
