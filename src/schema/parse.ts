/**
 * Validation of a fingerprint read back from the database or a file (the one place that parses it). Both
 * formats are read: `stepback/schema@2` (what this stepback writes) and `stepback/schema@1` (what earlier
 * versions recorded, still the reference for the releases they recorded; see src/core/schema-format-1.ts).
 */
import * as z from 'zod';
import {
  canonicalize,
  SCHEMA_FINGERPRINT_FORMAT,
  SCHEMA_FINGERPRINT_FORMAT_1,
  type SchemaFingerprint,
} from '../core/schema-diff.ts';

const privileges = z.record(z.string(), z.string());
const text = z.string().optional();
const options = z.array(z.string()).optional();
/** Owner, grants and comment (format 2). */
const access = { owner: z.string(), privileges, comment: text };
const owned = { owner: z.string(), comment: text };
const firing = z.enum(['origin', 'replica', 'always', 'disabled']);

const column1 = z.object({
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  position: z.number().int(),
  identity: z.enum(['always', 'by default']).optional(),
  generated: z.literal('stored').optional(),
  collation: z.string().optional(),
});
const column2 = column1.extend({
  identityOptions: text,
  storage: z.enum(['plain', 'external', 'extended', 'main']).optional(),
  compression: text,
  statistics: z.number().int().optional(),
  options,
  privileges: privileges.optional(),
  comment: text,
});
const constraint1 = z.object({ type: z.string(), definition: z.string() });
const constraint2 = constraint1.extend({ indexOptions: options, comment: text });
const table1 = z.object({
  kind: z.enum(['table', 'partitioned table', 'foreign table']),
  rowLevelSecurity: z.boolean(),
  columns: z.record(z.string(), column1),
  constraints: z.record(z.string(), constraint1),
});
const table2 = table1.extend({
  columns: z.record(z.string(), column2),
  constraints: z.record(z.string(), constraint2),
  ...access,
  forceRowLevelSecurity: z.boolean().optional(),
  unlogged: z.boolean().optional(),
  options,
  replicaIdentity: text,
  partitionKey: text,
  partitionOf: text,
  inherits: options,
  accessMethod: text,
});
const index1 = z.object({ table: z.string(), definition: z.string() });
const view1 = z.object({ kind: z.enum(['view', 'materialized view']), definition: z.string() });
const sequence1 = z.object({
  type: z.string(),
  start: z.string(),
  increment: z.string(),
  min: z.string(),
  max: z.string(),
  cycle: z.boolean(),
  cache: z.string(),
  ownedBy: z.string().nullable(),
});
const function1 = z.object({
  kind: z.enum(['function', 'procedure', 'aggregate', 'window']),
  returns: z.string().nullable(),
  language: z.string(),
  volatility: z.enum(['immutable', 'stable', 'volatile']),
  strict: z.boolean(),
  securityDefiner: z.boolean(),
  config: z.array(z.string()),
  bodyHash: z.string(),
});
const enum1 = z.object({ values: z.array(z.string()) });
const domain1 = z.object({
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  constraints: z.array(z.string()),
});
const trigger1 = z.object({ definition: z.string(), enabled: z.boolean() });
const extension = z.object({ version: z.string(), schema: z.string() });
const records = <T extends z.ZodType>(value: T) => z.record(z.string(), value);

const format1 = z.object({
  format: z.literal(SCHEMA_FINGERPRINT_FORMAT_1),
  scope: z.enum(['all-user-schemas', 'listed-schemas']),
  schemas: z.array(z.string()),
  tables: records(table1),
  indexes: records(index1),
  views: records(view1),
  sequences: records(sequence1),
  functions: records(function1),
  enums: records(enum1),
  domains: records(domain1),
  triggers: records(trigger1),
  extensions: records(extension),
});

const format2 = format1.extend({
  format: z.literal(SCHEMA_FINGERPRINT_FORMAT),
  tables: records(table2),
  indexes: records(index1.extend({ comment: text })),
  views: records(
    view1.extend({ ...access, options, columnComments: z.record(z.string(), z.string()).optional() }),
  ),
  sequences: records(sequence1.extend({ ...access, unlogged: z.boolean().optional() })),
  functions: records(
    function1.extend({
      ...access,
      sqlBodyHash: text,
      arguments: z.string(),
      parallel: z.enum(['safe', 'restricted', 'unsafe']),
      leakproof: z.boolean(),
      cost: z.string(),
      rows: z.string(),
      aggregate: text,
    }),
  ),
  enums: records(enum1.extend(access)),
  domains: records(domain1.extend(access)),
  triggers: records(trigger1.extend({ firing: z.enum(['origin', 'replica', 'always']), comment: text })),
  schemaAccess: records(z.object(access)),
  defaultPrivileges: records(privileges),
  policies: records(
    z.object({
      command: z.enum(['all', 'select', 'insert', 'update', 'delete']),
      permissive: z.boolean(),
      roles: z.array(z.string()),
      using: z.string().nullable(),
      withCheck: z.string().nullable(),
      comment: text,
    }),
  ),
  rules: records(z.object({ definition: z.string(), firing, comment: text })),
  types: records(
    z.object({ kind: z.enum(['composite', 'range']), definition: z.array(z.string()), ...access }),
  ),
  statistics: records(
    z.object({ table: z.string(), definition: z.string(), target: z.number().int().optional(), ...owned }),
  ),
  publications: records(
    z.object({
      allTables: z.boolean(),
      publish: z.array(z.string()),
      viaRoot: z.boolean(),
      tables: z.array(z.string()),
      schemas: z.array(z.string()),
      ...owned,
    }),
  ),
  operators: records(
    z.object({
      function: z.string(),
      commutator: z.string().nullable(),
      negator: z.string().nullable(),
      restrict: z.string().nullable(),
      join: z.string().nullable(),
      hashes: z.boolean(),
      merges: z.boolean(),
      ...owned,
    }),
  ),
  textSearchConfigurations: records(
    z.object({ parser: z.string(), mappings: z.array(z.string()), ...owned }),
  ),
  textSearchDictionaries: records(
    z.object({ template: z.string(), options: z.string().nullable(), ...owned }),
  ),
  eventTriggers: records(
    z.object({ event: z.string(), function: z.string(), firing, tags: z.array(z.string()), ...owned }),
  ),
  casts: records(
    z.object({ method: z.string(), context: z.enum(['explicit', 'assignment', 'implicit']), comment: text }),
  ),
  collations: records(z.object({ definition: z.array(z.string()), ...owned })),
});

const FORMATS = { [SCHEMA_FINGERPRINT_FORMAT]: format2, [SCHEMA_FINGERPRINT_FORMAT_1]: format1 } as const;

/** Parse a stored fingerprint of either format; the error names the first fields that do not fit. */
export function parseFingerprint(value: unknown, where: string): SchemaFingerprint {
  const format = (value as { format?: unknown } | null)?.format;
  const schema = FORMATS[format as keyof typeof FORMATS];
  if (!schema) {
    throw new Error(
      `${where} has format ${JSON.stringify(format ?? null)}; this stepback reads ${SCHEMA_FINGERPRINT_FORMAT} and ${SCHEMA_FINGERPRINT_FORMAT_1} (one written by a newer stepback is read by that version)`,
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new Error(`${where} is not a valid ${format} fingerprint: ${problems.join('; ')}`);
  }
  return canonicalize(result.data as SchemaFingerprint);
}
