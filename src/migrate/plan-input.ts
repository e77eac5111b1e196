/**
 * Where `down --plan` gets its plan: a file path, `-` (stdin), or the env var STEPBACK_PLAN holding the plan
 * JSON itself or `gz:` + base64(gzip(JSON)) (an ECS command override is size-limited; gzip keeps big plans in).
 * Parsed and validated once here (parsePlan, zod).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../core/errors.ts';
import { parsePlan } from '../core/plan-schema.ts';
import type { RollbackPlan } from '../core/rollback-plan.ts';

export interface PlanSource {
  /** `--plan` value: a path or `-`. Undefined: use env STEPBACK_PLAN. */
  arg?: string;
  env?: Record<string, string | undefined>;
  readStdin?: () => string;
}

export function decodePlanText(text: string, where: string): RollbackPlan {
  let json = text.trim();
  if (json.startsWith('gz:')) {
    try {
      json = gunzipSync(Buffer.from(json.slice(3), 'base64')).toString('utf8');
    } catch (error) {
      throw new UsageError(`${where}: not valid gz:+base64 gzip data (${(error as Error).message})`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`${where}: not valid JSON (${(error as Error).message})`, {
      hint: 'pass the file written by `stepback plan --out`',
    });
  }
  return parsePlan(parsed, where);
}

export function readPlanInput(source: PlanSource): RollbackPlan {
  const env = source.env ?? process.env;
  const arg = source.arg;
  if (arg === undefined || arg === '') {
    const fromEnv = env.STEPBACK_PLAN;
    if (!fromEnv)
      throw new UsageError('--plan needs a value (a file, or - for stdin) or the env var STEPBACK_PLAN');
    return decodePlanText(fromEnv, 'STEPBACK_PLAN');
  }
  if (arg === '-') {
    const text = (source.readStdin ?? (() => readFileSync(0, 'utf8')))();
    return decodePlanText(text, 'stdin');
  }
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--plan ${arg}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return decodePlanText(text, arg);
}
