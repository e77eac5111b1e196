/**
 * The delay between a simulated migration task stopping and the migrate action finishing: the committed
 * migrate action bundle under Node 24 against the AWS simulation (test/sim, `startAwsSim()`, real clock), which
 * really runs the task's command (`node dist/cli.js up`, 20 migrations, fresh database per run). Measured
 * from the task's `stoppedAt` to the action process's exit, in bench/tools/taskstop-child.mjs (run under tsx
 * because the simulation is TypeScript).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, summarize, tail } from '../lib/util.mjs';
import { node24Path } from './bundles.mjs';

const root = join(import.meta.dirname, '../..');

export async function benchTaskStop({ tmp, runs, cli, log }) {
  if (!existsSync(join(root, 'test/sim/index.ts'))) {
    return { notMeasured: 'the AWS simulation (test/sim/index.ts, startAwsSim) has not landed yet' };
  }
  if (!existsSync(join(root, 'actions/dist/migrate.js'))) {
    return { notMeasured: 'the migrate action bundle (actions/dist/migrate.js) is not built' };
  }
  if (!cli.available) return { notMeasured: `the stepback CLI is needed inside the task: ${cli.reason}` };
  const node24 = node24Path();
  if (!node24) return { notMeasured: 'Node 24 is not installed' };
  const workdir = join(tmp, 'taskstop');
  mkdirSync(workdir, { recursive: true });
  const r = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      join(root, 'bench/tools/taskstop-child.mjs'),
      String(runs),
      cli.path,
      node24,
      workdir,
    ],
    { cwd: root },
  );
  if (r.code !== 0) return { notMeasured: `the task-stop harness exited ${r.code}: ${tail(r.stderr, 4)}` };
  const { runs: results } = JSON.parse(r.stdout.trim().split('\n').pop());
  for (const x of results) log(`  ${JSON.stringify(x)}`);
  const ok = results.filter((x) => x.exitCode === 0 && x.stopToExitMs !== null);
  if (ok.length === 0) {
    return { notMeasured: `no run succeeded: ${results[0]?.error ?? 'no runs'}`, runs: results };
  }
  return {
    description: [
      'The committed `actions/dist/migrate.js` under Node 24 (executor `ecs`, default polling settings)',
      'against the AWS simulation on a real clock, which runs the task command for real: `stepback up` on 20',
      'generated migrations, a fresh database per run. Measured from the simulated task’s `stoppedAt` to the',
      `action process’s exit. ${ok.length} of ${results.length} runs succeeded.`,
      '',
      '| run | task stop → action exit | whole action | task ran | DescribeTasks calls | GetLogEvents calls |',
      '|---|---|---|---|---|---|',
      ...results.map(
        (x, i) =>
          `| ${i + 1} | ${x.stopToExitMs ?? '—'} ms | ${x.totalMs} ms | ${x.taskRunMs ?? '—'} ms | ${x.describeTasks} | ${x.getLogEvents} |${x.error ? ` failed: ${x.error.replace(/\n/g, ' ')}` : ''}`,
      ),
    ],
    stats: summarize(ok.map((x) => x.stopToExitMs)),
    runs: results,
  };
}
