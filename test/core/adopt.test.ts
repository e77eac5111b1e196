import { describe, expect, it } from 'vitest';
import { decideAdoption, type ToolState } from '../../src/core/adopt.ts';
import { compareIds, numericKey } from '../../src/migrate/layouts/order.ts';

const sources = ['1', '1.1', '2', '3'].map((id) => ({ name: `V${id}__m`, id }));
const rules = {
  versionKey: (v: string) => numericKey(v, true),
  compare: (a: string, b: string) => compareIds(a, b, true),
};
const state = (over: Partial<ToolState>): ToolState => ({
  tool: 'flyway',
  table: 'h',
  kind: 'each',
  versions: [],
  unsafe: [],
  ...over,
});

describe('decideAdoption', () => {
  it('a baseline counts every version up to it as applied, rows after it add to that', () => {
    expect(decideAdoption(state({ baseline: '1.1', versions: [{ version: '2' }] }), sources, rules)).toEqual({
      ok: true,
      adopt: ['V1__m', 'V1.1__m', 'V2__m'],
    });
  });

  it('latest: every migration up to the one version', () => {
    expect(decideAdoption(state({ kind: 'latest', versions: [{ version: '2.0' }] }), sources, rules)).toEqual(
      {
        ok: true,
        adopt: ['V1__m', 'V1.1__m', 'V2__m'],
      },
    );
  });

  it('an empty history adopts nothing; unsafe rows, gaps and unknown versions are all listed', () => {
    expect(decideAdoption(state({}), sources, rules)).toEqual({ ok: true, adopt: [] });
    const d = decideAdoption(
      state({ unsafe: ['dirty'], versions: [{ version: '1' }, { version: '3' }, { version: '9' }] }),
      sources,
      rules,
    );
    expect(d.ok).toBe(false);
    expect(!d.ok && d.problems).toEqual([
      'dirty',
      expect.stringMatching(/version\(s\) 9 applied that this directory does not contain/),
      expect.stringMatching(/^V1\.1__m, V2__m are not applied, but V3__m after them is/),
    ]);
  });
});
