/**
 * A database migrated the way each tool does it: the migrations' up SQL run in order, and the tool's own
 * state table (its DDL and its rows, as the tool writes them). dbmate's is made by the real dbmate binary
 * in dbmate.test.ts instead.
 */
import type pg from 'pg';
import { flywayChecksum } from '../../../src/migrate/adopt/flyway.ts';
import { readMigrationDirectory } from '../../../src/migrate/sources.ts';
import type { MigrationSource } from '../../../src/migrate/types.ts';
import { withClient } from '../../support/pg.ts';

/** Runs the first `count` migrations' up SQL as the tool would (no stepback state). */
export async function applyUps(url: string, dir: string, count: number): Promise<MigrationSource[]> {
  const { sources } = await readMigrationDirectory(dir);
  await withClient(url, async (c) => {
    for (const m of sources.slice(0, count)) await c.query(m.upSql!);
  });
  return sources;
}

export const toolTables = {
  'golang-migrate': async (c: pg.Client, applied: MigrationSource[], opts: { dirty?: boolean } = {}) => {
    await c.query(
      'create table if not exists schema_migrations (version bigint not null primary key, dirty boolean not null)',
    );
    const last = applied.at(-1);
    if (last)
      await c.query('insert into schema_migrations values ($1, $2)', [Number(last.id), opts.dirty ?? false]);
  },
  migratus: async (c: pg.Client, applied: MigrationSource[]) => {
    await c.query(
      'create table schema_migrations (id bigint unique not null, applied timestamp, description varchar(1024))',
    );
    for (const m of applied)
      await c.query('insert into schema_migrations values ($1, now(), $2)', [
        m.id,
        m.name.slice(m.name.indexOf('-') + 1),
      ]);
  },
  goose: async (c: pg.Client, applied: MigrationSource[]) => {
    await c.query(`create table goose_db_version (id serial not null, version_id bigint not null,
      is_applied boolean not null, tstamp timestamp null default now(), primary key (id))`);
    await c.query('insert into goose_db_version (version_id, is_applied) values (0, true)');
    for (const m of applied)
      await c.query('insert into goose_db_version (version_id, is_applied) values ($1, true)', [
        Number(m.id),
      ]);
  },
  diesel: async (c: pg.Client, applied: MigrationSource[]) => {
    await c.query(`create table __diesel_schema_migrations (version varchar(50) primary key not null,
      run_on timestamp not null default current_timestamp)`);
    for (const m of applied)
      await c.query('insert into __diesel_schema_migrations (version) values ($1)', [
        m.id.replace(/\D/g, ''),
      ]);
  },
  flyway: async (c: pg.Client, applied: MigrationSource[]) => {
    await c.query(`create table flyway_schema_history (installed_rank int not null, version varchar(50),
      description varchar(200) not null, type varchar(20) not null, script varchar(1000) not null, checksum integer,
      installed_by varchar(100) not null, installed_on timestamp not null default now(), execution_time integer not null,
      success boolean not null, primary key (installed_rank))`);
    let rank = 1;
    for (const m of applied) {
      const script = `${m.name}.sql`;
      await c.query(
        `insert into flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
         values ($1, $2, $3, 'SQL', $4, $5, 'flyway', 3, true)`,
        [rank++, m.id, m.name.split('__')[1]!.replace(/_/g, ' '), script, flywayChecksum(m.upSql!)],
      );
    }
  },
};

/** Every row of `table`, for "unchanged" assertions. */
export async function rowsOf(c: pg.Client, table: string): Promise<unknown[]> {
  return (await c.query(`select * from ${table} order by 1`)).rows;
}
