/**
 * The `stepback/result@1` document that `up`, `down` and `resolve` print with --json (one line, last on
 * stdout, also on failure): defined once, here. The runner's type is derived from `runResultSchema`; the
 * pipeline reads a run's output with `runResultReader`, the same schema with the tolerance a reader of another
 * process's output needs (a runner of another version: any command name or exit code, either error shape,
 * lists left out; a verification it cannot read never fails the whole line).
 *
 * Writers import only the type (and RESULT_FORMAT from result-format.ts), so the runner never loads zod.
 */
import * as z from 'zod';
import { RESULT_FORMAT } from './result-format.ts';

const stepTiming = z.object({ name: z.string(), durationMs: z.number().nonnegative() });
/** `location`: where in the failed migration's file the server stopped (file:line:col and that line), when it says. */
const failedStep = z.object({
  name: z.string(),
  message: z.string(),
  location: z
    .object({ file: z.string(), line: z.number().int(), column: z.number().int(), text: z.string() })
    .optional(),
});
/**
 * `up --adopt`: whether this run took over another tool's history before applying. `adopted: false` with the
 * reason when there was nothing to take over (stepback's state tables exist already, or a new database).
 */
const adoption = z.object({
  adopted: z.boolean(),
  /** The tool and its state table read (schema-qualified); null when nothing was adopted. */
  from: z.string().nullable(),
  table: z.string().nullable(),
  /** The release the adopted rows are recorded under (`adopted-<tool>`). */
  release: z.string().nullable(),
  /** Recorded as applied without running, in order. */
  migrations: z.array(z.string()),
  reason: z.string().nullable(),
});

// The exit-code scheme of errors.ts. The runner itself never ends with 5 (that is the flows' word for a run
// that printed no result), but a document is typed by the one scheme.
const exitCode = z.union([
  z.literal(0),
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(4),
  z.literal(5),
]);

/** What the runner writes. */
export const runResultSchema = z.object({
  format: z.literal(RESULT_FORMAT),
  command: z.enum(['up', 'down', 'resolve']),
  ok: z.boolean(),
  exitCode,
  release: z.string().nullable(),
  runId: z.string().nullable(),
  applied: z.array(stepTiming),
  reverted: z.array(stepTiming),
  failed: failedStep.nullable(),
  error: z.string().nullable(),
  /** up --release: the recorded schema fingerprint; down --plan: the verification against the target release. */
  verification: z.unknown().optional(),
  adoption: adoption.optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;
export type StepTiming = z.infer<typeof stepTiming>;
export type RunAdoption = z.infer<typeof adoption>;

/** The schema check `down --plan` reports (src/schema/record.ts VerifyResult), as far as the pipeline reads it. */
const verificationSchema = z.looseObject({
  /** true: matches the release as recorded; false: differs; null: could not verify (see reason). */
  matches: z.boolean().nullish(),
  release: z.string().nullish(),
  reason: z.string().nullish(),
  error: z.string().nullish(),
  differences: z.array(z.string()).nullish(),
});
export type Verification = z.infer<typeof verificationSchema>;

/** What the pipeline accepts as a run's result line. */
export const runResultReader = z.looseObject({
  ...runResultSchema.shape,
  command: z.string(),
  exitCode: z.number().int(),
  release: z.string().nullish(),
  runId: z.string().nullish(),
  applied: z.array(stepTiming).default([]),
  reverted: z.array(stepTiming).default([]),
  failed: failedStep.nullish(),
  error: z.union([z.string(), z.looseObject({ message: z.string() })]).nullish(),
  verification: verificationSchema.nullish().catch(null),
  // A runner of another version may word it differently; the migrations it ran are in `applied` either way.
  adoption: adoption.nullish().catch(null),
});
export type RunnerResult = z.infer<typeof runResultReader>;
