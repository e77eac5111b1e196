import { describe, expect, it } from 'vitest';
import { manifestDifferences } from '../../src/pipeline/record-release.ts';
import { manifest } from '../core/helpers.ts';

describe('manifestDifferences', () => {
  it('names a record that differs only in the order its migrations are listed (an earlier name-order record)', () => {
    const stored = manifest('v2', ['10_c', '1_a', '2_b']);
    const fresh = manifest('v2', ['1_a', '2_b', '10_c']);
    expect(manifestDifferences(stored, fresh)).toEqual([
      expect.stringMatching(/^the migrations are listed in another order/),
    ]);
  });

  it('lists changed migrations without the order line', () => {
    const stored = manifest('v2', ['1_a', '2_b']);
    const fresh = manifest('v2', ['1_a', '2_b', '10_c']);
    expect(manifestDifferences(stored, fresh)).toEqual(['migration 10_c is new in this directory']);
  });
});
