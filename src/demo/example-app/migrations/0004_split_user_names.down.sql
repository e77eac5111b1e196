alter table users add column full_name text;
update users set full_name = concat_ws(' ', first_name, last_name);
alter table users alter column full_name set not null;
alter table users drop column first_name, drop column last_name;
