-- Data migration: users.full_name becomes first_name + last_name ("Grace Brewster Hopper" → "Grace",
-- "Brewster Hopper"). The down puts the names back together, so v1's code finds full_name as it left it.
alter table users add column first_name text, add column last_name text;
update users
   set first_name = split_part(full_name, ' ', 1),
       last_name = nullif(substr(full_name, length(split_part(full_name, ' ', 1)) + 2), '');
alter table users alter column first_name set not null;
alter table users drop column full_name;
