import { describe, expect, it } from 'vitest';
import { locateInSql, RUNNER_TRANSACTION_PREFIX, toStepError } from '../../src/rehearse/errors.ts';
import { diffRows, rehearseWithDirective } from '../../src/rehearse/fixtures.ts';

describe('locateInSql', () => {
  const sql = 'select 1;\n-- comment\nalter table t\n  drop colum x;\n';
  it('turns a position into file, line, column and the line text, minus the runner prefix', () => {
    const inFile = sql.indexOf('colum x') + 1;
    const prefix = RUNNER_TRANSACTION_PREFIX.length;
    expect(locateInSql(sql, inFile + prefix, prefix, 'x.down.sql')).toEqual({
      file: 'x.down.sql',
      line: 4,
      column: 8,
      text: 'drop colum x;',
    });
    expect(locateInSql(sql, 1, 0, 'f')).toMatchObject({ line: 1, column: 1 });
  });
  it('gives nothing for a position outside the file (the runner’s own statements)', () => {
    expect(locateInSql(sql, sql.length + 50, 0, 'f')).toBeUndefined();
    expect(locateInSql(sql, 3, 7, 'f')).toBeUndefined();
  });
  it('keeps SQLSTATE, hint and redacts secrets from the message', () => {
    const e = Object.assign(new Error('password hunter2 rejected'), {
      code: '28P01',
      hint: 'check it',
      position: '2',
    });
    const out = toStepError(e, { step: 'down', dir: '/m', redact: (t) => t.replaceAll('hunter2', '***') });
    expect(out).toEqual({ step: 'down', message: 'password *** rejected', code: '28P01', hint: 'check it' });
  });
});

describe('rehearseWithDirective', () => {
  it('reads the directive from the leading comments only', () => {
    expect(
      rehearseWithDirective('-- a migration\n-- stepback:rehearse-with rows.sql\nalter table t add c int;'),
    ).toBe('rows.sql');
    expect(rehearseWithDirective('alter table t add c int;\n-- stepback:rehearse-with rows.sql')).toBeNull();
    expect(rehearseWithDirective('')).toBeNull();
  });
});

describe('diffRows', () => {
  const before = new Map([
    ['public.users', ['{"id": 1, "n": "a"}', '{"id": 2, "n": "b"}', '{"id": 2, "n": "b"}']],
    ['public.gone', ['{"id": 1}']],
    ['public.empty_gone', []],
  ]);
  it('reports lost, changed and new rows as multisets, and tables that vanished with rows', () => {
    const after = new Map([
      ['public.users', ['{"id": 1, "n": "a"}', '{"id": 2, "n": "b"}', '{"id": 3, "n": "c"}']],
    ]);
    expect(diffRows(before, after)).toEqual([
      'table users: 1 row(s) lost or changed, e.g. {"id": 2, "n": "b"}; 1 row(s) new or changed, e.g. {"id": 3, "n": "c"}',
      'table gone: gone with its 1 row(s)',
    ]);
  });
  it('is empty when every row is back', () => {
    const same = new Map([
      ['public.users', ['{"id": 2, "n": "b"}', '{"id": 1, "n": "a"}', '{"id": 2, "n": "b"}']],
      ['public.gone', ['{"id": 1}']],
    ]);
    expect(diffRows(before, same)).toEqual([]);
  });
});
