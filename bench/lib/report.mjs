/** Renders bench/results.json as bench/results.md: the machine, each measurement, and the goals met or not. */

const ms = (n, digits = 0) => (Number.isFinite(n) ? `${n.toFixed(digits)} ms` : '—');
const x = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const notYet = (what) => `not measured yet (${what})`;
const loadLine = (r) =>
  r?.load
    ? [
        ...(r.fromEarlierRun
          ? [`(From the earlier run finished ${r.fromEarlierRun}; this section was not re-run.)`, '']
          : []),
        `Load average (1 min) on the 2-core machine around this section: ${r.load.before} before, ${r.load.after} after (${r.seconds} s).`,
        '',
      ]
    : [];

function machineSection(m) {
  return [
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${m.cpu}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os} |`,
    `| Node (CLIs) | ${m.node} |`,
    `| Node (action bundles) | ${m.node24} |`,
    `| PostgreSQL | ${m.postgres} (${Object.entries(m.postgresSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}), loopback TCP |`,
    `| psql | ${m.psql} |`,
    '',
  ];
}

function migrateSection(r) {
  const out = ['## Applying and reverting generated migrations', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r));
  out.push(
    `${r.count} generated migrations (a deterministic mix: create table, add column, create index, insert rows,`,
    'backfill a column; every one with a down that exactly undoes it), applied then reverted, on a fresh database',
    `per run. Median of ${r.rounds} runs per tool, interleaved (every tool once per round, the order rotated by one each round). Wall time from spawn to`,
    'exit of the command, including process start and connecting. After every `up` the schema fingerprint',
    '(tables, columns, indexes, rows, integer sums) is checked against psql’s, and after every `down` nothing may',
    `be left. The floor is the faster psql variant per direction: apply ${r.floor.up}; revert ${r.floor.down}.`,
    '',
    '| tool | apply | ratio to floor | revert | ratio to floor | no-op `up` (fixed cost) |',
    '|---|---|---|---|---|---|',
  );
  for (const t of Object.values(r.tools)) {
    if (t.notMeasured) {
      out.push(`| ${t.label} | ${notYet(t.notMeasured)} | | | | |`);
      continue;
    }
    const range = (s) => `${ms(s.median)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    out.push(
      `| ${t.label} | ${range(t.upStats)} | ${x(t.upRatio)} | ${range(t.downStats)} | ${x(t.downRatio)} | ${ms(t.noopStats.median)} |`,
    );
  }
  const sb = r.tools.stepback;
  if (sb?.roundRatios) {
    const spread = (q) => `median ${x(q.median)} (${x(q.min)}–${x(q.max)})`;
    out.push(
      '',
      `Round by round (stepback over the floor in the same round, ${sb.roundRatios.up.rounds} rounds): apply ${spread(sb.roundRatios.up)},`,
      `revert ${spread(sb.roundRatios.down)}. That is how far one round’s noise moves the ratio; the table and the`,
      'goals use the ratio of the medians.',
    );
  }
  out.push(
    '',
    'How each tool ran:',
    '',
    ...Object.values(r.tools).map((t) => `- **${t.label}**: ${t.how}`),
    '- Every Node tool ran on the Node above, without `NODE_EXTRA_CA_CERTS` (set on this machine; Node 20 would',
    '  load it at every start).',
    '',
    '### Per-migration overhead',
    '',
    '*Overhead* = (tool median − floor median) / N. *Marginal* takes each side’s fixed cost (the no-op `up`:',
    'start, connect, read state) out first, leaving the cost per migration. *Round trips* are counted by a',
    'loopback proxy between the tool and PostgreSQL that counts the server’s ReadyForQuery messages (one per',
    'simple Query and per extended-protocol Sync; every tool here waits for each before sending more), in one',
    `extra untimed pass over the first ${r.rtCount ?? r.count} migrations; per migration = (run − no-op run) / that`,
    'count, the start-up handshake excluded. Below 1 means several migrations travelled in one message (stepback:',
    'each still its own transaction).',
    '',
    '| tool | apply overhead / migration | marginal | revert overhead / migration | marginal | round trips / migration (apply, revert) | fixed round trips (no-op) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const t of Object.values(r.tools)) {
    if (t.notMeasured) continue;
    const rt = t.roundTripsPerMigration
      ? `${t.roundTripsPerMigration.up.toFixed(2)}, ${t.roundTripsPerMigration.down.toFixed(2)}`
      : `— (${t.roundTripError ?? 'not counted'})`;
    const fixed = t.roundTrips
      ? `${t.roundTrips.noop.readyForQuery} (${t.roundTrips.noop.connections} conn.)`
      : '—';
    out.push(
      `| ${t.label} | ${ms(t.upOverheadPerMigrationMs, 2)} | ${ms(t.upMarginalPerMigrationMs, 2)} | ${ms(t.downOverheadPerMigrationMs, 2)} | ${ms(t.downMarginalPerMigrationMs, 2)} | ${rt} | ${fixed} |`,
    );
  }
  out.push(
    '',
    '### Where the time goes',
    '',
    '*Client CPU*: user + system CPU time of the tool’s own process (GNU time), median of the timed runs; less',
    'sensitive to other load on the machine than wall time. *Waiting on PostgreSQL*: in the proxied pass, the',
    'time from the client’s first bytes of a request to the server’s ReadyForQuery, summed (server work plus',
    'loopback latency); the rest of that pass’s wall time is the client (start-up, reading files, its own work).',
    '',
    '| tool | client CPU: apply / no-op / revert | proxied apply: wall, waiting on PostgreSQL | proxied revert: wall, waiting on PostgreSQL |',
    '|---|---|---|---|',
  );
  for (const t of Object.values(r.tools)) {
    if (t.notMeasured) continue;
    const c = t.cpuStats;
    const cpu = c ? `${ms(c.up.median)} / ${ms(c.noop.median)} / ${ms(c.down.median)}` : '—';
    const p = (k) =>
      t.roundTrips?.[k] ? `${ms(t.roundTrips[k].wallMs)}, ${ms(t.roundTrips[k].serverMs)}` : '—';
    out.push(`| ${t.label} | ${cpu} | ${p('up')} | ${p('down')} |`);
  }
  out.push('');
  return out;
}

function timing(t) {
  if (!t) return '—';
  if (t.notMeasured) return notYet(t.notMeasured);
  return `${ms(t.medianMs, 1)} (first call ${ms(t.firstCallMs, 1)}, min ${ms(t.minMs, 1)})`;
}

function plannerSection(r) {
  const out = ['## Planning a rollback and validating a manifest (in-process)', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r));
  out.push(
    `A newer manifest of ${r.migrations.toLocaleString('en')} migrations (${(r.manifestBytes / 1e6).toFixed(1)} MB of JSON) and an`,
    `older one that is its first ${(r.migrations - r.revert).toLocaleString('en')}: the plan reverts ${r.revert.toLocaleString('en')}.`,
    'Library functions called in one process under tsx; the first call (cold: JIT, lazy init) and then the',
    `median of ${r.jsonParse.iterations} calls.`,
    '',
    '| what | median (first call, min) |',
    '|---|---|',
    `| \`JSON.parse\` of the manifest (for scale) | ${timing(r.jsonParse)} |`,
    `| \`parseManifest\` (validate${r.validate?.input ? `, given ${r.validate.input}` : ''}) | ${timing(r.validate)} |`,
    `| \`manifestDigest\` of the newer manifest (canonical JSON + sha256; a plan digests both) | ${timing(r.digest)} |`,
    `| \`planRollback({ newer, older })\` | ${timing(r.plan)}${r.plan?.ok === false ? ` refused: ${r.plan.reasons?.join('; ')}` : ''} |`,
    `| \`planRollback\` with the database status (10,000 applied rows) | ${timing(r.planWithStatus)}${r.planWithStatus?.ok === false ? ` refused: ${r.planWithStatus.reasons?.join('; ')}` : ''} |`,
    '',
  );
  return out;
}

/** What an action loads at start; results from before the shared actions/dist/ had each action's whole dist/. */
const startSize = (s) =>
  s.startBytes === undefined
    ? `all of its own dist/: ${kb(s.totalBytes)} (${kb(s.totalGzipBytes)}), ${s.files} files`
    : `${kb(s.startBytes)} (${kb(s.startGzipBytes)}), ${s.startFiles} files`;

function bundlesSection(r) {
  const out = ['## Action bundles', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r));
  out.push(
    'Sizes (gzip -9 in parentheses): each action’s entry `actions/dist/<name>.js`, and what it loads at start',
    '(the entry and the chunks it imports statically; chunks behind a dynamic import load when reached). The',
    `five share one \`actions/dist/\`${r.dist ? `: ${kb(r.dist.totalBytes)} (${kb(r.dist.totalGzipBytes)}) in ${r.dist.files} files` : ''}. Cold start: Node 24,`,
    'from spawn until a loopback server standing in for AWS receives the bundle’s first request (inputs and',
    '`GITHUB_*` files as the runner sets them, `NODE_EXTRA_CA_CERTS` unset), median of',
    `${r.runs} runs interleaved with a baseline script that only sends one HTTP request. *Over baseline* is`,
    'the bundle’s median minus the baseline’s (its own cost). *CPU* is the process’s user + system time when',
    'the request arrived (/proc, 10 ms ticks), median: less sensitive to other load than wall time.',
    '',
    '| bundle | entry (gzip) | loaded at start (gzip) | cold start to first request, median (min–max) | over baseline | CPU to first request | first request |',
    '|---|---|---|---|---|---|---|',
  );
  const base = r.baseline && !r.baseline.notMeasured ? r.baseline : undefined;
  if (r.baseline) {
    const b = r.baseline;
    out.push(
      `| baseline: \`node\` + one \`http.request\` | | | ${b.notMeasured ? notYet(b.notMeasured) : `${ms(b.median)} (${b.min.toFixed(0)}–${b.max.toFixed(0)})`} | | ${b.cpuToFirstRequest ? ms(b.cpuToFirstRequest.median) : '—'} | |`,
    );
  }
  for (const [name, b] of Object.entries(r.bundles)) {
    if (b.notMeasured) {
      out.push(`| ${name} | ${notYet(b.notMeasured)} | | | |`);
      continue;
    }
    const s = b.sizes;
    const cs = b.coldStart?.notMeasured
      ? notYet(b.coldStart.notMeasured)
      : b.coldStart
        ? `${ms(b.coldStart.median)} (${b.coldStart.min.toFixed(0)}–${b.coldStart.max.toFixed(0)})`
        : '—';
    const over = base && b.coldStart?.median !== undefined ? ms(b.coldStart.median - base.median) : '—';
    const cpu = b.cpuToFirstRequest ? ms(b.cpuToFirstRequest.median) : '—';
    out.push(
      `| ${name} | ${kb(s.entryBytes)} (${kb(s.entryGzipBytes)}) | ${startSize(s)} | ${cs} | ${over} | ${cpu} | ${Object.keys(b.requests ?? {}).join(', ') || '—'} |`,
    );
  }
  out.push('');
  return out;
}

function taskStopSection(r) {
  const out = ['## From task stop to action end', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r));
  out.push(...(r.description ?? []), '');
  if (r.stats) {
    out.push(
      `Median ${ms(r.stats.median)} (min ${ms(r.stats.min)}, max ${ms(r.stats.max)}) over ${r.stats.runs.length} runs.`,
      '',
    );
  }
  return out;
}

function adoptSection(r) {
  const out = ['## Adoption of a long history', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r), ...(r.description ?? []), '');
  out.push(
    `Median ${ms(r.stats.median)} (min ${ms(r.stats.min)}, max ${ms(r.stats.max)}) over ${r.stats.runs.length} runs.`,
    '',
  );
  return out;
}

/** Each goal: met, not met, or not measured — never silently absent. */
export function goals(results) {
  const rows = [];
  const m = results.migrate;
  const sb = m?.tools?.stepback;
  const measured = sb && !sb.notMeasured && sb.upStats;
  const others = ['node-pg-migrate', 'umzug'].map((id) => m?.tools?.[id]).filter((t) => t && !t.notMeasured);
  const why = sb?.notMeasured ?? m?.notMeasured ?? 'not run';
  rows.push([
    'stepback apply within 1.10× of the psql floor',
    measured ? (sb.upRatio <= 1.1 ? 'met' : 'NOT met') : notYet(why),
    measured ? x(sb.upRatio) : '',
  ]);
  rows.push([
    'stepback revert within 1.10× of the psql floor',
    measured ? (sb.downRatio <= 1.1 ? 'met' : 'NOT met') : notYet(why),
    measured ? x(sb.downRatio) : '',
  ]);
  for (const dir of ['up', 'down']) {
    const key = `${dir}Stats`;
    const fasterThanAll = measured && others.every((o) => sb[key].median < o[key].median);
    rows.push([
      `stepback ${dir === 'up' ? 'apply' : 'revert'} faster than node-pg-migrate and umzug`,
      measured && others.length === 2 ? (fasterThanAll ? 'met' : 'NOT met') : notYet(why),
      measured ? [sb, ...others].map((t) => `${t.label} ${ms(t[key].median)}`).join(', ') : '',
    ]);
  }
  const b = results.bundles;
  const bundleList = b?.bundles ? Object.entries(b.bundles) : [];
  // Actions that made no request at all (they run locally) have no "first AWS call": listed apart.
  const local = (v) => Object.keys(v.requests ?? {}).some((k) => k.startsWith('(none'));
  const started = bundleList.filter(([, v]) => v.coldStart && !v.coldStart.notMeasured && !local(v));
  const missing = bundleList.filter(([, v]) => !v.coldStart || v.coldStart.notMeasured);
  rows.push([
    'every action bundle starts (to its first AWS call) in under 150 ms',
    started.length === 0
      ? notYet(b?.notMeasured ?? 'no bundle measured')
      : started.every(([, v]) => v.coldStart.median < 150) && missing.length === 0
        ? 'met'
        : started.some(([, v]) => v.coldStart.median >= 150)
          ? 'NOT met'
          : `partly measured (${missing.map(([n]) => n).join(', ')} not yet)`,
    started
      .map(
        ([n, v]) =>
          `${n} ${ms(v.coldStart.median)}${b.baseline?.median !== undefined ? ` (${ms(v.coldStart.median - b.baseline.median)} over the bare-node baseline of ${ms(b.baseline.median)})` : ''}`,
      )
      .join(', '),
  ]);
  const ts = results.taskStop;
  rows.push([
    'median under 2 s from task stop to action end',
    ts?.stats ? (ts.stats.median < 2000 ? 'met' : 'NOT met') : notYet(ts?.notMeasured ?? 'not run'),
    ts?.stats ? ms(ts.stats.median) : '',
  ]);
  const ad = results.adopt;
  rows.push([
    `adopting a ${ad?.count ?? 1000}-migration history in under a second`,
    ad?.stats ? (ad.stats.median < 1000 ? 'met' : 'NOT met') : notYet(ad?.notMeasured ?? 'not run'),
    ad?.stats ? ms(ad.stats.median) : '',
  ]);
  return rows;
}

function exeSection(r) {
  const out = ['## Standalone executables', ''];
  if (!r || r.skipped) return [...out, 'skipped in this run', ''];
  if (r.notMeasured) return [...out, notYet(r.notMeasured), ''];
  out.push(...loadLine(r));
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  out.push(
    `Node ${r.node} single executable applications (\`npm run build:binary\`), gzip -9 sizes. Cold start: spawn to`,
    `exit, median of ${r.runs} interleaved runs (min–max), CPU = user + system. *up, nothing to apply* connects`,
    'to PostgreSQL, takes the lock and reads the state. The code-cache build is not shipped: it is',
    `${r.codeCache.reproducible ? 'reproducible here' : 'not reproducible (two builds differ)'} and valid only for the architecture that built it (${mb(r.codeCache.bytes)}).`,
    '',
    '| executable | size | gzip |',
    '|---|---|---|',
    ...Object.entries(r.sizes).map(([t, s]) => `| stepback-${t} | ${mb(s.bytes)} | ${mb(s.gzipBytes)} |`),
    '',
    `| command | ${Object.keys(r.startup).join(' | ')} |`,
    `|---|${Object.keys(r.startup)
      .map(() => '---')
      .join('|')}|`,
  );
  const labels = Object.keys(Object.values(r.startup)[0] ?? {});
  for (const label of labels)
    out.push(
      `| ${label} | ${Object.values(r.startup)
        .map((c) => {
          const s = c[label];
          return `${ms(s.wall.median)} (${s.wall.min.toFixed(0)}–${s.wall.max.toFixed(0)})${s.cpu ? `, CPU ${ms(s.cpu.median)}` : ''}`;
        })
        .join(' | ')} |`,
    );
  out.push('');
  return out;
}

export function renderMarkdown(results) {
  const out = [
    '# stepback benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.mjs) at ${results.finishedAt ?? results.startedAt}; raw numbers in`,
    '`results.json` beside this file. Timings on a shared, noisy 2-core VM: compare ratios within one run, not',
    'absolute numbers across machines.',
    '',
    '## Goals',
    '',
    '| goal | status | measured |',
    '|---|---|---|',
    ...goals(results).map((r) => `| ${r.join(' | ')} |`),
    '',
    ...machineSection(results.machine),
    ...migrateSection(results.migrate),
    ...plannerSection(results.planner),
    ...bundlesSection(results.bundles),
    ...taskStopSection(results.taskStop),
    ...adoptSection(results.adopt),
    ...exeSection(results.exe),
  ];
  return `${out.join('\n')}\n`;
}
