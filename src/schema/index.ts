/** The schema fingerprint: read, record per release, verify (a rollback is verified by comparing them). */
export type { DiffOptions, SchemaDifference, SchemaFingerprint } from '../core/schema-diff.ts';
export { diffSchemas, fingerprintDigest } from '../core/schema-diff.ts';
export { type FingerprintOptions, fingerprintSchema, STEPBACK_TABLES } from './fingerprint.ts';
export { parseFingerprint } from './parse.ts';
export {
  describeVerifyResult,
  FINGERPRINTS_TABLE,
  type RecordedFingerprint,
  type ReleaseFingerprintOptions,
  recordReleaseFingerprint,
  type VerifyResult,
  verifyReleaseFingerprint,
} from './record.ts';
