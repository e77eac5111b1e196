/**
 * `stepback plan --from NEWER --to OLDER [--status STATUS.json] [--json] [--out PLAN.json] [--store URL]`
 *
 * NEWER and OLDER are manifest files, or release names looked up in the store (--store, env STEPBACK_STORE).
 * Prints the plan as a table (stdout; stderr with --json, where stdout carries the one JSON document) and
 * writes it with --out for `stepback down --plan`. A refusal lists every reason and exits 3.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { RefusedError, UsageError } from '../../core/errors.ts';
import { parseManifest } from '../../core/manifest-schema.ts';
import type { ManifestStore } from '../../core/manifest-store.ts';
import { parseStatus } from '../../core/plan-schema.ts';
import { renderPlanResult } from '../../core/plan-table.ts';
import { type Manifest, manifestDigest } from '../../core/release-manifest.ts';
import type { PlanResult } from '../../core/rollback-plan.ts';
import type { DatabaseStatus } from '../../core/status.ts';
import { plannerForManifest } from '../../engines/planners.ts';
import type { StoreDeps } from '../../stores/common.ts';
import { openStore } from '../../stores/registry.ts';
import { checkOutFile, writeOutFile } from '../out-file.ts';

export const PLAN_REFUSED_FORMAT = 'stepback/plan-refused@1';

export interface PlanCommandOptions {
  from: string;
  to: string;
  status?: string;
  json?: boolean;
  out?: string;
  store?: string;
}

export interface PlanCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  storeDeps?: StoreDeps;
  readStdin?: () => string;
}

function readJson(path: string, what: string, io: PlanCommandIo): unknown {
  let text: string;
  try {
    text = path === '-' ? (io.readStdin?.() ?? readFileSync(0, 'utf8')) : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function isFile(arg: string): boolean {
  return existsSync(arg) && statSync(arg).isFile();
}

/** A manifest file, or a release name resolved through the store. */
async function loadManifest(
  arg: string,
  flag: string,
  store: () => Promise<ManifestStore | undefined>,
  io: PlanCommandIo,
): Promise<Manifest> {
  if (isFile(arg)) return parseManifest(readJson(arg, 'manifest', io), arg);
  if (arg.includes('/') || arg.endsWith('.json'))
    throw new UsageError(`${flag} ${arg}: no such manifest file`);
  const s = await store();
  if (!s)
    throw new UsageError(
      `${flag} ${arg} is not a manifest file, and no store is set to look up release ${arg}`,
      {
        hint: 'pass a manifest file, or --store URL (env STEPBACK_STORE) to read releases from their store',
      },
    );
  return s.get(arg);
}

export async function runPlanCommand(options: PlanCommandOptions, io: PlanCommandIo): Promise<PlanResult> {
  if (options.out !== undefined) checkOutFile(options.out);
  const storeUrl = options.store ?? io.env.STEPBACK_STORE;
  let opened: Promise<ManifestStore> | undefined;
  const store = async () => {
    if (!storeUrl) return undefined;
    opened ??= openStore(storeUrl, { env: io.env, ...io.storeDeps });
    return opened;
  };
  const [newer, older] = await Promise.all([
    loadManifest(options.from, '--from', store, io),
    loadManifest(options.to, '--to', store, io),
  ]);
  let status: DatabaseStatus | undefined;
  if (options.status) status = parseStatus(readJson(options.status, 'status', io), options.status);

  const planner = plannerForManifest(newer);
  const result = planner.plan({ newer, older, ...(status ? { status } : {}) });
  const labels = { from: newer.release, to: older.release };
  const reconciled = result.ok && status ? planner.reconcile(result.plan, status.applied) : undefined;
  const table = renderPlanResult(
    result,
    labels,
    reconciled?.ok ? { alreadyReverted: reconciled.alreadyReverted } : undefined,
  );
  (options.json ? io.stderr : io.stdout)(`${table}\n`);

  if (result.ok) {
    const text = `${JSON.stringify(result.plan, null, 2)}\n`;
    if (options.out) {
      // Written whole or not at all: `down --plan` must never read half a plan.
      writeOutFile(options.out, text);
      io.stderr(`plan written to ${options.out}\n`);
    }
    if (options.json) io.stdout(`${JSON.stringify(result.plan)}\n`);
    return result;
  }

  if (options.json)
    io.stdout(
      `${JSON.stringify({
        format: PLAN_REFUSED_FORMAT,
        from: { release: newer.release, manifestDigest: manifestDigest(newer) },
        to: { release: older.release, manifestDigest: manifestDigest(older) },
        reasons: result.reasons,
        checks: result.checks,
      })}\n`,
    );
  throw new RefusedError(`rollback ${newer.release} → ${older.release} refused`, {
    problems: result.reasons,
    hint: options.out ? `no plan was written to ${options.out}` : 'nothing was changed',
  });
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'plan a rollback from the live (newer) release to an older one, and check it can be carried out',
    )
    .requiredOption('--from <newer>', 'the live release: a manifest file or a release name in the store')
    .requiredOption('--to <older>', 'the target release: a manifest file or a release name in the store')
    .option(
      '--status <file>',
      'the database state (`stepback status --json` output; - for stdin) to check against',
    )
    .option(
      '--store <url>',
      'manifest store for release names: file://DIR, s3://BUCKET/PREFIX, github-release://OWNER/REPO (env STEPBACK_STORE)',
    )
    .option('--out <file>', 'write the plan here, for `stepback down --plan`')
    .option(
      '--json',
      'print the plan (or the refusal) as one JSON document on stdout; the table goes to stderr',
    )
    .action(async (options: PlanCommandOptions) => {
      await runPlanCommand(options, {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
      });
    });
}
