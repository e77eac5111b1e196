/**
 * Two deploys racing on one database (README "Reliability", one runner at a time): two migrate bundles of two pipeline runs start at once,
 * each launching its own one-off task from the same task definition. One takes the migration lock and
 * migrates; the other waits on the lock and then finds nothing to do; every migration is applied once.
 *
 * To make the race certain rather than lucky, the release's last migration (`0007_wait_for_gate`) blocks on a
 * row the test holds locked: the first task is inside the lock, still migrating, until the test has seen the
 * second task waiting for the lock; then the test lets go.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../support/pg.ts';
import type { ActionRun } from '../support/run-action.ts';
import { type E2e, ecsInputs, everything, names, startE2e, story, V1, V2 } from './harness.ts';

let e: E2e;
let td: string;
const RACE = [...V2, '0007_wait_for_gate'];

beforeAll(async () => {
  e = await startE2e('e2e_race');
  const dir = e.cutImage('race', '0006');
  writeFileSync(join(dir, 'migrations/0007_wait_for_gate.up.sql'), 'select id from e2e_gate for update;\n');
  writeFileSync(join(dir, 'migrations/0007_wait_for_gate.down.sql'), 'select 1;\n');
  td = e.registerTd('app:race');
  await withClient(e.db.url, (c) =>
    c.query('create table e2e_gate (id int primary key); insert into e2e_gate values (1)'),
  );
});
afterAll(async () => {
  await e?.close();
});

/** Every line of every awslogs stream the tasks wrote. */
function taskLogLines(): string[] {
  const group = e.sim.logs.groups.get('/ecs/app');
  return group ? [...group.keys()].flatMap((stream) => e.sim.logs.lines('/ecs/app', stream)) : [];
}

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  limitMs = 60_000,
): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > until)
      throw new Error(`gave up waiting for ${what}; task logs:\n${taskLogLines().join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('two deploys racing on the same database', () => {
  it('one migrates, the other waits for the lock and finds nothing to do; nothing runs twice', async () => {
    const gate = new pg.Client({ connectionString: e.db.url });
    await gate.connect();
    let released = false;
    try {
      await gate.query('begin');
      await gate.query('select id from e2e_gate for update');

      // Two pipeline runs (different run ids, so two distinct tasks), started at once.
      const race = ['2001', '2002'].map((runId) =>
        e.action(
          'migrate',
          { release: 'v2', 'task-definition': td, ...ecsInputs },
          { env: { GITHUB_RUN_ID: runId }, timeoutMs: 90_000 },
        ),
      );

      // Neither can finish while the gate is held: one that does failed early, and its story is the message.
      const early: ActionRun[] = [];
      for (const run of race) void run.then((r) => early.push(r));
      // The lock holder is blocked inside 0007 on the gate row; the other task reports it waits for the lock.
      await waitFor('a task blocked on the gate and another waiting for the migration lock', async () => {
        if (early.length > 0) throw new Error(`a racing run ended early:\n${early.map(story).join('\n')}`);
        const lines = taskLogLines();
        // 0006 applied and 0007 not: the holder is inside the lock, blocked on the gate row.
        return (
          lines.some((l) => l.startsWith('applied  0006_index_users_email_lower')) &&
          lines.some((l) => l.includes('waiting for the migration lock'))
        );
      });
      const releasedAt = (await gate.query<{ t: Date }>('select clock_timestamp() as t')).rows[0]!.t;
      await gate.query('commit');
      released = true;

      const runs = await Promise.all(race);
      for (const run of runs) {
        expect(run.exitCode, story(run)).toBe(0);
        expect(run.errors).toEqual([]);
        expect(run.outputs['exit-code']).toBe('0');
        expect(everything(run)).not.toContain(e.db.password);
      }
      // Two tasks, from the same task definition.
      const arns = runs.map((r) => r.outputs['task-arn']);
      expect(new Set(arns).size).toBe(2);
      expect(e.sim.callsTo('RunTask').map((c) => c.input.taskDefinition)).toEqual([td, td]);

      // One applied everything, the other nothing.
      const applied = runs.map((r) => names(r.outputs.applied)).sort((a, b) => b.length - a.length);
      expect(applied).toEqual([RACE, []]);
      const waiter = runs.find((r) => names(r.outputs.applied).length === 0)!;
      expect(waiter.stdout).toContain('waiting for the migration lock');
      expect(waiter.stdout).toMatch(/lock acquired after \d+ ms/);

      // The gate really held the migrating task inside the lock: 0007 finished only after the release.
      const gateApplied = await withClient(
        e.db.url,
        async (c) =>
          (
            await c.query<{ finished_at: Date }>(
              `select finished_at from stepback_migrations where name = '0007_wait_for_gate'`,
            )
          ).rows[0]!.finished_at,
      );
      expect(gateApplied.getTime()).toBeGreaterThanOrEqual(releasedAt.getTime());

      // Every migration applied exactly once: one row each, one apply event each, no failure.
      expect(await e.applied()).toEqual(RACE);
      const events = await withClient(e.db.url, async (c) =>
        (
          await c.query<{ kind: string; name: string; n: string }>(
            'select kind, name, count(*) as n from stepback_events group by kind, name order by kind, name',
          )
        ).rows.map((r) => `${r.kind}:${r.name}:${r.n}`),
      );
      expect(events).toEqual(RACE.map((name) => `apply:${name}:1`));
    } finally {
      if (!released) await gate.query('rollback').catch(() => {});
      await gate.end();
    }
  }, 120_000);

  it('a step retried while its first attempt still runs finds that task instead of starting another', async () => {
    // Same run and attempt (the runner re-ran the step): the same RunTask clientToken.
    const again = await startE2e('e2e_retry');
    try {
      again.cutImage('v1', '0003');
      const tdV1 = again.registerTd('app:v1');
      const runs = await Promise.all(
        [1, 2].map(() =>
          again.action(
            'migrate',
            { release: 'v1', 'task-definition': tdV1, ...ecsInputs },
            { env: { GITHUB_RUN_ID: '3001' } },
          ),
        ),
      );
      for (const run of runs) expect(run.exitCode, story(run)).toBe(0);
      expect(runs[0]!.outputs['task-arn']).toBe(runs[1]!.outputs['task-arn']);
      // Both asked ECS (same clientToken) and were given the one task.
      expect(again.sim.callsTo('RunTask')).toHaveLength(2);
      expect(await again.applied()).toEqual(V1);
      const applies = await withClient(again.db.url, async (c) =>
        Number(
          (await c.query<{ n: string }>(`select count(*) as n from stepback_events where kind = 'apply'`))
            .rows[0]!.n,
        ),
      );
      expect(applies).toBe(V1.length);
    } finally {
      await again.close();
    }
  }, 60_000);
});
