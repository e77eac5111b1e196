-- The example app's first customers. A data migration: its down removes exactly these rows.
insert into users (full_name, email) values
  ('Ada Lovelace', 'ada@example.com'),
  ('Grace Brewster Hopper', 'grace@example.com'),
  ('Edsger Dijkstra', 'edsger@example.com'),
  ('Barbara Liskov', 'barbara@example.com');
