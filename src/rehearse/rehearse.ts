/**
 * The rollback rehearsal: prove every down works before the release ships.
 *
 * In one scratch database: bring it to the previous release (the `since` migrations, or nothing), then for
 * each migration new in this release: fingerprint, up, down, compare, up again. Finally revert the whole
 * release at once, newest first, and compare with the previous release's fingerprint.
 *
 * Steps run through the runner's own step executor (src/migrate/execute.ts), state rows included, so a
 * rehearsed down fails exactly where `stepback down` would. After a down that left the schema or data
 * wrong, the database is rebuilt (dropped, created, ups replayed) so later results are not polluted by it.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { MigrationFailedError } from '../core/errors.ts';
import { passwordOf, redactSecrets } from '../core/redact.ts';
import { diffSchemas, type SchemaFingerprint } from '../core/schema-diff.ts';
import { runStep, type StepSession, sqlOffset } from '../migrate/execute.ts';
import { loadMigrations } from '../migrate/sources.ts';
import { ensureStateSql, stateNames } from '../migrate/state.ts';
import type { MigrationSource } from '../migrate/types.ts';
import { RUNNER_VERSION } from '../migrate/version.ts';
import { fingerprintSchema } from '../schema/fingerprint.ts';
import {
  DEFAULT_CACHE_FILE,
  type RehearsalCache,
  readCache,
  rehearsedBefore,
  updateCache,
  writeCache,
} from './cache.ts';
import { describeStepError, toStepError } from './errors.ts';
import {
  type DataSnapshot,
  diffRows,
  type FixtureRef,
  findFixture,
  readFixture,
  snapshotRows,
} from './fixtures.ts';
import { buildReport } from './report.ts';
import { RESET_SCHEMAS_SQL, type ScratchServer, scratchEmbedded, scratchOnServer } from './scratch.ts';
import { resolveSince, type SinceInput } from './since.ts';
import type {
  MigrationOutcome,
  MigrationRehearsal,
  RehearsalReport,
  ReleaseRevert,
  StepError,
} from './types.ts';

export interface RehearseOptions {
  /** The migrations directory. */
  dir: string;
  /**
   * The previous release: a manifest (object or path to its JSON file) or the name of a release an
   * earlier rehearsal recorded in the cache. Unset: the previous state is an empty database.
   */
  since?: SinceInput;
  /**
   * A PostgreSQL server URL on which a scratch database is created (and dropped afterwards). Unset: an
   * embedded PostgreSQL is started.
   */
  databaseUrl?: string;
  /** This release's name, for the report and the cache. */
  release?: string;
  /** Irreversible migrations fail the rehearsal (exit 3). */
  requireReversible?: boolean;
  /** Rehearse every new migration, even those the cache says were rehearsed with the same checksums. */
  all?: boolean;
  /** The cache file (default `.stepback/rehearsed.json`, relative to `cwd`); false: neither read nor written. */
  cacheFile?: string | false;
  cwd?: string;
  /** Compare column positions too (default: column order ignored). */
  columnOrder?: boolean;
  log?: (line: string) => void;
  /** Milliseconds clock, for the report's duration. */
  now?: () => number;
}

/** What a fixture's rows are wrapped in, before its text. */
const FIXTURE_PREFIX = 'BEGIN;\n';

/** One connection to the scratch database, and the way back to a clean state. */
class ScratchSession {
  client!: pg.Client;
  readonly names = stateNames('public');
  private readonly fixtures = new Map<string, string>();

  constructor(
    private readonly scratch: ScratchServer,
    private readonly dir: string,
    private readonly release: string | null,
    private readonly log: (line: string) => void,
    private readonly redact: (text: string) => string,
  ) {}

  async connect(): Promise<void> {
    this.client = new pg.Client({
      connectionString: this.scratch.url,
      application_name: 'stepback rehearse',
    });
    await this.client.connect();
    // A scratch database needs no durability: not waiting for each commit's WAL flush roughly halves a step.
    await this.client.query('set synchronous_commit to off');
    await this.client.query(ensureStateSql(this.names));
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
  }

  private session(): StepSession {
    return {
      client: this.client,
      names: this.names,
      who: { release: this.release, runId: null, actor: 'stepback rehearse', runnerVersion: RUNNER_VERSION },
      log: this.log,
    };
  }

  /**
   * One migration step. A step that fails is the rehearsal's answer, not an error: it comes back as its
   * StepError (rolled back where the step ran in a transaction), for the caller to record.
   */
  async step(
    m: MigrationSource,
    direction: 'up' | 'down',
    label: StepError['step'] = direction,
  ): Promise<StepError | undefined> {
    try {
      await runStep(this.session(), m, direction, 'own');
      return undefined;
    } catch (error) {
      const sql = m.layout === 'module' ? null : direction === 'up' ? m.upSql : m.downSql;
      return toStepError(error, {
        step: label,
        sql,
        path: direction === 'up' ? m.upPath : m.downPath,
        offset: sqlOffset(m, direction, 'own'),
        dir: this.dir,
        redact: this.redact,
      });
    }
  }

  /** The fixture rows for `m`, in one transaction; a fixture that fails comes back as its StepError. */
  async loadFixture(m: MigrationSource, ref: FixtureRef): Promise<StepError | undefined> {
    const sql = readFixture(ref);
    try {
      await this.client.query(`${FIXTURE_PREFIX}${sql}\n;\nCOMMIT`);
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {});
      return toStepError(error, {
        step: 'fixture',
        sql,
        path: ref.path,
        offset: FIXTURE_PREFIX.length,
        dir: this.dir,
        redact: this.redact,
      });
    }
    this.fixtures.set(m.name, sql);
    return undefined;
  }

  /**
   * Back to an empty database, then replay `ups` (with the fixture rows loaded the first time). Dropping
   * every user schema is much faster than dropping the database (which forces a checkpoint); the database
   * is recreated only when that fails.
   */
  async rebuild(ups: readonly MigrationSource[]): Promise<void> {
    try {
      await this.client.query(RESET_SCHEMAS_SQL);
      await this.client.query(ensureStateSql(this.names));
    } catch {
      await this.close();
      await this.scratch.recreate();
      await this.connect();
    }
    for (const m of ups) {
      const rows = this.fixtures.get(m.name);
      if (rows !== undefined) await this.client.query(`BEGIN;\n${rows}\n;\nCOMMIT`);
      // These ups all ran before on this database's twin: one failing now is not the migration's verdict.
      const failed = await this.step(m, 'up');
      if (failed) throw new Error(failed.message);
    }
  }

  fingerprint(): Promise<SchemaFingerprint> {
    return fingerprintSchema(this.client, { stateSchema: this.names.schema, prepared: true });
  }

  snapshot(): Promise<DataSnapshot> {
    return snapshotRows(this.client);
  }
}

/** Rehearse the release's migrations in a scratch database; never throws for a broken migration. */
export async function rehearse(options: RehearseOptions): Promise<RehearsalReport> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const log = options.log ?? (() => {});
  const dir = resolve(options.cwd ?? process.cwd(), options.dir);
  const secret = passwordOf(options.databaseUrl);
  const redact = (text: string) => redactSecrets(text, [secret]);
  const cachePath =
    options.cacheFile === false
      ? null
      : resolve(options.cwd ?? process.cwd(), options.cacheFile ?? DEFAULT_CACHE_FILE);
  const cache: RehearsalCache | null = cachePath ? readCache(cachePath) : null;

  const sources = await loadMigrations(dir);
  const since = resolveSince(options.since, sources, cache, options.cwd ?? process.cwd());
  const baseNames = new Set(since.migrations.map((m) => m.name));
  const base = sources.filter((s) => baseNames.has(s.name));
  const fresh = sources.filter((s) => !baseNames.has(s.name));
  const notes = [...since.notes];

  const scratch = options.databaseUrl
    ? await scratchOnServer(options.databaseUrl)
    : await scratchEmbedded(log);
  const session = new ScratchSession(scratch, dir, options.release ?? null, log, redact);
  const results: MigrationRehearsal[] = [];
  let releaseRevert: ReleaseRevert = { outcome: 'skipped', reverted: [], differences: [] };
  let serverVersion = 'unknown';
  try {
    await session.connect();
    serverVersion =
      (await session.client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]
        ?.v ?? 'unknown';
    log(
      `rehearsing ${fresh.length} migration(s) in scratch database ${scratch.name} (PostgreSQL ${serverVersion})`,
    );
    for (const m of base) {
      const failed = await session.step(m, 'up');
      if (failed)
        throw new MigrationFailedError(
          m.name,
          `the previous release's migration ${m.name} failed on the scratch database: ${describeStepError(failed)}`,
        );
    }
    const baseFingerprint = await session.fingerprint();

    const applied: MigrationSource[] = [...base];
    let stopped = false;
    for (const m of fresh) {
      if (stopped) {
        results.push({
          name: m.name,
          outcome: 'not-run',
          reversible: m.reversible,
          differences: [],
          dataDifferences: [],
        });
        continue;
      }
      const result = await rehearseOne(session, m, {
        dir,
        skip: options.all || !cache ? null : rehearsedBefore(cache, m),
        columnOrder: options.columnOrder ?? false,
      });
      results.push(result);
      log(`${m.name}: ${result.outcome}${result.error ? ` — ${describeStepError(result.error)}` : ''}`);
      if (result.outcome === 'up-failed') {
        stopped = true;
        continue;
      }
      applied.push(m);
      const cleanDownFailure = result.outcome === 'down-failed' && m.downTransactional;
      if (
        !cleanDownFailure &&
        !['ok', 'irreversible', 'skipped', 'fixture-failed'].includes(result.outcome)
      ) {
        // The down left the database in a state no clean deploy has: start over from the ups.
        log(`rebuilding the scratch database after ${m.name}`);
        await session.rebuild(applied);
      }
    }

    if (stopped) {
      releaseRevert = { outcome: 'skipped', reverted: [], differences: [], reason: 'an up failed' };
    } else if (fresh.length === 0) {
      releaseRevert = { outcome: 'skipped', reverted: [], differences: [], reason: 'no new migrations' };
    } else {
      releaseRevert = await revertRelease(session, fresh, baseFingerprint, options.columnOrder ?? false);
      log(
        `whole release revert: ${releaseRevert.outcome}${releaseRevert.reason ? ` (${releaseRevert.reason})` : ''}`,
      );
    }
  } finally {
    await session.close();
    await scratch
      .close()
      .catch((error: unknown) =>
        log(`warning: could not drop the scratch database: ${(error as Error).message}`),
      );
  }

  const report = buildReport({
    release: options.release ?? null,
    since,
    serverVersion,
    kind: scratch.kind,
    database: scratch.name,
    results,
    releaseRevert,
    requireReversible: options.requireReversible ?? false,
    notes,
    durationMs: Math.round(now() - started),
  });
  if (cache && cachePath) {
    updateCache(cache, sources, results, report, options.release ?? null);
    writeCache(cachePath, cache);
    log(`rehearsal cache written to ${cachePath} (--no-cache to skip it)`);
  }
  return report;
}

interface OneOptions {
  dir: string;
  skip: { release: string | null } | null;
  columnOrder: boolean;
}

async function rehearseOne(
  session: ScratchSession,
  m: MigrationSource,
  o: OneOptions,
): Promise<MigrationRehearsal> {
  const result: MigrationRehearsal = {
    name: m.name,
    outcome: 'ok',
    reversible: m.reversible,
    differences: [],
    dataDifferences: [],
  };
  const upOnly = async (outcome: MigrationOutcome): Promise<MigrationRehearsal> => {
    const failed = await session.step(m, 'up');
    result.outcome = failed ? 'up-failed' : outcome;
    if (failed) result.error = failed;
    return result;
  };
  if (o.skip) {
    result.note = `rehearsed before${o.skip.release ? ` (release ${o.skip.release})` : ''} with the same checksums`;
    return upOnly('skipped');
  }
  if (!m.reversible) {
    result.note = 'no down step';
    return upOnly('irreversible');
  }

  const fixture = findFixture(o.dir, m);
  let rowsBefore: DataSnapshot | null = null;
  // A fixture that does not load is reported, and the migration is only applied (nothing to compare with).
  if (fixture && 'error' in fixture) {
    result.error = { step: 'fixture', message: fixture.error };
    return upOnly('fixture-failed');
  }
  if (fixture) {
    result.fixture = fixture.display;
    const failed = await session.loadFixture(m, fixture);
    if (failed) {
      result.error = failed;
      return upOnly('fixture-failed');
    }
    rowsBefore = await session.snapshot();
  }
  const before = await session.fingerprint();
  const upFailed = await session.step(m, 'up');
  if (upFailed) {
    result.outcome = 'up-failed';
    result.error = upFailed;
    return result;
  }
  const downFailed = await session.step(m, 'down');
  if (downFailed) {
    result.outcome = 'down-failed';
    result.error = downFailed;
    // A transactional down rolled back: the database is as after the up, ready for the next migration.
    if (!m.downTransactional) result.note = 'the down ran outside a transaction; the database was rebuilt';
    return result;
  }
  const after = await session.fingerprint();
  result.differences = diffSchemas(before, after, { columnOrder: o.columnOrder }).map((d) => d.message);
  if (rowsBefore) result.dataDifferences = diffRows(rowsBefore, await session.snapshot());
  if (result.differences.length > 0) result.outcome = 'not-restored';
  else if (result.dataDifferences.length > 0) result.outcome = 'data-changed';
  const reapplyFailed = await session.step(m, 'up', 'up again');
  if (reapplyFailed) {
    if (result.outcome === 'ok') result.outcome = 'reapply-failed';
    result.error = reapplyFailed;
  }
  return result;
}

async function revertRelease(
  session: ScratchSession,
  fresh: readonly MigrationSource[],
  baseFingerprint: SchemaFingerprint,
  columnOrder: boolean,
): Promise<ReleaseRevert> {
  const irreversible = fresh.filter((m) => !m.reversible).map((m) => m.name);
  if (irreversible.length > 0) {
    return {
      outcome: 'skipped',
      reverted: [],
      differences: [],
      reason: `the release cannot be reverted: irreversible ${irreversible.join(', ')}`,
    };
  }
  const reverted: string[] = [];
  for (const m of [...fresh].reverse()) {
    const failed = await session.step(m, 'down');
    if (failed) return { outcome: 'down-failed', reverted, failed: m.name, error: failed, differences: [] };
    reverted.push(m.name);
  }
  const differences = diffSchemas(baseFingerprint, await session.fingerprint(), { columnOrder }).map(
    (d) => d.message,
  );
  return { outcome: differences.length === 0 ? 'ok' : 'not-restored', reverted, differences };
}
