create table posts (
  id bigserial primary key,
  author_id bigint not null references users (id) on delete cascade,
  title text not null,
  published_at timestamptz
);
create index posts_author_idx on posts (author_id);
