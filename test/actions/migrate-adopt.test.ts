/**
 * The committed migrate bundle with `adopt: true` and the runner executor (the real stepback CLI against a
 * real PostgreSQL database golang-migrate migrated): the first run takes the history over and applies the
 * rest, the outputs and the summary say what was adopted, a second run adopts nothing and says why, and a
 * refusal fails the step with nothing changed.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDir } from '../cli/cli.ts';
import { toolTables } from '../migrate/adopt/tools.ts';
import { databasesForThisFile, withClient } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

const root = resolve(import.meta.dirname, '../..');
const runnerCommand = `${process.execPath} ${join(root, 'dist/cli.js')}`;
const freshDb = databasesForThisFile();

const files = {
  '1_users.up.sql': 'create table users (id int primary key);',
  '1_users.down.sql': 'drop table users;',
  '2_posts.up.sql': 'create table posts (id int primary key);',
  '2_posts.down.sql': 'drop table posts;',
  '3_tags.up.sql': 'create table tags (name text primary key);',
  '3_tags.down.sql': 'drop table tags;',
};

async function golangAtVersion2(label: string, dirty = false) {
  const db = await freshDb(label);
  await withClient(db.url, async (c) => {
    await c.query(files['1_users.up.sql']);
    await c.query(files['2_posts.up.sql']);
    await toolTables['golang-migrate'](c, [{ id: '2' } as never], { dirty });
  });
  const inputs = (release: string, more: Record<string, string> = {}) => ({
    release,
    executor: 'runner',
    'runner-command': runnerCommand,
    'migrations-dir': migrationsDir(files),
    'database-url': db.url,
    adopt: 'true',
    ...more,
  });
  return { db, inputs };
}

const names = (db: { url: string }) =>
  withClient(db.url, async (c) =>
    (await c.query('select name, release from stepback_migrations order by applied_order')).rows.map(
      (r) => `${r.name}@${r.release}`,
    ),
  );

describe('migrate action with adopt: true', () => {
  it('adopts, applies the rest, and says what it adopted in the outputs and the summary; then adopts nothing', async () => {
    const { db, inputs } = await golangAtVersion2('act_adopt');
    const run = await runAction('migrate', { inputs: inputs('v1', { 'adopt-from': 'golang-migrate' }) });
    expect(run.errors, run.stderr).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.outputs.adopted!)).toEqual(['1_users', '2_posts']);
    expect(JSON.parse(run.outputs.applied!).map((a: { name: string }) => a.name)).toEqual(['3_tags']);
    expect(run.summary).toContain(
      'Adopted 2 migrations from golang-migrate ("public"."schema_migrations") as release adopted-golang-migrate, recorded as applied without running: 1_users, 2_posts.',
    );
    expect(run.summary).toContain('<details>');
    expect(run.summary).toContain('- `2_posts`');
    expect(run.summary).toContain('3_tags');
    expect(await names(db)).toEqual([
      '1_users@adopted-golang-migrate',
      '2_posts@adopted-golang-migrate',
      '3_tags@v1',
    ]);
    // The runner's mask commands carry the secret by design; nothing else may.
    const stdout = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const text of [stdout, run.stderr, run.summary, JSON.stringify(run.outputs)])
      expect(text).not.toContain(`:${db.password}@`);

    const again = await runAction('migrate', { inputs: inputs('v2') });
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.outputs.adopted!)).toEqual([]);
    expect(again.summary).toMatch(/Adoption: nothing adopted: stepback's state tables exist already/);
    expect(again.summary).toContain('already up to date');
  });

  it('a refusal fails the step with exit code 3 and one error annotation; nothing changes', async () => {
    const { db, inputs } = await golangAtVersion2('act_adopt_dirty', true);
    const run = await runAction('migrate', { inputs: inputs('v1') });
    expect(run.exitCode).not.toBe(0);
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/refusing to adopt from golang-migrate/);
    expect(JSON.parse(run.outputs.adopted!)).toEqual([]);
    expect(JSON.parse(run.outputs.applied!)).toEqual([]);
    await withClient(db.url, async (c) => {
      expect((await c.query(`select to_regclass('stepback_migrations') as t`)).rows[0].t).toBeNull();
      expect((await c.query(`select to_regclass('tags') as t`)).rows[0].t).toBeNull();
    });
  });

  it('adopt-from without adopt, or naming an unknown tool, is an input error', async () => {
    const run = await runAction('migrate', {
      inputs: { release: 'v1', executor: 'runner', adopt: 'false', 'adopt-from': 'liquibase' },
    });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('adopt-from: must be one of golang-migrate, migratus');
    const alone = await runAction('migrate', {
      inputs: { release: 'v1', executor: 'runner', 'adopt-from': 'goose' },
    });
    expect(alone.exitCode).toBe(2);
    expect(alone.errors[0]).toContain('adopt-from: is only read with adopt: true');
  });
});
