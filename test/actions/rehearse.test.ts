/** The rehearse bundle under Node 24 against the real PostgreSQL server (scratch databases are its own). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl } from '../support/pg.ts';
import { runAction } from '../support/run-action.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('rehearse action', () => {
  it('passes for downs that restore the schema, listing each migration in the summary', async () => {
    const run = await runAction('rehearse', {
      inputs: {
        'migrations-dir': join(fixtures, 'v2/migrations'),
        release: 'v2',
        'database-url': adminUrl(),
      },
    });
    expect(run.errors, run.stdout).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.outputs.verdict).toContain('passed');
    for (const name of ['0001_create_items', '0002_add_price', '0003_create_tags'])
      expect(run.summary).toContain(name);
    expect(JSON.parse(run.outputs.broken!)).toEqual([]);
  });

  it('fails with exit 3 naming the migration whose down is broken', async () => {
    const run = await runAction('rehearse', {
      inputs: { 'migrations-dir': join(fixtures, 'baddown/migrations'), 'database-url': adminUrl() },
    });
    expect(run.exitCode).toBe(3);
    expect(JSON.parse(run.outputs.broken!)).toEqual(['0002_add_price']);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toContain('0002_add_price');
    expect(run.summary).toContain('0002_add_price');
  });

  it('rejects bad inputs together', async () => {
    const run = await runAction('rehearse', {
      inputs: { 'require-reversible': 'si', all: '1', store: 'http://x', engine: 'rails' },
    });
    expect(run.exitCode).toBe(2);
    expect(run.errors).toHaveLength(1);
    for (const input of ['require-reversible', 'all', 'store', 'engine'])
      expect(run.errors[0]).toContain(`${input}:`);
    expect(run.errors[0]).toContain('must be one of stepback, django');
  });
});
