/**
 * Run by bench/sections/taskstop.mjs as `node --import tsx taskstop-child.mjs <runs> <cli> <node24> <dir>`:
 * the committed migrate action bundle, under Node 24, against the AWS simulation (real clock) that really
 * runs the task's command — `node dist/cli.js up …` on a fresh PostgreSQL database per run. For each run:
 * the moment the simulated task reached STOPPED (its `stoppedAt`, the simulation's wall clock, which is this
 * process's) and the moment the action process exited; the delay between them is what a pipeline waits for
 * beyond the migration itself. Also counts the polling calls the action made. Prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerTd } from '../../test/aws/helpers.ts';
import { startAwsSim } from '../../test/sim/index.ts';
import { generateMigrations } from '../lib/generate.mjs';
import { createDatabase, dropAll } from '../lib/pg.mjs';

const [runsArg, cli, node24, workdir] = process.argv.slice(2);
const runs = Number(runsArg);
const root = join(import.meta.dirname, '../..');

const imageDir = join(workdir, 'image');
mkdirSync(join(imageDir, 'migrations'), { recursive: true });
for (const m of generateMigrations(20)) {
  writeFileSync(join(imageDir, 'migrations', `${m.name}.up.sql`), m.up);
  writeFileSync(join(imageDir, 'migrations', `${m.name}.down.sql`), m.down);
}

function runAction(env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(node24, [join(root, 'actions/dist/migrate.js')], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, exitAt: Date.now(), output }));
  });
}

const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const db = await createDatabase(`taskstop${i}`);
    const sim = await startAwsSim({
      clock: 'real',
      images: { 'app:bench': { dir: imageDir } },
      timings: { provisioningMs: 300, pendingMs: 300 },
    });
    try {
      const arn = registerTd(sim, { image: 'app:bench', environment: { DATABASE_URL: db.url } });
      const files = {};
      for (const f of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_PATH']) {
        files[f] = join(workdir, `${f.toLowerCase()}-${i}`);
        writeFileSync(files[f], '');
      }
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? workdir,
        RUNNER_TEMP: workdir,
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: workdir,
        GITHUB_REPOSITORY: 'org/app',
        GITHUB_RUN_ID: String(1000 + i),
        GITHUB_RUN_ATTEMPT: '1',
        ...files,
        ...sim.env,
        INPUT_RELEASE: `v1.${i}.0`,
        'INPUT_TASK-DEFINITION': arn,
        INPUT_CLUSTER: 'default',
        INPUT_CONTAINER: 'app',
        INPUT_SUBNETS: 'subnet-0a1b2c3d',
        'INPUT_SECURITY-GROUPS': 'sg-0a1b2c3d',
        INPUT_EXECUTOR: 'ecs',
        'INPUT_LAUNCH-TYPE': 'FARGATE',
        'INPUT_ASSIGN-PUBLIC-IP': 'false',
        'INPUT_SINGLE-TRANSACTION': 'false',
        'INPUT_MIGRATIONS-DIR': 'migrations',
        'INPUT_RUNNER-COMMAND': `${process.execPath} ${cli}`,
        'INPUT_TIMEOUT-MINUTES': '10',
        INPUT_SERVICE: '',
        INPUT_IMAGE: '',
        'INPUT_CODEBUILD-PROJECT': '',
        'INPUT_DATABASE-URL': '',
        INPUT_REGION: '',
      };
      const startedAt = Date.now();
      const r = await runAction(env, workdir);
      const task = [...sim.ecs.tasks.values()][0];
      const count = (op) => sim.callsTo(op).length;
      const run = {
        exitCode: r.code,
        totalMs: r.exitAt - startedAt,
        stoppedAt: task?.stoppedAt ?? null,
        stopToExitMs: task?.stoppedAt ? r.exitAt - task.stoppedAt : null,
        taskRunMs: task?.stoppedAt && task.startedAt ? task.stoppedAt - task.startedAt : null,
        describeTasks: count('DescribeTasks'),
        getLogEvents: count('GetLogEvents'),
        calls: sim.calls.length,
      };
      if (r.code !== 0 || !task?.stoppedAt) run.error = r.output.trim().split('\n').slice(-4).join('\n');
      results.push(run);
    } finally {
      await sim.close();
      await db.drop();
    }
  }
} finally {
  await dropAll();
}
process.stdout.write(`${JSON.stringify({ runs: results })}\n`);
