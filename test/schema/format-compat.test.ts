/**
 * A fingerprint recorded by the stepback before this one (`stepback/schema@1`, taken of
 * test/fixtures/fingerprints/schema-format-1.sql by that version and kept as schema-format-1.json) stays a
 * usable reference: verify compares what format 1 read, says what it could not, and reports no difference for
 * what only format 2 reads.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FINGERPRINT_FORMAT, SCHEMA_FINGERPRINT_FORMAT_1 } from '../../src/core/schema-diff.ts';
import { inFormat1 } from '../../src/core/schema-format-1.ts';
import { fingerprintSchema } from '../../src/schema/fingerprint.ts';
import { parseFingerprint } from '../../src/schema/parse.ts';
import {
  describeVerifyResult,
  recordReleaseFingerprint,
  verifyReleaseFingerprint,
} from '../../src/schema/record.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const fixture = (name: string) => new URL(`../fixtures/fingerprints/${name}`, import.meta.url);
const FORMAT_1_SQL = readFileSync(fixture('schema-format-1.sql'), 'utf8');
const FORMAT_1 = JSON.parse(readFileSync(fixture('schema-format-1.json'), 'utf8'));

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('fp_compat');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(FORMAT_1_SQL);
  // The row the earlier stepback left: its table, made the way this one makes it, and its fingerprint.
  await recordReleaseFingerprint(client, { release: 'setup' });
  await client.query(
    `insert into stepback_fingerprints (release, digest, fingerprint) values ('v1', 'sha256:${'1'.repeat(64)}', $1)`,
    [JSON.stringify(FORMAT_1)],
  );
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('a format 1 reference', () => {
  it('is exactly what format 2 reads of the same schema, cut down to format 1', async () => {
    const live = await fingerprintSchema(client, { stateSchema: 'public' });
    expect(live.format).toBe(SCHEMA_FINGERPRINT_FORMAT);
    expect(inFormat1(live)).toEqual(parseFingerprint(FORMAT_1, 'the fixture'));
  });

  it('verifies in its own terms and says what it could not compare', async () => {
    const ok = await verifyReleaseFingerprint(client, { release: 'v1' });
    expect(ok).toMatchObject({ matches: true, differences: [], comparedAs: SCHEMA_FINGERPRINT_FORMAT_1 });
    expect(ok.matches && ok.notCompared).toContain('owners, grants');
    expect(describeVerifyResult(ok)).toContain('schema matches release v1 as deployed');
    expect(describeVerifyResult(ok)).toContain(
      'recorded by an earlier stepback as stepback/schema@1: compared as far as that format reads; not compared: owners, grants',
    );
  });

  it('reports what format 1 sees and nothing that only format 2 reads', async () => {
    await client.query('begin');
    try {
      await client.query(`
        create policy orders_any on orders using (true);
        comment on table users is 'people';
        alter function order_count(bigint) parallel safe;
        alter table users add column nick text;`);
      const result = await verifyReleaseFingerprint(client, { release: 'v1' });
      expect(result).toMatchObject({
        matches: false,
        differences: ['column users.nick: unexpected'],
        comparedAs: SCHEMA_FINGERPRINT_FORMAT_1,
      });
      // Recording the release again compares with the same format 1 first recording, in the same terms.
      const again = await recordReleaseFingerprint(client, { release: 'v1' });
      expect(again).toMatchObject({ outcome: 'differs', differences: ['column users.nick: unexpected'] });
    } finally {
      await client.query('rollback');
    }
    const unchanged = await recordReleaseFingerprint(client, { release: 'v1' });
    expect(unchanged).toMatchObject({ outcome: 'unchanged', comparedAs: SCHEMA_FINGERPRINT_FORMAT_1 });
    // It stays the reference (the first recording), so a later format 2 row does not replace it.
    expect((await verifyReleaseFingerprint(client, { release: 'v1' })).matches === true).toBe(true);
  });

  it('a release recorded now is format 2 and compared in full', async () => {
    await recordReleaseFingerprint(client, { release: 'v2' });
    const { rows } = await client.query(
      `select fingerprint->>'format' as format from stepback_fingerprints where release = 'v2'`,
    );
    expect(rows).toEqual([{ format: SCHEMA_FINGERPRINT_FORMAT }]);
    await client.query('begin');
    try {
      await client.query('create policy orders_any on orders using (true)');
      const result = await verifyReleaseFingerprint(client, { release: 'v2' });
      expect(result).toMatchObject({ matches: false, differences: ['policy orders.orders_any: unexpected'] });
      expect(result.matches === false && result.comparedAs).toBeUndefined();
    } finally {
      await client.query('rollback');
    }
  });

  it('refuses a format it does not know, saying which it reads', () => {
    expect(() =>
      parseFingerprint({ ...FORMAT_1, format: 'stepback/schema@3' }, 'the recorded fingerprint'),
    ).toThrow(
      'the recorded fingerprint has format "stepback/schema@3"; this stepback reads stepback/schema@2 and stepback/schema@1',
    );
    expect(() => parseFingerprint({ ...FORMAT_1, tables: 5 }, 'the recorded fingerprint')).toThrow(
      'the recorded fingerprint is not a valid stepback/schema@1 fingerprint: tables:',
    );
  });
});
