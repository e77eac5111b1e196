/**
 * Recording a release's schema fingerprint when its migrations complete, and verifying the live schema
 * against it after a rollback ("schema matches release v1 as deployed").
 *
 * Storage: `<schema>.stepback_fingerprints`, one row per (release, digest).
 * - Recording the same schema again for a release (a re-run `up --release R` with nothing pending) only
 *   bumps `last_recorded_at`: the row stays one row.
 * - Recording a *different* schema for a release that already has one keeps both rows (history); nothing is
 *   overwritten. The caller learns that it differs from the first recording.
 * - Verification compares with the **first** recording of the release: that is the schema the release's
 *   migrations produced when it was deployed. A later, different recording (e.g. `up --release v1` after a
 *   rollback whose down left something behind) must not become the reference and hide the difference.
 * - A first recording made by an earlier stepback (`stepback/schema@1`) stays the reference: the live schema is
 *   compared with it in format 1's terms (`inFormat1`), and the result says what that leaves unproven
 *   (`comparedAs`, `notCompared`) rather than reporting all that format 2 reads as differences. A later
 *   recording of the same release cannot take its place for the same reason as above.
 */
import type pg from 'pg';
import {
  diffSchemas,
  fingerprintDigest,
  SCHEMA_FINGERPRINT_FORMAT_1,
  type SchemaDifference,
  type SchemaFingerprint,
} from '../core/schema-diff.ts';
import { FORMAT_1_NOT_COMPARED, inFormat1 } from '../core/schema-format-1.ts';
import { fingerprintSchema } from './fingerprint.ts';

export const FINGERPRINTS_TABLE = 'stepback_fingerprints';

export interface ReleaseFingerprintOptions {
  /** The schema holding stepback's tables (default `public`). */
  schema?: string;
  release: string;
  /** Schemas to fingerprint; default every user schema. */
  schemas?: readonly string[];
}

export interface RecordedFingerprint {
  release: string;
  digest: string;
  /** When this release's fingerprint was first recorded (ISO 8601). */
  recordedAt: string;
  /**
   * `new`: the first recording for the release · `unchanged`: equal to the first recording ·
   * `differs`: a different schema than the first recording (kept as a history row; `differences` lists how).
   */
  outcome: 'new' | 'unchanged' | 'differs';
  differences: string[];
  /** Set when the first recording is in an older format: compared in its terms (see the file comment). */
  comparedAs?: string;
  notCompared?: string;
}

export type VerifyResult =
  | {
      release: string;
      matches: boolean;
      /** Readable lines, empty when it matches. */
      differences: string[];
      details: SchemaDifference[];
      /** When the reference fingerprint (the release's first) was recorded (ISO 8601). */
      recordedAt: string;
      digest: string;
      /** The reference's format, when it is an older one than this stepback writes: compared in its terms. */
      comparedAs?: string;
      /** What that comparison cannot see. */
      notCompared?: string;
    }
  | { release: string; matches: null; reason: string };

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function table(schema: string | undefined): string {
  return `${quoteIdent(schema ?? 'public')}.${FINGERPRINTS_TABLE}`;
}

async function ensureTable(client: pg.ClientBase, schema: string | undefined): Promise<void> {
  const ddl = `create table if not exists ${table(schema)} (
    release text not null,
    digest text not null,
    fingerprint jsonb not null,
    recorded_at timestamptz not null default now(),
    last_recorded_at timestamptz not null default now(),
    primary key (release, digest))`;
  try {
    await client.query(ddl);
  } catch (error) {
    // Two sessions creating it at once: one wins, the other sees a duplicate type/relation; the table exists.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

interface StoredRow {
  digest: string;
  fingerprint: unknown;
  recorded_at: Date;
}

async function firstRecording(
  client: pg.ClientBase,
  schema: string | undefined,
  release: string,
): Promise<{ digest: string; fingerprint: SchemaFingerprint; recordedAt: string } | null> {
  const exists = await client.query<{ t: string | null }>('select to_regclass($1)::text as t', [
    table(schema),
  ]);
  if (!exists.rows[0]?.t) return null;
  const { rows } = await client.query<StoredRow>(
    `select digest, fingerprint, recorded_at from ${table(schema)} where release = $1
     order by recorded_at, digest limit 1`,
    [release],
  );
  const row = rows[0];
  if (!row) return null;
  // Loaded only to read a stored fingerprint back: the first recording of a release (every adopt, most
  // `up --release` runs) never needs zod's start-up.
  const { parseFingerprint } = await import('./parse.ts');
  return {
    digest: row.digest,
    fingerprint: parseFingerprint(row.fingerprint, `the recorded fingerprint of release ${release}`),
    recordedAt: row.recorded_at.toISOString(),
  };
}

/** Fingerprint the live schema the way `reference` was taken (same schema list when it was a given list). */
function sameScope(reference: SchemaFingerprint | undefined, options: ReleaseFingerprintOptions) {
  const stateSchema = options.schema ?? 'public';
  if (options.schemas && options.schemas.length > 0) return { schemas: options.schemas, stateSchema };
  if (reference?.scope === 'listed-schemas') return { schemas: reference.schemas, stateSchema };
  return { stateSchema };
}

/** Differences from the reference to the live schema, in the reference's format. */
function compare(reference: SchemaFingerprint, live: SchemaFingerprint) {
  if (reference.format === SCHEMA_FINGERPRINT_FORMAT_1) {
    return {
      details: diffSchemas(reference, inFormat1(live)),
      older: { comparedAs: SCHEMA_FINGERPRINT_FORMAT_1, notCompared: FORMAT_1_NOT_COMPARED },
    };
  }
  return { details: diffSchemas(reference, live), older: {} };
}

/** Store the live schema's fingerprint for `release` (see the file comment for the history rule). */
export async function recordReleaseFingerprint(
  client: pg.ClientBase,
  options: ReleaseFingerprintOptions,
): Promise<RecordedFingerprint> {
  await ensureTable(client, options.schema);
  const first = await firstRecording(client, options.schema, options.release);
  const fingerprint = await fingerprintSchema(client, sameScope(first?.fingerprint, options));
  const digest = fingerprintDigest(fingerprint);
  const { rows } = await client.query<{ recorded_at: Date }>(
    `insert into ${table(options.schema)} (release, digest, fingerprint) values ($1, $2, $3)
     on conflict (release, digest) do update set last_recorded_at = now()
     returning recorded_at`,
    [options.release, digest, JSON.stringify(fingerprint)],
  );
  const recordedAt = (rows[0]?.recorded_at ?? new Date()).toISOString();
  if (!first) return { release: options.release, digest, recordedAt, outcome: 'new', differences: [] };
  const { details, older } = compare(first.fingerprint, fingerprint);
  const differences = details.map((d) => d.message);
  return {
    release: options.release,
    digest,
    recordedAt: first.recordedAt,
    outcome: differences.length === 0 ? 'unchanged' : 'differs',
    differences,
    ...older,
  };
}

/** Compare the live schema with the schema `release` had when first recorded. */
export async function verifyReleaseFingerprint(
  client: pg.ClientBase,
  options: ReleaseFingerprintOptions,
): Promise<VerifyResult> {
  const first = await firstRecording(client, options.schema, options.release);
  if (!first) {
    return {
      release: options.release,
      matches: null,
      reason: `no fingerprint recorded for release ${options.release} (it is recorded when \`stepback up --release ${options.release}\` completes)`,
    };
  }
  const live = await fingerprintSchema(client, sameScope(first.fingerprint, options));
  const { details, older } = compare(first.fingerprint, live);
  return {
    release: options.release,
    matches: details.length === 0,
    differences: details.map((d) => d.message),
    details,
    recordedAt: first.recordedAt,
    digest: first.digest,
    ...older,
  };
}

/** One line for logs and summaries. */
export function describeVerifyResult(result: VerifyResult): string {
  if (result.matches === null) return `cannot verify the schema: ${result.reason}`;
  const older = result.comparedAs
    ? `\n  (recorded by an earlier stepback as ${result.comparedAs}: compared as far as that format reads; not compared: ${result.notCompared})`
    : '';
  if (result.matches) return `schema matches release ${result.release} as deployed${older}`;
  const n = result.differences.length;
  return `schema differs from release ${result.release} as deployed (${n} difference${n === 1 ? '' : 's'}):\n${result.differences.map((d) => `  - ${d}`).join('\n')}${older}`;
}
