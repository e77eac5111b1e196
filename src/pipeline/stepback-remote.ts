/**
 * stepback's own engine as the flows run it: the stepback CLI inside the release's code, started by the
 * executor's runner command with these arguments, printing its `--json` result line (pipeline/result.ts).
 */

import { DEFAULT_ENGINE } from '../core/release-manifest.ts';
import type { RemoteEngine } from '../core/remote-engine.ts';
import { isStepbackResultLine } from '../core/result-format.ts';
import { encodePlan, PLAN_ENV } from './plan-transport.ts';

export const stepbackRemote: RemoteEngine = {
  name: DEFAULT_ENGINE,
  up: (release, extraArgs) => ({ args: ['up', '--release', release, ...extraArgs, '--json'], env: {} }),
  status: () => ({ args: ['status', '--json'], env: {} }),
  down: ({ plan, toRelease, sourcesFrom }) => ({
    args: sourcesFrom
      ? ['down', '--plan', '--sources-from', sourcesFrom, '--release', toRelease, '--json']
      : ['down', '--plan', '--release', toRelease, '--json'],
    env: { [PLAN_ENV]: encodePlan(plan) },
  }),
  isResultLine: isStepbackResultLine,
  // The result parsers (zod) load only once there is output to read, not on the way to the first request.
  readRun: async (stdout) => (await import('./result.ts')).parseRunnerResult(stdout),
  readStatus: async (stdout) => (await import('./result.ts')).parseStatusOutput(stdout),
};
