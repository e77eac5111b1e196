/**
 * The run lock: a session-level advisory lock taken on the connection that runs the migrations, so a killed
 * runner frees it by disconnecting and "one runner at a time" is exact. Polled with
 * pg_try_advisory_lock, never a blocking pg_advisory_lock: a blocked waiter can deadlock with a holder
 * running CREATE INDEX CONCURRENTLY, which waits for every older transaction.
 */
import type pg from 'pg';
import { sha256Bytes } from '../core/checksum.ts';
import type { Clock } from '../core/clock.ts';
import { LockTimeoutError } from '../core/errors.ts';
import { STATE_TABLE } from './state.ts';

/** Two positive int4 keys derived from (database, schema, table), so apps sharing a cluster never collide. */
export function lockKey(database: string, schema: string, table = STATE_TABLE): [number, number] {
  const digest = sha256Bytes(`stepback\0${database}\0${schema}\0${table}`);
  return [digest.readUInt32BE(0) & 0x7fffffff, digest.readUInt32BE(4) & 0x7fffffff];
}

export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  backendStart: string | null;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid}, application "${h.applicationName}", client ${h.clientAddr ?? 'local socket'}, connected since ${h.backendStart ?? 'unknown'}`;
}

export async function lockHolder(client: pg.Client, key: [number, number]): Promise<LockHolder | null> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    backend_start: Date | null;
  }>(
    `select a.pid, a.application_name, a.client_addr::text as client_addr, a.backend_start
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.classid = $1::bigint::oid and l.objid = $2::bigint::oid
        and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())
      limit 1`,
    key,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    pid: row.pid,
    applicationName: row.application_name,
    clientAddr: row.client_addr,
    backendStart: row.backend_start ? row.backend_start.toISOString() : null,
  };
}

export interface AcquireOptions {
  timeoutMs: number;
  clock: Clock;
  log: (line: string) => void;
  /** Between attempts. */
  pollMs?: number;
  /** How often to say who holds the lock while waiting. */
  reportEveryMs?: number;
}

export async function acquireLock(
  client: pg.Client,
  key: [number, number],
  options: AcquireOptions,
): Promise<void> {
  const { clock, log } = options;
  const pollMs = options.pollMs ?? 250;
  const reportEveryMs = options.reportEveryMs ?? 5000;
  const start = clock.now();
  let lastReport = Number.NEGATIVE_INFINITY;
  let holder: LockHolder | null = null;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', key);
    if (rows[0]?.ok) {
      if (lastReport !== Number.NEGATIVE_INFINITY)
        log(`lock acquired after ${Math.round(clock.now() - start)} ms`);
      return;
    }
    const now = clock.now();
    if (now - lastReport >= reportEveryMs || now - start >= options.timeoutMs) {
      holder = await lockHolder(client, key);
      lastReport = now;
      if (now - start < options.timeoutMs)
        log(
          `waiting for the migration lock, held by ${holder ? describeHolder(holder) : 'a session that just ended'}`,
        );
    }
    if (now - start >= options.timeoutMs) {
      const who = holder ? describeHolder(holder) : 'a session that has since ended';
      throw new LockTimeoutError(
        `the migration lock was not acquired within ${Math.round(options.timeoutMs / 1000)} s; it is held by ${who}`,
        {
          hint: 'another stepback run is probably migrating this database; wait for it, or raise --lock-timeout. A killed runner frees the lock when its connection closes.',
        },
      );
    }
    await clock.sleep(Math.min(pollMs, Math.max(1, options.timeoutMs - (now - start))));
  }
}

export async function releaseLock(client: pg.Client, key: [number, number]): Promise<void> {
  await client.query('select pg_advisory_unlock($1, $2)', key);
}
