import { describe, expect, it } from 'vitest';
import {
  classifyStatus,
  decideDownTo,
  decideUp,
  revertProblems,
  type SourceInfo,
} from '../../src/core/classify.ts';
import type { AppliedMigration } from '../../src/core/status.ts';

const sum = (c: string) => `sha256:${c.repeat(64)}`;

function src(name: string, over: Partial<SourceInfo> = {}): SourceInfo {
  return { name, checksum: sum('a'), downChecksum: sum('d'), reversible: true, transactional: true, ...over };
}

function row(name: string, order: number, over: Partial<AppliedMigration> = {}): AppliedMigration {
  return {
    name,
    order,
    checksum: sum('a'),
    downChecksum: sum('d'),
    reversible: true,
    transactional: true,
    release: 'v1',
    runId: null,
    actor: null,
    runnerVersion: '0.1.0',
    appliedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    ...over,
  };
}

describe('classifyStatus', () => {
  const cases: {
    title: string;
    applied: AppliedMigration[];
    sources: SourceInfo[];
    expect: { pending: string[]; unknown: string[]; drifted: string[]; outOfOrder: string[] };
  }[] = [
    {
      title: 'fresh database: everything pending',
      applied: [],
      sources: [src('0001_a'), src('0002_b')],
      expect: { pending: ['0001_a', '0002_b'], unknown: [], drifted: [], outOfOrder: [] },
    },
    {
      title: 'up to date',
      applied: [row('0001_a', 1), row('0002_b', 2)],
      sources: [src('0001_a'), src('0002_b')],
      expect: { pending: [], unknown: [], drifted: [], outOfOrder: [] },
    },
    {
      title: 'database ahead of the code',
      applied: [row('0001_a', 1), row('0003_c', 2, { release: 'v3' })],
      sources: [src('0001_a')],
      expect: { pending: [], unknown: ['0003_c'], drifted: [], outOfOrder: [] },
    },
    {
      title: 'drifted file',
      applied: [row('0001_a', 1)],
      sources: [src('0001_a', { checksum: sum('b') })],
      expect: { pending: [], unknown: [], drifted: ['0001_a'], outOfOrder: [] },
    },
    {
      title: 'a new migration sorting before the newest applied one is out of order',
      applied: [row('0001_a', 1), row('0003_c', 2)],
      sources: [src('0001_a'), src('0002_b'), src('0003_c'), src('0004_d')],
      expect: { pending: ['0002_b', '0004_d'], unknown: [], drifted: [], outOfOrder: ['0002_b'] },
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const s = classifyStatus('public', c.applied, c.sources);
      expect(s.format).toBe('stepback/status@1');
      expect(s.pending).toEqual(c.expect.pending);
      expect(s.unknownApplied.map((u) => u.name)).toEqual(c.expect.unknown);
      expect(s.drifted.map((d) => d.name)).toEqual(c.expect.drifted);
      expect(s.outOfOrder).toEqual(c.expect.outOfOrder);
    });
  }

  it('orders applied rows by apply order, not by name', () => {
    const s = classifyStatus('public', [row('0002_b', 2), row('0001_a', 1)], [src('0001_a'), src('0002_b')]);
    expect(s.applied.map((a) => a.name)).toEqual(['0001_a', '0002_b']);
  });
});

describe('decideUp', () => {
  const sources = [src('0001_a'), src('0002_b'), src('0003_c', { transactional: false }), src('0004_d')];
  const cases: {
    title: string;
    applied: AppliedMigration[];
    sources?: SourceInfo[];
    options?: Parameters<typeof decideUp>[2];
    toApply: string[];
    refusal?: RegExp;
  }[] = [
    {
      title: 'applies all pending in name order',
      applied: [],
      toApply: ['0001_a', '0002_b', '0003_c', '0004_d'],
    },
    { title: '--to is inclusive', applied: [], options: { to: '0002_b' }, toApply: ['0001_a', '0002_b'] },
    {
      title: 'refuses when the database is ahead, naming the migration and its release',
      applied: [row('0001_a', 1), row('0009_z', 2, { release: 'v9' })],
      toApply: [],
      refusal: /ahead of this code.*0009_z \(applied by release v9\)/,
    },
    {
      title: 'refuses drift',
      applied: [row('0001_a', 1)],
      sources: [src('0001_a', { checksum: sum('e') }), src('0002_b')],
      toApply: [],
      refusal: /0001_a was changed after it was applied/,
    },
    {
      title: 'refuses out-of-order pending',
      applied: [row('0001_a', 1), row('0003_c', 2)],
      toApply: [],
      refusal: /0002_b sort before the newest applied migration 0003_c/,
    },
    {
      title: '--allow-out-of-order applies them',
      applied: [row('0001_a', 1), row('0003_c', 2)],
      options: { allowOutOfOrder: true },
      toApply: ['0002_b', '0004_d'],
    },
    {
      title: '--single-transaction refuses a batch with a non-transactional migration',
      applied: [],
      options: { singleTransaction: true },
      toApply: [],
      refusal: /single-transaction.*0003_c/,
    },
    {
      title: '--single-transaction is fine when the batch is all transactional',
      applied: [row('0001_a', 1), row('0002_b', 2), row('0003_c', 3)],
      options: { singleTransaction: true },
      toApply: ['0004_d'],
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const list = c.sources ?? sources;
      const d = decideUp(classifyStatus('public', c.applied, list), list, c.options);
      expect(d.toApply).toEqual(c.toApply);
      if (c.refusal) expect(d.refusals.join('\n')).toMatch(c.refusal);
      else expect(d.refusals).toEqual([]);
    });
  }
});

describe('decideDownTo', () => {
  const sources = [src('0001_a'), src('0002_b'), src('0003_c')];
  const applied = [row('0001_a', 1), row('0003_c', 2), row('0002_b', 3)];
  it('reverts everything applied after NAME, newest applied first (exclusive)', () => {
    expect(decideDownTo(applied, sources, '0001_a')).toEqual({ kind: 'ok', revert: ['0002_b', '0003_c'] });
  });
  it('--to 0 reverts all', () => {
    expect(decideDownTo(applied, sources, '0')).toEqual({
      kind: 'ok',
      revert: ['0002_b', '0003_c', '0001_a'],
    });
  });
  it('--to the newest applied reverts nothing', () => {
    expect(decideDownTo(applied, sources, '0002_b')).toEqual({ kind: 'ok', revert: [] });
  });
  it('an unknown or unapplied target is a usage error', () => {
    expect(decideDownTo(applied, sources, '0009_x').kind).toBe('usage');
    expect(decideDownTo([row('0001_a', 1)], sources, '0002_b').kind).toBe('usage');
  });
  it('refuses when a migration to revert is missing, irreversible or drifted — listing each', () => {
    const d = decideDownTo(
      [row('0001_a', 1), row('0002_b', 2), row('0003_c', 3), row('0004_d', 4)],
      [
        src('0001_a'),
        src('0002_b', { reversible: false, downChecksum: null }),
        src('0003_c', { downChecksum: sum('f') }),
      ],
      '0001_a',
    );
    expect(d.kind).toBe('refused');
    const problems = d.kind === 'refused' ? d.problems.join('\n') : '';
    expect(problems).toMatch(/0004_d: applied, but this directory does not contain it/);
    expect(problems).toMatch(/0002_b: irreversible/);
    expect(problems).toMatch(/0003_c: the down step differs/);
  });
});

describe('revertProblems', () => {
  it('checks the plan expectations too', () => {
    const problems = revertProblems(row('0001_a', 1), src('0001_a'), {
      checksum: sum('a'),
      downChecksum: sum('9'),
    });
    expect(problems).toEqual([expect.stringMatching(/plan expects down checksum/)]);
  });
  it('is empty when file, record and plan agree', () => {
    expect(
      revertProblems(row('0001_a', 1), src('0001_a'), { checksum: sum('a'), downChecksum: sum('d') }),
    ).toEqual([]);
  });
  it('flags an up file changed since it was applied', () => {
    expect(revertProblems(row('0001_a', 1), src('0001_a', { checksum: sum('c') }))).toEqual([
      expect.stringMatching(/up file changed/),
    ]);
  });
});
