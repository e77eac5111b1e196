/**
 * A rollback whose down fails half-way (README "Rollback runbook", step 4): v2 → v1 reverts 0006, 0005, 0004; a table the
 * operators added after v2 (`order_notes`, referencing v2's `orders`) makes 0005's down (`drop table orders`)
 * fail. The rollback must stop before the deploy, say which migrations were reverted and which remain, and a
 * re-run after the blocking table is gone must resume with only the remaining ones and then deploy v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/pg.ts';
import type { ActionRun } from '../support/run-action.ts';
import {
  type E2e,
  everything,
  names,
  prepareAtV2,
  rollbackToV1,
  serviceTaskDefinition,
  startE2e,
  story,
  V1,
  V2,
} from './harness.ts';

let e: E2e;
const td: Record<string, string> = {};

/** `attempt`: GitHub's "Re-run failed jobs" runs the same workflow run again as the next attempt. */
const rollback = (attempt: string): Promise<ActionRun> =>
  rollbackToV1(e, {}, { env: { GITHUB_RUN_ATTEMPT: attempt } });

beforeAll(async () => {
  e = await startE2e('e2e_halfway');
  Object.assign(td, await prepareAtV2(e));
  expect(await e.applied()).toEqual(V2);
}, 90_000);
afterAll(async () => {
  await e?.close();
});

describe('a rollback whose down fails half-way', () => {
  it('a dry run first shows the plan and changes nothing', async () => {
    const runTasks = e.sim.callsTo('RunTask').length;
    const callsBefore = e.sim.calls.length;
    const dry = await rollbackToV1(e, { 'dry-run': 'true' }, { env: { GITHUB_RUN_ID: '900' } });
    expect(dry.exitCode, story(dry)).toBe(0);
    expect(dry.outputs.status).toBe('planned');
    const plan = JSON.parse(dry.outputs.plan!) as { revert: { name: string }[] };
    expect(plan.revert.map((r) => r.name)).toEqual([
      '0006_index_users_email_lower',
      '0005_create_orders',
      '0004_split_user_names',
    ]);
    expect(dry.summary).toContain('Dry run: nothing was changed');
    // Only the status task ran (no down), nothing was deployed, the database is untouched.
    const started = e.sim.callsTo('RunTask').slice(runTasks);
    expect(started.map((t) => JSON.stringify(t.input.overrides ?? {}).includes('"down"'))).toEqual([false]);
    expect(e.sim.callsTo('UpdateService')).toHaveLength(0);
    // None of the writes the plan role lacks (infra/test/workflow-permissions.test.ts relies on this).
    const writes = ['UpdateService', 'RegisterTaskDefinition', 'TagResource', 'PutObject'];
    const made = e.sim.calls.slice(callsBefore).map((c) => c.operation);
    expect(made).toContain('RunTask');
    expect(made.filter((op) => writes.includes(op))).toEqual([]);
    expect(serviceTaskDefinition(e)).toBe(td.v2);
    expect(await e.applied()).toEqual(V2);
  }, 60_000);

  it('stops before the deploy, reports where the database stands, and a re-run after the fix finishes', async () => {
    // The blocking condition: a table v2's code introduced outside the migrations, referencing orders.
    await withClient(e.db.url, (c) =>
      c.query('create table order_notes (order_id bigint not null references orders (id), note text)'),
    );
    const updatesBefore = e.sim.callsTo('UpdateService').length;
    expect(updatesBefore).toBe(0);

    const failed = await rollback('1');
    expect(failed.exitCode, story(failed)).not.toBe(0);
    expect(failed.outputs.status).toBe('failed');
    expect(failed.outputs['from-release']).toBe('v2');
    expect(names(failed.outputs.reverted)).toEqual(['0006_index_users_email_lower']);
    expect(JSON.parse(failed.outputs.remaining!)).toEqual(['0005_create_orders', '0004_split_user_names']);
    // The older task definition was NOT deployed: no UpdateService, the service still runs v2.
    expect(failed.outputs['task-definition']).toBe('');
    expect(e.sim.callsTo('UpdateService').length).toBe(updatesBefore);
    expect(serviceTaskDefinition(e)).toBe(td.v2);
    // The database is exactly where the summary says: 0006 reverted, 0005 and 0004 still applied.
    expect(await e.applied()).toEqual(V2.filter((m) => m !== '0006_index_users_email_lower'));
    // The summary and the error say which were reverted, which failed and which remain.
    expect(failed.summary).toContain('FAILED: the older release was not deployed');
    expect(failed.summary).toMatch(/0006_index_users_email_lower\s*<\/td>\s*<td>reverted/);
    expect(failed.summary).toMatch(/0005_create_orders\s*<\/td>\s*<td>FAILED/);
    expect(failed.summary).toMatch(/Still applied: `0005_create_orders`, `0004_split_user_names`/);
    expect(failed.summary).toContain('order_notes');
    expect(failed.errors.join('\n')).toContain('0005_create_orders');
    expect(everything(failed)).not.toContain(e.db.password);

    // Fix the cause, run the same rollback again: it resumes with only the remaining two.
    await withClient(e.db.url, (c) => c.query('drop table order_notes'));
    const resumed = await rollback('2');
    expect(resumed.exitCode, story(resumed)).toBe(0);
    expect(resumed.outputs.status).toBe('rolled-back');
    expect(names(resumed.outputs.reverted)).toEqual(['0005_create_orders', '0004_split_user_names']);
    expect(resumed.outputs.remaining).toBe('[]');
    expect(resumed.outputs['task-definition']).toBe(td.v1);
    expect(serviceTaskDefinition(e)).toBe(td.v1);
    expect(await e.applied()).toEqual(V1);
    expect(resumed.outputs['schema-matches']).toBe('true');
    // Each migration was reverted exactly once across both runs.
    const reverts = await withClient(e.db.url, async (c) =>
      (
        await c.query<{ name: string; n: string }>(
          `select name, count(*) as n from stepback_events where kind = 'revert' group by name order by name`,
        )
      ).rows.map((r) => `${r.name}:${r.n}`),
    );
    expect(reverts).toEqual([
      '0004_split_user_names:1',
      '0005_create_orders:1',
      '0006_index_users_email_lower:1',
    ]);
    // Both the down runs came from v2's task definition.
    const downs = e.sim
      .callsTo('RunTask')
      .filter((t) => JSON.stringify(t.input.overrides ?? {}).includes('"down"'));
    expect(downs.map((t) => t.input.taskDefinition)).toEqual([td.v2, td.v2]);
    expect(everything(resumed)).not.toContain(e.db.password);
  }, 150_000);
});
