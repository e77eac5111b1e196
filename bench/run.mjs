#!/usr/bin/env node
/**
 * `npm run bench`: measures stepback's own cost against the floor and the tools users would pick instead, and
 * writes bench/results.md and bench/results.json. A script, not a test: it never asserts a timing. A piece that
 * has not landed yet (or fails) is reported as "not measured yet (reason)" and the rest still runs.
 *
 *   node bench/run.mjs [--quick] [--rounds N] [--count N] [--only migrate,planner,bundles,taskstop,adopt,exe]
 *                      [--budget SECONDS] [--no-build] [--out DIR]
 *
 * Defaults: 1,000 migrations, 12 rounds (3 with --quick; medians on a shared VM need that many, and 12 puts
 * each of the six migrate tools in every place of the rotating order twice), but the migrate section starts
 * no new round after --budget seconds (420; 120 with --quick) once 3 are done, so a loaded machine still
 * finishes in minutes.
 *
 * Needs PostgreSQL at STEPBACK_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, a role
 * that may create databases) and `psql` on PATH. Everything it creates (databases named `sbbench_<pid>_…`, one
 * temp directory) is removed at the end, also after a failure or Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateMigrations, writeMigrationSets } from './lib/generate.mjs';
import { dropAll, dropStale, serverSettings, serverVersion } from './lib/pg.mjs';
import { renderMarkdown } from './lib/report.mjs';
import { benchAdopt } from './sections/adopt.mjs';
import { benchBundles, node24Path } from './sections/bundles.mjs';
import { benchExe } from './sections/exe.mjs';
import { benchMigrate, probeCli } from './sections/migrate.mjs';
import { benchPlanner } from './sections/planner.mjs';
import { benchTaskStop } from './sections/taskstop.mjs';

const root = join(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    count: { type: 'string', default: '1000' },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    budget: { type: 'string' },
    out: { type: 'string', default: join(root, 'bench') },
  },
});
const rounds = Number(flags.rounds ?? (flags.quick ? 3 : 12));
const count = Number(flags.count);
// Seconds the migrate section may take before it stops starting new rounds (it always completes 3).
const budget = Number(flags.budget ?? (flags.quick ? 120 : 420));
const only = flags.only ? new Set(flags.only.split(',')) : undefined;
const wanted = (name) => !only || only.has(name);
const log = (msg) => console.error(msg);

const tmp = mkdtempSync(join(os.tmpdir(), 'stepback-bench-'));
let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  await dropAll();
  rmSync(tmp, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`\n${signal}: cleaning up`);
    setTimeout(() => process.exit(130), 15_000).unref();
    cleanup().finally(() => process.exit(130));
  });
}

function versionOf(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}

async function machine() {
  const cpus = os.cpus();
  const n24 = node24Path();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    node24: n24 ? versionOf(n24, ['--version']) : 'not installed',
    postgres: await serverVersion(),
    postgresSettings: await serverSettings(),
    psql: versionOf('psql', ['--version']),
  };
}

/** Runs one section; a failure becomes a "not measured" entry instead of ending the run. */
async function section(name, fn) {
  if (!wanted(name)) return { skipped: true };
  log(`\n== ${name}`);
  const start = Date.now();
  const loadBefore = os.loadavg()[0];
  let result;
  try {
    result = await fn();
    log(`== ${name} done in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  } catch (error) {
    log(`== ${name} failed: ${error.stack ?? error}`);
    result = { notMeasured: `the harness failed: ${error.message}` };
  }
  // Other work on the machine skews every timing: record the 1-minute load average around each section.
  result.load = { before: Number(loadBefore.toFixed(1)), after: Number(os.loadavg()[0].toFixed(1)) };
  result.seconds = Math.round((Date.now() - start) / 1000);
  return result;
}

async function buildCli() {
  if (flags['no-build']) return undefined;
  try {
    const { buildCli: build } = await import('../scripts/build.mjs');
    await build();
    return undefined;
  } catch (error) {
    return `building dist/cli.js failed: ${error.message.split('\n')[0]}`;
  }
}

const started = new Date();
let exitCode = 0;
try {
  await dropStale();
  const results = {
    startedAt: started.toISOString(),
    flags: { quick: flags.quick, rounds, count, only: flags.only ?? null },
    machine: await machine(),
  };
  log(`machine: ${JSON.stringify(results.machine)}`);

  const cliPath = join(root, 'dist/cli.js');
  let cli = { available: false, reason: 'not probed', path: cliPath };
  if (wanted('migrate') || wanted('taskstop') || wanted('adopt')) {
    const buildError = await buildCli();
    cli = buildError ? { available: false, reason: buildError, path: cliPath } : await probeCli(cliPath);
    log(`stepback CLI: ${cli.available ? cliPath : cli.reason}`);
  }

  results.migrate = await section('migrate', async () => {
    const paths = writeMigrationSets(join(tmp, 'migrations'), generateMigrations(count));
    return benchMigrate({
      paths,
      count,
      rounds,
      minRounds: Math.min(3, rounds),
      budgetMs: budget * 1000,
      cli,
      log,
    });
  });
  results.planner = await section('planner', () => benchPlanner({ tmp, quick: flags.quick, log }));
  results.bundles = await section('bundles', () => benchBundles({ tmp, runs: flags.quick ? 10 : 15, log }));
  results.taskStop = await section('taskstop', () =>
    benchTaskStop({ tmp, runs: flags.quick ? 3 : 5, cli, log }),
  );
  results.adopt = await section('adopt', () =>
    benchAdopt({ tmp, count, runs: flags.quick ? 3 : 5, cli, log }),
  );
  results.exe = await section('exe', () => benchExe({ tmp, runs: flags.quick ? 5 : 10, log }));
  results.finishedAt = new Date().toISOString();
  // With --only, the sections not run keep their numbers from the previous results.json (marked as such).
  const previousFile = join(flags.out, 'results.json');
  if (only && existsSync(previousFile)) {
    const previous = JSON.parse(readFileSync(previousFile, 'utf8'));
    for (const key of ['migrate', 'planner', 'bundles', 'taskStop', 'adopt', 'exe']) {
      if (results[key]?.skipped && previous[key] && !previous[key].skipped) {
        results[key] = {
          ...previous[key],
          fromEarlierRun: previous[key].fromEarlierRun ?? previous.finishedAt,
        };
      }
    }
  }

  writeFileSync(join(flags.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(flags.out, 'results.md'), renderMarkdown(results));
  log(
    `\nwrote ${join(flags.out, 'results.md')} and results.json in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
} catch (error) {
  log(`bench failed: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
