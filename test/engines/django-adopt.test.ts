/** The Django engine refuses `up --adopt` before running anything: Django keeps its own history. */
import { expect, it } from 'vitest';
import { djangoEngine } from '../../src/engines/django/engine.ts';

it('up --adopt is a usage error naming how Django takes over existing tables, and runs nothing', async () => {
  // A manage command that cannot start: reaching it would fail differently.
  const result = await djangoEngine.up({
    dir: '.',
    adopt: true,
    manageCommand: '/nonexistent/python3 manage.py',
    env: {},
  });
  expect(result.exitCode).toBe(2);
  expect(result.error).toContain('the django engine does not adopt');
  expect(result.error).toContain('--fake-initial');
  expect(result.applied).toEqual([]);
});
