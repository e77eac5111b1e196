/**
 * Planning a rollback between two 10,000-migration manifests (revert the newest 1,000) and validating such a
 * manifest: the library functions, in-process, in a child run under tsx (bench/tools/planner-child.mjs).
 */
import { join } from 'node:path';
import { run, tail } from '../lib/util.mjs';

const root = join(import.meta.dirname, '../..');

export async function benchPlanner({ log }) {
  const r = await run(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/tools/planner-child.mjs'), '10000', '1000', '20'],
    {
      cwd: root,
    },
  );
  if (r.code !== 0) return { notMeasured: `planner child exited ${r.code}: ${tail(r.stderr, 3)}` };
  const result = JSON.parse(r.stdout.trim().split('\n').pop());
  log(`  ${JSON.stringify(result)}`);
  return result;
}
