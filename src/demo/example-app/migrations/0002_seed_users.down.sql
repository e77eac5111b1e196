delete from users
 where email in ('ada@example.com', 'grace@example.com', 'edsger@example.com', 'barbara@example.com');
