/**
 * Validation of a fingerprint read back from the database or a file (the one place that parses it).
 */
import * as z from 'zod';
import { canonicalize, SCHEMA_FINGERPRINT_FORMAT, type SchemaFingerprint } from '../core/schema-diff.ts';

const column = z.object({
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  position: z.number().int(),
  identity: z.enum(['always', 'by default']).optional(),
  generated: z.literal('stored').optional(),
  collation: z.string().optional(),
});

const fingerprintSchema = z.object({
  format: z.literal(SCHEMA_FINGERPRINT_FORMAT),
  scope: z.enum(['all-user-schemas', 'listed-schemas']),
  schemas: z.array(z.string()),
  tables: z.record(
    z.string(),
    z.object({
      kind: z.enum(['table', 'partitioned table', 'foreign table']),
      rowLevelSecurity: z.boolean(),
      columns: z.record(z.string(), column),
      constraints: z.record(z.string(), z.object({ type: z.string(), definition: z.string() })),
    }),
  ),
  indexes: z.record(z.string(), z.object({ table: z.string(), definition: z.string() })),
  views: z.record(
    z.string(),
    z.object({ kind: z.enum(['view', 'materialized view']), definition: z.string() }),
  ),
  sequences: z.record(
    z.string(),
    z.object({
      type: z.string(),
      start: z.string(),
      increment: z.string(),
      min: z.string(),
      max: z.string(),
      cycle: z.boolean(),
      cache: z.string(),
      ownedBy: z.string().nullable(),
    }),
  ),
  functions: z.record(
    z.string(),
    z.object({
      kind: z.enum(['function', 'procedure', 'aggregate', 'window']),
      returns: z.string().nullable(),
      language: z.string(),
      volatility: z.enum(['immutable', 'stable', 'volatile']),
      strict: z.boolean(),
      securityDefiner: z.boolean(),
      config: z.array(z.string()),
      bodyHash: z.string(),
    }),
  ),
  enums: z.record(z.string(), z.object({ values: z.array(z.string()) })),
  domains: z.record(
    z.string(),
    z.object({
      type: z.string(),
      nullable: z.boolean(),
      default: z.string().nullable(),
      constraints: z.array(z.string()),
    }),
  ),
  triggers: z.record(z.string(), z.object({ definition: z.string(), enabled: z.boolean() })),
  extensions: z.record(z.string(), z.object({ version: z.string(), schema: z.string() })),
});

/** Parse a stored fingerprint; the error names the first fields that do not fit. */
export function parseFingerprint(value: unknown, where: string): SchemaFingerprint {
  const result = fingerprintSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new Error(
      `${where} is not a valid ${SCHEMA_FINGERPRINT_FORMAT} fingerprint: ${problems.join('; ')}`,
    );
  }
  return canonicalize(result.data as SchemaFingerprint);
}
