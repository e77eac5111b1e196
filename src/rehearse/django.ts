/**
 * The rollback rehearsal for a Django project: the same proof as rehearse.ts, with Django doing every
 * change. One Django process (engines/django/session.ts) runs on a scratch database; stepback fingerprints
 * that database between its steps. The previous release (a Django manifest as `--since`) is migrated first;
 * then, for each migration this code adds, in Django's plan order: fingerprint, migrate forward to it,
 * back to the migration before it in its app (or `zero`), compare, forward again. Finally every app is taken
 * back to the previous release at once, as a rollback would, and compared with the previous release's
 * fingerprint. Migrations with an irreversible operation are only applied, and reported.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { MigrationFailedError, UsageError } from '../core/errors.ts';
import type { Manifest } from '../core/release-manifest.ts';
import { diffSchemas, type SchemaFingerprint } from '../core/schema-diff.ts';
import { type GraphNode, runProgram } from '../engines/django/manage.ts';
import {
  type DjangoSession,
  openSession,
  type SessionAnswer,
  sessionDatabase,
  type Target,
} from '../engines/django/session.ts';
import { fingerprintSchema } from '../schema/fingerprint.ts';
import { buildReport } from './report.ts';
import { RESET_SCHEMAS_SQL, scratchEmbedded, scratchOnServer } from './scratch.ts';
import { fromManifestFile, type ResolvedSince } from './since.ts';
import type { MigrationRehearsal, RehearsalReport, ReleaseRevert, StepError } from './types.ts';

export interface DjangoRehearseOptions {
  /** The project root, where the manage command runs. */
  cwd: string;
  manageCommand: string;
  env: Record<string, string | undefined>;
  /** The previous release's manifest (a Django one), as an object or the path of its JSON file. */
  since?: string | Manifest;
  /** A server on which the scratch database is created; unset: an embedded PostgreSQL. */
  databaseUrl?: string;
  release?: string;
  requireReversible?: boolean;
  columnOrder?: boolean;
  secrets: readonly (string | undefined)[];
  log?: (line: string) => void;
  now?: () => number;
}

const appOf = (name: string) => name.slice(0, name.indexOf('.'));
const migrationOf = (name: string) => name.slice(name.indexOf('.') + 1);

/** The previous release's migrations; a squash of them counts as theirs. */
function resolveDjangoSince(since: DjangoRehearseOptions['since'], cwd: string, nodes: readonly GraphNode[]) {
  if (since === undefined || since === '')
    return { since: { release: null, source: 'none', migrations: [], notes: [] } as ResolvedSince, base: [] };
  // A Django rehearsal starts from the previous release's manifest file: no cache of release names.
  const manifest = typeof since === 'object' ? since : fromManifestFile(resolve(cwd, since));
  if (manifest.engine !== 'django')
    throw new UsageError(
      `--since: release ${manifest.release}'s manifest is for the ${manifest.engine} engine, not django`,
    );
  const older = new Set(manifest.migrations.map((m) => m.name));
  const inBase = (n: GraphNode) =>
    older.has(n.name) || (n.replaces.length > 0 && n.replaces.every((r) => older.has(r)));
  const base = nodes.filter(inBase);
  const known = new Set([...base.map((n) => n.name), ...base.flatMap((n) => n.replaces)]);
  const missing = manifest.migrations.filter((m) => !known.has(m.name)).map((m) => m.name);
  if (missing.length > 0)
    throw new UsageError(
      `the previous release ${manifest.release} has migrations this code does not: ${missing.join(', ')}`,
      { hint: 'the previous release must be a prefix of this one; check the manage command and --since' },
    );
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const notes = manifest.migrations
    .filter((m) => byName.has(m.name) && byName.get(m.name)!.checksum !== m.checksum)
    .map((m) => `${m.name}: the migration file changed since release ${manifest.release} (checksum differs)`);
  const resolved: ResolvedSince = {
    release: manifest.release,
    source: 'manifest',
    migrations: manifest.migrations.map((m) => ({ name: m.name, checksum: m.checksum })),
    notes,
  };
  return { since: resolved, base };
}

/** Each app's last migration among `applied`, in plan order: the targets that hold exactly them. */
function targetsHolding(
  nodes: readonly GraphNode[],
  applied: ReadonlySet<string>,
  apps: Iterable<string>,
): Target[] {
  return [...new Set(apps)].sort().map((app): Target => {
    const last = nodes.filter((n) => appOf(n.name) === app && applied.has(n.name)).at(-1);
    return [app, last ? migrationOf(last.name) : null];
  });
}

function stepError(step: StepError['step'], answer: SessionAnswer): StepError {
  return { step, message: answer.error ?? 'the Django step failed' };
}

export async function rehearseDjango(options: DjangoRehearseOptions): Promise<RehearsalReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const log = options.log ?? (() => {});
  const run = {
    manageCommand: options.manageCommand,
    env: options.env,
    cwd: options.cwd,
    log,
    secrets: options.secrets,
  };
  const graph = await runProgram({ op: 'graph' }, run);
  if (!graph.ok || !graph.graph)
    throw new MigrationFailedError('graph', `Django could not load its migrations: ${graph.error}`);
  const nodes = graph.graph.nodes;
  const { since, base } = resolveDjangoSince(options.since, options.cwd, nodes);
  const baseNames = new Set(base.map((n) => n.name));
  const fresh = nodes.filter((n) => !baseNames.has(n.name));
  const columnOrder = options.columnOrder ?? false;

  const scratch = options.databaseUrl
    ? await scratchOnServer(options.databaseUrl)
    : await scratchEmbedded(log);
  const results: MigrationRehearsal[] = [];
  let releaseRevert: ReleaseRevert = { outcome: 'skipped', reverted: [], differences: [] };
  let serverVersion = 'unknown';
  const client = new pg.Client({ connectionString: scratch.url, application_name: 'stepback rehearse' });
  let session: DjangoSession | undefined;
  try {
    await client.connect();
    serverVersion =
      (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ??
      serverVersion;
    session = await openSession(sessionDatabase(scratch.url), run);
    const django = session;
    const fingerprint = (): Promise<SchemaFingerprint> => fingerprintSchema(client, { prepared: true });
    const differences = (a: SchemaFingerprint, b: SchemaFingerprint) =>
      diffSchemas(a, b, { columnOrder }).map((d) => d.message);
    log(
      `rehearsing ${fresh.length} Django migration(s) in scratch database ${scratch.name} (PostgreSQL ${serverVersion})`,
    );

    const applied = new Set<string>();
    const appliedTargets = (apps: Iterable<string>) => targetsHolding(nodes, applied, apps);
    if (base.length > 0) {
      for (const n of base) applied.add(n.name);
      const answer = await django.migrate(appliedTargets(base.map((n) => appOf(n.name))));
      if (!answer.ok)
        throw new MigrationFailedError(
          answer.failed ?? 'previous release',
          `the previous release's migrations failed on the scratch database: ${answer.error}`,
        );
    }
    const baseFingerprint = await fingerprint();
    // After a down that left the schema wrong: empty the database, migrate to what is applied again.
    const rebuild = async (after: string) => {
      log(`rebuilding the scratch database after ${after}`);
      await client.query(RESET_SCHEMAS_SQL);
      const answer = await django.migrate(appliedTargets(nodes.map((n) => appOf(n.name))));
      if (!answer.ok)
        throw new MigrationFailedError(after, `rebuilding the scratch database failed: ${answer.error}`);
    };

    let stopped = false;
    for (const m of fresh) {
      const result: MigrationRehearsal = {
        name: m.name,
        outcome: 'ok',
        reversible: m.irreversible.length === 0,
        differences: [],
        dataDifferences: [],
      };
      results.push(result);
      if (stopped) {
        result.outcome = 'not-run';
        continue;
      }
      const app = appOf(m.name);
      const forward: Target[] = [[app, migrationOf(m.name)]];
      const before = result.reversible ? await fingerprint() : null;
      const up = await django.migrate(forward);
      if (!up.ok) {
        Object.assign(result, { outcome: 'up-failed', error: stepError('up', up) });
        stopped = true;
        log(`${m.name}: up-failed — ${up.error}`);
        continue;
      }
      applied.add(m.name);
      if (!before) {
        Object.assign(result, {
          outcome: 'irreversible',
          note: `irreversible operation(s): ${m.irreversible.join(', ')}`,
        });
        log(`${m.name}: irreversible`);
        continue;
      }
      applied.delete(m.name);
      const down = await django.migrate(appliedTargets([app]));
      if (!down.ok) {
        Object.assign(result, { outcome: 'down-failed', error: stepError('down', down) });
        applied.add(m.name);
        log(`${m.name}: down-failed — ${down.error}`);
        // An atomic migration's failed backwards run rolled back: the database is as after the up.
        if (!m.atomic) {
          result.note = 'the migration is not atomic; the database was rebuilt';
          await rebuild(m.name);
        }
        continue;
      }
      result.differences = differences(before, await fingerprint());
      if (result.differences.length > 0) result.outcome = 'not-restored';
      const again = await django.migrate(forward);
      applied.add(m.name);
      if (!again.ok) {
        if (result.outcome === 'ok') result.outcome = 'reapply-failed';
        result.error = stepError('up again', again);
      }
      log(
        `${m.name}: ${result.outcome}${result.differences.length ? ` — ${result.differences.join('; ')}` : ''}`,
      );
      if (result.outcome !== 'ok') await rebuild(m.name);
    }

    const irreversible = fresh.filter((n) => n.irreversible.length > 0).map((n) => n.name);
    if (stopped)
      releaseRevert = { outcome: 'skipped', reverted: [], differences: [], reason: 'an up failed' };
    else if (fresh.length === 0)
      releaseRevert = { outcome: 'skipped', reverted: [], differences: [], reason: 'no new migrations' };
    else if (irreversible.length > 0)
      releaseRevert = {
        outcome: 'skipped',
        reverted: [],
        differences: [],
        reason: `the release cannot be reverted: irreversible ${irreversible.join(', ')}`,
      };
    else {
      for (const n of fresh) applied.delete(n.name);
      const answer = await django.migrate(appliedTargets(fresh.map((n) => appOf(n.name))));
      const reverted = answer.done.map((d) => d.name);
      if (!answer.ok)
        releaseRevert = {
          outcome: 'down-failed',
          reverted,
          ...(answer.failed ? { failed: answer.failed } : {}),
          error: stepError('down', answer),
          differences: [],
        };
      else {
        const diff = differences(baseFingerprint, await fingerprint());
        releaseRevert = { outcome: diff.length === 0 ? 'ok' : 'not-restored', reverted, differences: diff };
      }
      log(`whole release revert: ${releaseRevert.outcome}`);
    }
  } finally {
    await session?.close().catch(() => {});
    await client.end().catch(() => {});
    await scratch
      .close()
      .catch((error: unknown) =>
        log(`warning: could not drop the scratch database: ${(error as Error).message}`),
      );
  }
  return buildReport({
    release: options.release ?? null,
    since,
    serverVersion,
    kind: scratch.kind,
    database: scratch.name,
    results,
    releaseRevert,
    requireReversible: options.requireReversible ?? false,
    notes: since.notes,
    durationMs: Math.round(now() - started),
  });
}
