#!/usr/bin/env node
/**
 * `npm run bench:django`: the Django engine's overhead over a bare `manage.py migrate` on the Django fixture
 * (test/fixtures/django, release v2: five migrations in two apps). Each round applies the release to a fresh
 * database three ways, in a rotating order:
 *   - `python manage.py migrate` (what a team runs today, verbosity 1),
 *   - `python manage.py migrate -v 0` (the same quiet, as the engine runs it),
 *   - `stepback --engine django up` (the built CLI: Node start, manage.py shell, lock, Django's migrate).
 * Reports medians of wall time and the ratios, and writes bench/results-django.md. A script, not a test: it
 * never asserts a timing.
 *
 *   node bench/django.mjs [--rounds N] [--out FILE]
 *
 * Needs Django for STEPBACK_DJANGO_PYTHON (default /usr/bin/python3) and PostgreSQL at
 * STEPBACK_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); its databases are dropped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, dropAll } from './lib/pg.mjs';
import { childEnv, median, nowMs, round } from './lib/util.mjs';

const root = join(import.meta.dirname, '..');
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    out: { type: 'string', default: join(root, 'bench/results-django.md') },
  },
});
const rounds = Number(flags.rounds);
const python = process.env.STEPBACK_DJANGO_PYTHON ?? '/usr/bin/python3';
const cli = join(root, 'dist/cli.js');

const project = mkdtempSync(join(os.tmpdir(), 'stepback-bench-django-'));
cpSync(join(root, 'test/fixtures/django/base'), project, { recursive: true });
cpSync(join(root, 'test/fixtures/django/v2'), project, { recursive: true });
// Compile once, so no tool pays for writing __pycache__ in its first round.
execFileSync(python, ['-m', 'compileall', '-q', project]);

// The program exactly as the engine sends it (src/engines/django/program.ts), and an `up` request.
const program = execFileSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    `import { DJANGO_COMMAND } from ${JSON.stringify(join(root, 'src/engines/django/program.ts'))}; process.stdout.write(DJANGO_COMMAND);`,
  ],
  { encoding: 'utf8', cwd: root },
);
const upRequest = JSON.stringify({
  op: 'up',
  schema: 'public',
  table: 'stepback_migrations',
  lockTimeoutMs: 300000,
});

const tools = {
  'manage.py migrate': () => [python, ['manage.py', 'migrate']],
  'manage.py migrate -v 0': () => [python, ['manage.py', 'migrate', '-v', '0']],
  'manage.py shell -c PROGRAM (the task in the image)': () => [python, ['manage.py', 'shell', '-c', program]],
  'stepback --engine django up': () => [
    process.execPath,
    [cli, '--engine', 'django', '--manage-command', `${python} manage.py`, 'up'],
  ],
};
const names = Object.keys(tools);
const times = Object.fromEntries(names.map((n) => [n, []]));
// CPU time (user + system, children included) through GNU time when installed: load on a shared machine
// skews it far less than wall time.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpu = Object.fromEntries(names.map((n) => [n, []]));
const cpuFile = join(project, '.cpu');

try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { stdio: 'ignore' });
  for (let round_ = 0; round_ < rounds; round_++) {
    const order = names.map((_, i) => names[(i + round_) % names.length]);
    for (const name of order) {
      const db = await createDatabase('django');
      const [tool, toolArgs] = tools[name]();
      const [cmd, args] = gnuTime
        ? [gnuTime, ['-f', '%U %S', '-o', cpuFile, tool, ...toolArgs]]
        : [tool, toolArgs];
      const start = nowMs();
      const run = spawnSync(cmd, args, {
        cwd: project,
        env: childEnv({ DATABASE_URL: db.url, STEPBACK_DJANGO: upRequest }),
        encoding: 'utf8',
      });
      const took = nowMs() - start;
      if (
        run.status !== 0 ||
        (name.includes('PROGRAM') && !run.stdout.includes('stepback-django {"ok": true'))
      )
        throw new Error(`${name} exited ${run.status}: ${run.stderr}${run.stdout}`);
      times[name].push(took);
      if (gnuTime) {
        const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        cpu[name].push((user + sys) * 1000);
      }
      await db.drop();
    }
    console.error(
      `round ${round_ + 1}/${rounds}: ${names.map((n) => `${n} ${round(times[n].at(-1))} ms`).join(', ')}`,
    );
  }
  const base = median(times['manage.py migrate']);
  const quiet = median(times['manage.py migrate -v 0']);
  const taskName = 'manage.py shell -c PROGRAM (the task in the image)';
  const task = median(times[taskName]);
  const ours = median(times['stepback --engine django up']);
  const ratio = (name) => median(times[name].map((t, i) => t / times['manage.py migrate'][i]));
  const lines = [
    '# Django engine overhead',
    '',
    `Fixture release v2 (5 migrations, 2 apps) applied to a fresh database, ${rounds} rounds, rotating order;`,
    `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version},`,
    `Django ${execFileSync(python, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' }).trim()}.`,
    'Wall time of the whole command (interpreter start, settings, connection, lock, migrations).',
    '',
    '| command | median wall ms | min | max | median CPU ms |',
    '|---|---|---|---|---|',
    ...names.map(
      (n) =>
        `| \`${n}\` | ${round(median(times[n]))} | ${round(Math.min(...times[n]))} | ${round(Math.max(...times[n]))} | ${gnuTime ? round(median(cpu[n])) : 'n/a'} |`,
    ),
    '',
    'Ratios of medians over `manage.py migrate` (median of the round-by-round ratios in brackets); target ≤ 1.10×:',
    `- the engine as the one-off task runs it in the image: **${round(task / base, 2)}×** (${round(ratio('manage.py shell -c PROGRAM (the task in the image)'), 2)}×); over \`-v 0\`: ${round(task / quiet, 2)}×`,
    `- the CLI on the same host, Node's start included: ${round(ours / base, 2)}× (${round(ratio('stepback --engine django up'), 2)}×); over \`-v 0\`: ${round(ours / quiet, 2)}×`,
    ...(gnuTime
      ? [
          `- CPU time, ratio of medians: the task ${round(median(cpu[taskName]) / median(cpu['manage.py migrate']), 2)}×, the CLI ${round(median(cpu['stepback --engine django up']) / median(cpu['manage.py migrate']), 2)}×`,
        ]
      : []),
    '',
  ];
  writeFileSync(flags.out, lines.join('\n'));
  process.stdout.write(lines.join('\n'));
} finally {
  await dropAll();
  rmSync(project, { recursive: true, force: true });
}
