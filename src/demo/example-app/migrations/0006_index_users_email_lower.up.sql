-- stepback:no-transaction
-- CONCURRENTLY cannot run inside a transaction block, so this migration opts out and holds one statement.
create index concurrently users_email_lower_idx on users (lower(email));
