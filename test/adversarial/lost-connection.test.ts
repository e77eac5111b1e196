/**
 * Telling the truth after the run's connection is lost: the result is re-read from the database on a fresh
 * connection (what is applied, which migration was running), never the run's own guess, and no "NaN".
 * The backend is terminated while the slow migration sleeps on the server (seen in pg_stat_activity), so
 * nothing here depends on timing.
 */
import { describe, expect, it } from 'vitest';
import { allowSlowProcesses, applyWithApi, jsonLine, migrationsDir, startCli } from '../cli/cli.ts';
import { databasesForThisFile, type TestDatabase, withAdmin, withClient } from '../support/pg.ts';

allowSlowProcesses();

const freshDb = databasesForThisFile();

function tiny(count: number, slow: { at: number; up?: boolean; down?: boolean }): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const id = String(i).padStart(4, '0');
    const sleep = 'select pg_sleep(60);\n';
    files[`${id}_t${i}.up.sql`] = `create table t${i} (id int);\n${i === slow.at && slow.up ? sleep : ''}`;
    files[`${id}_t${i}.down.sql`] = `${i === slow.at && slow.down ? sleep : ''}drop table t${i};\n`;
  }
  return files;
}

/** Terminates the backend of `db` that sleeps in pg_sleep, once there is one (after `before`, if given). */
async function terminateWhenSleeping(db: TestDatabase, before = ''): Promise<number> {
  return withAdmin(async (c) => {
    for (;;) {
      const { rows } = await c.query(
        `select pid from pg_stat_activity where datname = $1 and wait_event = 'PgSleep'`,
        [db.name],
      );
      if (rows[0]) {
        if (before) await c.query(before);
        await c.query('select pg_terminate_backend($1)', [rows[0].pid]);
        return rows[0].pid as number;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
}

async function recorded(db: TestDatabase): Promise<string[]> {
  return withClient(db.url, async (c) =>
    (await c.query('select name from stepback_migrations order by applied_order')).rows.map((r) => r.name),
  );
}

describe('after the connection is lost mid-run', () => {
  it('up: the result lists what the database holds (200 applied), names the one that was running, no NaN', async () => {
    const db = await freshDb('lost_up');
    const dir = migrationsDir(tiny(201, { at: 201, up: true }));
    const run = startCli(['--dir', dir, 'up', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    await terminateWhenSleeping(db);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1);
    const result = jsonLine(done);
    const inDb = await recorded(db);
    expect(inDb).toHaveLength(200);
    expect(result.applied.map((a) => a.name)).toEqual(inDb);
    expect(result.failed?.name).toBe('0201_t201');
    expect(result.error).toMatch(
      /read back from the database: 200 migration\(s\) before it in this run stay applied \(0001_t1 … 0200_t200\); 0201_t201 is not recorded as applied \(its transaction was rolled back\)/,
    );
    expect(`${done.stdout}${done.stderr}`).not.toMatch(/NaN/);
    await withClient(db.url, async (c) => {
      const events = await c.query(`select name from stepback_events where kind = 'failure'`);
      expect(events.rows).toEqual([{ name: '0201_t201' }]);
    });
  });

  it('down: the result lists what the database reverted, and what stays applied', async () => {
    const db = await freshDb('lost_down');
    const files = tiny(60, { at: 30, down: true });
    const dir = migrationsDir(files);
    await applyWithApi(db.url, dir);
    const run = startCli(['--dir', dir, 'down', '--to', '0', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    await terminateWhenSleeping(db);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1);
    const result = jsonLine(done);
    const stays = await recorded(db);
    expect(stays).toHaveLength(30);
    expect(result.reverted).toHaveLength(30);
    expect(result.reverted.map((r) => r.name)).not.toContain('0030_t30');
    expect(result.failed?.name).toBe('0030_t30');
    expect(result.error).toMatch(/0030_t30 is still recorded as applied/);
    expect(`${done.stdout}${done.stderr}`).not.toMatch(/NaN/);
  });

  it('--single-transaction, and the database cannot be read afterwards: nothing claimed applied, said so', async () => {
    const db = await freshDb('lost_single');
    const dir = migrationsDir(tiny(5, { at: 5, up: true }));
    const run = startCli(['--dir', dir, 'up', '--single-transaction', '--json'], {
      env: { DATABASE_URL: db.url },
      password: db.password,
    });
    try {
      // No new connection is accepted once the run's is cut: the runner cannot re-read anything.
      await terminateWhenSleeping(db, `alter database "${db.name}" allow_connections false`);
      const done = await run.done;
      expect(done.code, done.stderr).toBe(1);
      const result = jsonLine(done);
      expect(result.applied).toEqual([]);
      expect(result.error).toMatch(/could not be read after the failure; stepback never committed the batch/);
    } finally {
      await withAdmin((c) => c.query(`alter database "${db.name}" allow_connections true`));
    }
    expect(await recorded(db).catch(() => [])).toEqual([]);
  });
});
