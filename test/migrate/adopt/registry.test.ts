/** One state reader per tool name (tools.ts is what the inputs check against; registry.ts what adopt reads). */
import { expect, it } from 'vitest';
import { STATE_READERS, TOOL_NAMES } from '../../../src/migrate/adopt/registry.ts';

it('lists exactly one reader for each tool name, in the same order', () => {
  expect(STATE_READERS.map((r) => r.tool)).toEqual([...TOOL_NAMES]);
});
