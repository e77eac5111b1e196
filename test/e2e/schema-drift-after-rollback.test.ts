/**
 * The verification half of "verified rollback": after v2 → v1 the schema is compared with the fingerprint
 * recorded when v1's migrations completed. Someone added an index to `users` by hand while v2 was live; the
 * downs cannot know it, so the rollback completes but must say the schema DIFFERS from v1 and name the index,
 * not claim a match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/pg.ts';
import {
  type E2e,
  everything,
  names,
  prepareAtV2,
  rollbackToV1,
  serviceTaskDefinition,
  startE2e,
  story,
  V1,
} from './harness.ts';

let e: E2e;
let td: { v1: string; v2: string };

beforeAll(async () => {
  e = await startE2e('e2e_drift');
  td = await prepareAtV2(e);
}, 90_000);
afterAll(async () => {
  await e?.close();
});

describe('schema verification after a rollback', () => {
  it('reports the difference a hand-made change left, instead of a match', async () => {
    await withClient(e.db.url, (c) => c.query('create index users_hand_made_idx on users (id desc)'));
    const rb = await rollbackToV1(e);
    expect(rb.exitCode, story(rb)).toBe(0);
    expect(rb.outputs.status).toBe('rolled-back');
    expect(names(rb.outputs.reverted)).toEqual([
      '0006_index_users_email_lower',
      '0005_create_orders',
      '0004_split_user_names',
    ]);
    expect(await e.applied()).toEqual(V1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);
    // The verification ran and found the hand-made index.
    expect(rb.outputs['schema-matches']).toBe('false');
    expect(rb.summary).toContain('schema DIFFERS from release v1 as deployed');
    expect(rb.summary).toContain('users_hand_made_idx');
    expect(rb.summary).not.toContain('schema matches release v1');
    expect(everything(rb)).not.toContain(e.db.password);
  }, 120_000);
});
