/**
 * `npm run demo`: the whole promise on this machine, through the real flows with the local pieces.
 *
 * Two releases of an example app (src/demo/example-app/migrations; v1 is the first three migrations, v2 all
 * six, as two images built from two commits would hold them) are recorded, migrated and deployed; then v2
 * is rolled back to v1: plan, v2's downs, deploy v1. Proof: the schema equals what v1 produced (the
 * fingerprint recorded when v1 was migrated) and the data v2's migration moved is back where v1 expects it.
 *
 * Local pieces: a `file://` manifest store, the "on the runner" executor (the bundled CLI run as a child
 * process, a real option for runners that reach the database), and a file standing in for the ECS service.
 * PostgreSQL: a fresh database on DATABASE_URL's server, or an embedded PostgreSQL when it is unset; both
 * are dropped at the end, so every run starts clean.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { describeError } from '../core/errors.ts';
import { renderPlan } from '../core/plan-table.ts';
import type { Log } from '../core/ports.ts';
import { deploy } from '../pipeline/deploy.ts';
import { FileDeployTarget, FileTaskDefinitions } from '../pipeline/local/file-deploy-target.ts';
import { RunnerExecutor } from '../pipeline/local/runner-executor.ts';
import { loadManifestMigrations } from '../pipeline/local/sources.ts';
import { streamLog } from '../pipeline/log.ts';
import { migrate } from '../pipeline/migrate.ts';
import { recordRelease } from '../pipeline/record-release.ts';
import { rollback } from '../pipeline/rollback.ts';
import { type ScratchServer, scratchEmbedded, scratchOnServer } from '../rehearse/scratch.ts';
import { verifyReleaseFingerprint } from '../schema/record.ts';
import { openStore } from '../stores/registry.ts';
import { table } from './table.ts';

const root = resolve(import.meta.dirname, '../..');
const appMigrations = join(import.meta.dirname, 'example-app/migrations');
const cli = join(root, 'dist/cli.js');

interface Release {
  name: string;
  /** Migrations the release's image contains: those whose id is at most this. */
  upTo: string;
  taskDefinitionArn: string;
}
const releases: Release[] = [
  {
    name: 'v1',
    upTo: '0003',
    taskDefinitionArn: 'arn:aws:ecs:local:000000000000:task-definition/demo-app:1',
  },
  {
    name: 'v2',
    upTo: '0006',
    taskDefinitionArn: 'arn:aws:ecs:local:000000000000:task-definition/demo-app:2',
  },
];
const [v1, v2] = releases as [Release, Release];

const out = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => out(`\n\x1b[1m== ${text}\x1b[0m`);
const timeout = 120_000;

/** An "image": the release's migrations copied into their own folder, as the container would hold them. */
function buildImage(work: string, release: Release): string {
  const dir = join(work, 'images', release.name, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(appMigrations)) {
    if (entry.slice(0, 4) <= release.upTo)
      cpSync(join(appMigrations, entry), join(dir, entry), { recursive: true });
  }
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** How the app of each release reads its users: v1 has full_name, v2 first_name + last_name. */
async function userNames(url: string, release: Release): Promise<string[]> {
  const sql =
    release === v1
      ? 'select full_name as name from users order by id'
      : `select concat_ws(' ', first_name, last_name) as name from users order by id`;
  return (await query<{ name: string }>(url, sql)).map((r) => r.name);
}

async function shipRelease(
  release: Release,
  ctx: { work: string; log: Log; executor: RunnerExecutor; taskDefinitions: FileTaskDefinitions },
  store: Awaited<ReturnType<typeof openStore>>,
  target: FileDeployTarget,
): Promise<void> {
  const dir = join(ctx.work, 'images', release.name, 'migrations');
  ctx.taskDefinitions.define(release.taskDefinitionArn, {
    family: 'demo-app',
    containerDefinitions: [{ name: 'app', image: `demo-app:${release.name}` }],
  });

  const recorded = await recordRelease(
    {
      release: release.name,
      migrations: await loadManifestMigrations(dir),
      image: `demo-app:${release.name}`,
      taskDefinitionArn: release.taskDefinitionArn,
      now: new Date(),
    },
    { store, taskDefinitions: ctx.taskDefinitions },
    ctx.log,
  );
  out(`record  ${recorded.result} manifest with ${recorded.manifest.migrations.length} migrations`);

  const migrated = await migrate(
    ctx.executor,
    {
      release: release.name,
      taskDefinitionArn: release.taskDefinitionArn,
      idempotencyKey: `demo-${release.name}`,
      timeoutMs: timeout,
    },
    ctx.log,
  );
  if (!migrated.ok) throw new Error(`migrating ${release.name} failed: ${migrated.message}`);
  out('migrate');
  out(
    table(
      ['migration', 'took'],
      migrated.applied.map((m) => [m.name, `${m.durationMs} ms`]),
    ),
  );

  const deployed = await deploy(
    target,
    { taskDefinitionArn: release.taskDefinitionArn, release: release.name, timeoutMs: timeout },
    ctx.log,
  );
  if (!deployed.ok) throw new Error(`deploying ${release.name} failed: ${deployed.message}`);
  out(`deploy  ${release.name} is live (${release.taskDefinitionArn})`);
}

async function main(): Promise<boolean> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'stepback-demo-'));
  // Runner output goes to stderr, indented, so the story on stdout stays readable.
  const log = streamLog((text) => process.stderr.write(text.replace(/^(?=.)/gm, '    ')));
  let server: ScratchServer | undefined;
  try {
    heading('Setup');
    server = process.env.DATABASE_URL
      ? await scratchOnServer(process.env.DATABASE_URL, 'database-url', 'stepback_demo')
      : await scratchEmbedded((line) => out(line), 'stepback_demo');
    out(
      `database  ${server.name} (${server.kind === 'embedded' ? 'embedded PostgreSQL' : 'on DATABASE_URL'})`,
    );
    for (const release of releases) buildImage(work, release);
    const store = await openStore(pathToFileURL(join(work, 'manifests')).href);
    const target = new FileDeployTarget(join(work, 'service.json'));
    const taskDefinitions = new FileTaskDefinitions(join(work, 'task-definitions.json'));
    const executor = new RunnerExecutor({
      command: [process.execPath, cli],
      // Each run uses the migrations of the image it was started from, like a one-off ECS task.
      dir: (request) => {
        const release = releases.find((r) => r.taskDefinitionArn === request.taskDefinitionArn) ?? v2;
        return join(work, 'images', release.name, 'migrations');
      },
      env: { DATABASE_URL: server.url },
    });
    const ctx = { work, log, executor, taskDefinitions };
    out(`store     ${store.location}`);

    heading('Release v1: record, migrate, deploy');
    await shipRelease(v1, ctx, store, target);
    const v1Names = await userNames(server.url, v1);
    out(`app v1 reads users.full_name: ${v1Names.join(', ')}`);

    heading('Release v2: record, migrate, deploy (splits full_name into first_name + last_name)');
    await shipRelease(v2, ctx, store, target);
    const v2Rows = await query<{ first_name: string; last_name: string | null }>(
      server.url,
      'select first_name, last_name from users order by id',
    );
    out(
      table(
        ['first_name', 'last_name'],
        v2Rows.map((r) => [r.first_name, r.last_name ?? '']),
      ),
    );

    heading('Rollback to v1: plan, run v2’s downs, deploy v1');
    const outcome = await rollback(
      {
        toRelease: v1.name,
        idempotencyKey: 'demo-rollback',
        timeoutMs: timeout,
        onPlan: (plan) => {
          out(renderPlan(plan));
        },
      },
      { store, executor, target },
      log,
    );
    out(outcome.message);
    if (!outcome.ok) return false;
    out(
      table(
        ['reverted', 'took'],
        outcome.reverted.map((r) => [r.name, `${r.durationMs} ms`]),
      ),
    );

    heading('Proof');
    const live = await target.live();
    const liveOk = live.release === v1.name;
    out(`${liveOk ? 'ok  ' : 'FAIL'}  live release is ${live.release} (${live.taskDefinitionArn})`);

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const verification = await verifyReleaseFingerprint(client, {
      schema: 'public',
      release: v1.name,
    }).finally(() => client.end());
    const schemaOk = verification.matches === true;
    out(
      schemaOk
        ? `ok    schema matches release v1 as deployed`
        : `FAIL  schema differs from release v1: ${'differences' in verification ? verification.differences.join('; ') : verification.reason}`,
    );

    const afterNames = await userNames(server.url, v1);
    const dataOk = JSON.stringify(afterNames) === JSON.stringify(v1Names);
    out(`${dataOk ? 'ok  ' : 'FAIL'}  users.full_name is back as v1 left it: ${afterNames.join(', ')}`);

    const ok = liveOk && schemaOk && dataOk;
    heading(
      ok
        ? `Verdict: rollback v2 → v1 verified: schema, data and live release match v1 (${((Date.now() - started) / 1000).toFixed(1)} s)`
        : 'Verdict: the rollback could NOT be verified (see FAIL lines above)',
    );
    return ok;
  } finally {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
