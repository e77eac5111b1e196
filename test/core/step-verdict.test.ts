import { describe, expect, it } from 'vitest';
import {
  LockTimeoutError,
  MigrationFailedError,
  RefusedError,
  StepbackError,
  UsageError,
} from '../../src/core/errors.ts';
import { verdictError } from '../../src/core/step-verdict.ts';

describe('verdictError: how a step ends, for the actions and the CLI alike', () => {
  it('a step that succeeded ends without an error', () => {
    expect(verdictError({ ok: true, exitCode: 0, message: 'done' })).toBeUndefined();
  });

  it.each([
    [2, UsageError],
    [3, RefusedError],
    [4, LockTimeoutError],
    [1, MigrationFailedError],
  ] as const)('exit %i ends with %o and that exit code', (exitCode, type) => {
    const error = verdictError({ ok: false, exitCode, message: 'why' });
    expect(error).toBeInstanceOf(type);
    expect(error!.exitCode).toBe(exitCode);
    expect(error!.message).toBe('why');
  });

  it.each([null, 0, 137])(
    'a failure with exit %o (unknown, none or outside the scheme) ends with 1',
    (exitCode) => {
      const error = verdictError({ ok: false, exitCode, message: 'task stopped', migration: '0002_b' });
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect(error!.exitCode).toBe(1);
      expect((error as MigrationFailedError).migration).toBe('0002_b');
    },
  );

  it('carries every problem of a refusal', () => {
    const error = verdictError({ ok: false, exitCode: 3, message: 'refused', problems: ['a', 'b'] });
    expect(error).toBeInstanceOf(StepbackError);
    expect(error!.problems).toEqual(['a', 'b']);
  });
});
