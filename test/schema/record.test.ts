import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeVerifyResult,
  recordReleaseFingerprint,
  verifyReleaseFingerprint,
} from '../../src/schema/record.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('record');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('create schema stepback');
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('record and verify a release fingerprint', () => {
  it('says there is nothing to verify against before anything is recorded', async () => {
    const result = await verifyReleaseFingerprint(client, { schema: 'stepback', release: 'v0' });
    expect(result.matches).toBeNull();
    expect(result.matches === null && result.reason).toContain('no fingerprint recorded for release v0');
  });

  it('round-trips: recorded, unchanged, then a rollback that leaves a difference is reported', async () => {
    await client.query('create table users (id int primary key, email text not null)');
    const first = await recordReleaseFingerprint(client, { schema: 'stepback', release: 'v1' });
    expect(first.outcome).toBe('new');
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The table lives in the stepback schema, and is not part of the fingerprint itself.
    const stored = await client.query('select release, digest from stepback.stepback_fingerprints');
    expect(stored.rows).toEqual([{ release: 'v1', digest: first.digest }]);

    const ok = await verifyReleaseFingerprint(client, { schema: 'stepback', release: 'v1' });
    expect(ok).toMatchObject({ release: 'v1', matches: true, differences: [], digest: first.digest });
    expect(describeVerifyResult(ok)).toBe('schema matches release v1 as deployed');

    // v2 adds things, its down forgets the index.
    await client.query('alter table users add column name text; create index users_name_idx on users (name)');
    await recordReleaseFingerprint(client, { schema: 'stepback', release: 'v2' });
    await client.query(
      'alter table users drop column name cascade; create index users_email_idx on users (email)',
    );

    const bad = await verifyReleaseFingerprint(client, { schema: 'stepback', release: 'v1' });
    expect(bad.matches).toBe(false);
    expect(bad.matches === false && bad.differences).toEqual(['index users_email_idx: unexpected']);
    expect(describeVerifyResult(bad)).toContain('schema differs from release v1 as deployed (1 difference)');
  });

  it('keeps one row for an identical re-recording and a history row for a different one', async () => {
    await client.query('drop table if exists users; create table items (id int)');
    const a = await recordReleaseFingerprint(client, { schema: 'stepback', release: 'v5' });
    const again = await recordReleaseFingerprint(client, { schema: 'stepback', release: 'v5' });
    expect(again).toMatchObject({ outcome: 'unchanged', digest: a.digest, recordedAt: a.recordedAt });
    await client.query('alter table items add column sku text');
    const changed = await recordReleaseFingerprint(client, { schema: 'stepback', release: 'v5' });
    expect(changed.outcome).toBe('differs');
    expect(changed.differences).toEqual(['column items.sku: unexpected']);
    const rows = await client.query(
      "select digest from stepback.stepback_fingerprints where release = 'v5' order by recorded_at",
    );
    expect(rows.rows.map((r) => r.digest)).toEqual([a.digest, changed.digest]);
    // Verification keeps comparing with the first recording: the later one does not hide the difference.
    const verdict = await verifyReleaseFingerprint(client, { schema: 'stepback', release: 'v5' });
    expect(verdict.matches === false && verdict.differences).toEqual(['column items.sku: unexpected']);
  });
});
