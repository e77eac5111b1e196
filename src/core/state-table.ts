/** stepback's state table, whose name is also part of the migration lock's key (migrate/lock.ts). */
export const STATE_TABLE = 'stepback_migrations';
