/**
 * Applying and reverting N generated migrations with four tools, on a fresh database per run:
 *   floor           the faster (per direction) of two psql runs: one process doing `BEGIN; \i <file>; COMMIT;`
 *                   per migration (ON_ERROR_STOP), and one sending each migration as a single query
 *   psql-async      a reference row, not the floor: the single-query run with synchronous_commit=off
 *   stepback        the bundled CLI as users run it: `node dist/cli.js up` / `down --to 0`
 *   node-pg-migrate 9, its SQL migration format, one transaction per migration (`--no-single-transaction`)
 *   umzug           plain umzug 3.8.3 with a table-of-names storage (bench/tools/umzug-plain.mjs)
 * Each round runs every tool once (interleaved, so machine noise spreads evenly): up (timed), up again with
 * nothing pending (timed: the fixed cost), fingerprint check, down (timed), check that everything is gone.
 * The order rotates by one tool each round: on this VM back-to-back applies slow down run after run (the disk
 * recovers after some idle seconds; CPU-bound runs do not drift), so a fixed order would always hand the
 * same tools the slower places.
 * One extra untimed pass per tool goes through a counting proxy to count round trips.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { adminUrl, createDatabase, fingerprint } from '../lib/pg.mjs';
import { startCountingProxy } from '../lib/pgproxy.mjs';
import { childEnv, run, summarize, tail } from '../lib/util.mjs';

const root = join(import.meta.dirname, '../..');

/** One psql process per direction, running a whole script (the no-op run: an empty one). */
const psqlScripts = (url, up, down) => ({
  up: ['psql', ['-X', '-q', '-d', url, '-f', up]],
  noop: ['psql', ['-X', '-q', '-d', url, '-f', '/dev/null']],
  down: ['psql', ['-X', '-q', '-d', url, '-f', down]],
});

function tools(paths, count, cli) {
  const node = process.execPath;
  const npmBin = join(root, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js');
  const npmArgs = (p) => ['-m', p.npmDir, '--no-single-transaction', '--no-verbose'];
  const umzug = join(root, 'bench/tools/umzug-plain.mjs');
  return [
    {
      id: 'psql',
      label: 'psql, file per transaction',
      how: 'one `psql -X -q` process running `BEGIN; \\i file; COMMIT;` per migration with `ON_ERROR_STOP` (psql sends each statement on its own); no state table',
      commands: (url, p = paths) => psqlScripts(url, p.psqlUp, p.psqlDown),
    },
    {
      id: 'psql-1q',
      label: 'psql, one query per migration',
      how: 'one `psql -X -q` process sending each migration as ONE query, `BEGIN \\; <statements> \\; COMMIT;` (psql joins statements split by `\\;`): one round trip per migration; no state table',
      commands: (url, p = paths) => psqlScripts(url, p.psqlUp1q, p.psqlDown1q),
    },
    {
      id: 'psql-async',
      label: 'psql, one query per migration, no flush wait (reference)',
      how: 'as the row above with `PGOPTIONS=-c synchronous_commit=off`: every commit returns before its WAL is flushed, and nothing flushes at the end. A reference, not the floor: it shows what skipping the flush wait alone is worth (stepback skips it for every migration but the run’s last, whose flush makes all of them durable before it reports success)',
      reference: true,
      commands: (url, p = paths) => ({
        env: { PGOPTIONS: '-c synchronous_commit=off' },
        ...psqlScripts(url, p.psqlUp1q, p.psqlDown1q),
      }),
    },
    {
      id: 'stepback',
      label: 'stepback',
      how: '`node dist/cli.js up --dir sql/` and `down --to 0` (the bundled CLI, as users run it). Each migration in its own transaction with its state row and event, several migrations per message (1, 2, 4, … up to 64 while messages return within 250 ms), state statements prepared once per run, commits without waiting for the WAL flush except the run’s last (src/migrate/batch.ts)',
      available: cli.available,
      commands: (url, p = paths) => ({
        env: { DATABASE_URL: url },
        up: [node, [cli.path, 'up', '--dir', p.sqlDir]],
        noop: [node, [cli.path, 'up', '--dir', p.sqlDir]],
        down: [node, [cli.path, 'down', '--to', '0', '--dir', p.sqlDir]],
      }),
    },
    {
      id: 'node-pg-migrate',
      label: 'node-pg-migrate 9.0.0',
      how: '`node-pg-migrate up` / `down N` with `--no-single-transaction --no-verbose`, its `-- Up/Down Migration` SQL files',
      commands: (url, p = paths, n = count) => ({
        env: { DATABASE_URL: url },
        up: [node, [npmBin, 'up', ...npmArgs(p)]],
        noop: [node, [npmBin, 'up', ...npmArgs(p)]],
        down: [node, [npmBin, 'down', String(n), ...npmArgs(p)]],
      }),
    },
    {
      id: 'umzug',
      label: 'umzug 3.8.3 (plain)',
      how: '`bench/tools/umzug-plain.mjs`: umzug + one pg.Client, table-of-names storage, BEGIN/COMMIT per migration',
      commands: (url, p = paths) => ({
        env: { DATABASE_URL: url },
        up: [node, [umzug, 'up', p.sqlDir]],
        noop: [node, [umzug, 'up', p.sqlDir]],
        down: [node, [umzug, 'down', p.sqlDir]],
      }),
    },
  ];
}

/**
 * The ratio round by round (a tool's time over the floor's in the same round): median, min, max. How far the
 * machine's noise moves one round's ratio, beside the ratio of the medians that the goals use.
 */
function roundRatios(times, floorTimes) {
  const r = times
    .slice(0, floorTimes.length)
    .map((t, i) => t / floorTimes[i])
    .sort((a, b) => a - b);
  const mid = r.length >> 1;
  const median = r.length % 2 ? r[mid] : (r[mid - 1] + r[mid]) / 2;
  return { median, min: r[0], max: r.at(-1), rounds: r.length };
}

async function step(cmds, which) {
  const [cmd, args] = cmds[which];
  const r = await run(cmd, args, { env: childEnv(cmds.env ?? {}), cpu: true });
  if (r.code !== 0) {
    throw new Error(`${which} exited ${r.code ?? r.signal}: ${tail(r.stderr || r.stdout, 3)}`);
  }
  return r;
}

/**
 * Checks that the stepback CLI at `path` is a real build (the placeholder prints "not built yet").
 * @returns {Promise<{ available: boolean, reason?: string, path: string }>}
 */
export async function probeCli(path) {
  if (!existsSync(path)) return { available: false, reason: `${path} does not exist`, path };
  const r = await run(process.execPath, [path, '--help']);
  const text = r.stdout + r.stderr;
  if (r.code !== 0 || !/\bup\b/.test(text) || !/\bdown\b/.test(text)) {
    return {
      available: false,
      reason: `\`dist/cli.js --help\` says: ${tail(text, 2) || `exit ${r.code}`}`,
      path,
    };
  }
  return { available: true, path };
}

export async function benchMigrate({
  paths,
  count,
  rtPaths = paths,
  rtCount = count,
  rounds,
  minRounds = rounds,
  budgetMs = Infinity,
  cli,
  log,
}) {
  const started = Date.now();
  const all = tools(paths, count, cli);
  const results = Object.fromEntries(
    all.map((t) => [
      t.id,
      {
        label: t.label,
        how: t.how,
        up: [],
        noop: [],
        down: [],
        cpu: { up: [], noop: [], down: [] },
        errors: [],
      },
    ]),
  );
  for (const t of all) {
    if (t.available === false) results[t.id].notMeasured = cli.reason;
  }
  let expected;
  let roundsRun = 0;
  for (let round = 1; round <= rounds; round++) {
    if (round > minRounds && Date.now() - started > budgetMs) {
      log(`  time budget used up after ${round - 1} rounds`);
      break;
    }
    roundsRun = round;
    const shift = (round - 1) % all.length;
    for (const t of [...all.slice(shift), ...all.slice(0, shift)]) {
      const res = results[t.id];
      if (res.notMeasured || res.errors.length) continue;
      const db = await createDatabase(t.id);
      try {
        const cmds = t.commands(db.url);
        const up = await step(cmds, 'up');
        const fp = await fingerprint(db.url);
        if (t.id.startsWith('psql')) expected ??= fp;
        if (expected && fp !== expected) {
          throw new Error(`after up the schema differs from psql's: ${fp} vs ${expected}`);
        }
        const noop = await step(cmds, 'noop');
        const down = await step(cmds, 'down');
        const after = await fingerprint(db.url);
        if (!after.startsWith('0 tables, 0 columns, 0 indexes'))
          throw new Error(`after down, left: ${after}`);
        for (const [which, r] of Object.entries({ up, noop, down })) {
          res[which].push(r.ms);
          if (r.cpuMs !== undefined) res.cpu[which].push(r.cpuMs);
        }
        res.fingerprint = fp;
        log(
          `  round ${round} ${t.id}: up ${up.ms.toFixed(0)} ms, no-op ${noop.ms.toFixed(0)} ms, down ${down.ms.toFixed(0)} ms`,
        );
      } catch (error) {
        res.errors.push(error.message);
        log(`  ${t.id} failed: ${error.message}`);
      } finally {
        await db.drop();
      }
    }
  }

  // Round trips, through the counting proxy (untimed).
  const server = new URL(adminUrl);
  const proxy = await startCountingProxy({ host: server.hostname, port: Number(server.port || 5432) });
  try {
    for (const t of all) {
      const res = results[t.id];
      if (res.notMeasured || res.up.length === 0) continue;
      const db = await createDatabase(`${t.id}_rt`);
      try {
        const viaProxy = new URL(db.url);
        viaProxy.hostname = '127.0.0.1';
        viaProxy.port = String(proxy.port);
        const cmds = t.commands(viaProxy.toString(), rtPaths, rtCount);
        res.roundTrips = {};
        for (const which of ['up', 'noop', 'down']) {
          proxy.reset();
          const r = await step(cmds, which);
          res.roundTrips[which] = { ...proxy.counts, wallMs: r.ms };
        }
      } catch (error) {
        res.roundTripError = error.message;
      } finally {
        await db.drop();
      }
    }
  } finally {
    await proxy.close();
  }

  // The floor is the faster psql variant, per direction.
  const floors = [results.psql, results['psql-1q']].filter((f) => f.up.length > 0);
  if (floors.length === 0) return { notMeasured: `the psql floor failed: ${results.psql.errors[0]}` };
  rounds = roundsRun;
  const fastest = (key) =>
    floors.reduce((a, b) => (summarize(b[key]).median < summarize(a[key]).median ? b : a));
  const floorUpTool = fastest('up');
  const floorDownTool = fastest('down');
  const floorUp = summarize(floorUpTool.up).median;
  const floorDown = summarize(floorDownTool.down).median;
  const floorUpNoop = summarize(floorUpTool.noop).median;
  const floorDownNoop = summarize(floorDownTool.noop).median;
  for (const res of Object.values(results)) {
    if (res.notMeasured) continue;
    if (res.up.length === 0) {
      res.notMeasured = `failed: ${res.errors[0]}`;
      continue;
    }
    res.upStats = summarize(res.up);
    res.noopStats = summarize(res.noop);
    res.downStats = summarize(res.down);
    if (res.cpu.up.length) {
      res.cpuStats = {
        up: summarize(res.cpu.up),
        noop: summarize(res.cpu.noop),
        down: summarize(res.cpu.down),
      };
    }
    res.upRatio = res.upStats.median / floorUp;
    res.downRatio = res.downStats.median / floorDown;
    res.roundRatios = {
      up: roundRatios(res.up, floorUpTool.up),
      down: roundRatios(res.down, floorDownTool.down),
    };
    res.upOverheadPerMigrationMs = (res.upStats.median - floorUp) / count;
    res.downOverheadPerMigrationMs = (res.downStats.median - floorDown) / count;
    // Marginal: each side's fixed cost (process start, connect, reading state) taken out.
    res.upMarginalPerMigrationMs =
      (res.upStats.median - res.noopStats.median - (floorUp - floorUpNoop)) / count;
    res.downMarginalPerMigrationMs =
      (res.downStats.median - res.noopStats.median - (floorDown - floorDownNoop)) / count;
    if (res.roundTrips) {
      const rt = res.roundTrips;
      res.roundTripsPerMigration = {
        up: (rt.up.readyForQuery - rt.noop.readyForQuery) / rtCount,
        down: (rt.down.readyForQuery - rt.noop.readyForQuery) / rtCount,
      };
    }
  }
  return {
    count,
    rtCount,
    rounds,
    floor: { up: floorUpTool.label, down: floorDownTool.label },
    tools: results,
  };
}
