import { describe, expect, it } from 'vitest';
import { createTestDatabase, withAdmin, withClient } from './pg.ts';

describe('test databases', () => {
  it('creates an isolated database that accepts the URL it hands out, and drops it', async () => {
    const db = await createTestDatabase('support');
    const name = await withClient(
      db.url,
      async (c) => (await c.query('select current_database() as n')).rows[0].n,
    );
    expect(name).toBe(db.name);
    await db.drop();
    const left = await withAdmin(
      async (c) => (await c.query('select 1 from pg_database where datname = $1', [db.name])).rowCount,
    );
    expect(left).toBe(0);
  });
});
