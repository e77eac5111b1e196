import { describe, expect, it } from 'vitest';
import { imagePullFailure } from '../../src/core/ecs-verdict.ts';

const pull = 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found';

describe('imagePullFailure', () => {
  it('is the reason when the task failed to start because its image could not be pulled', () => {
    expect(
      imagePullFailure(
        { stopCode: 'TaskFailedToStart', stoppedReason: pull, containers: [{ name: 'app', reason: pull }] },
        'app',
      ),
    ).toBe(pull);
    expect(imagePullFailure({ stopCode: 'TaskFailedToStart', stoppedReason: pull }, 'app')).toBe(pull);
  });

  it('is undefined for every other way a task ends (secrets, exits, stops)', () => {
    const secrets = 'ResourceInitializationError: unable to pull secrets or registry auth';
    expect(
      imagePullFailure({ stopCode: 'TaskFailedToStart', stoppedReason: secrets }, 'app'),
    ).toBeUndefined();
    expect(
      imagePullFailure(
        { stopCode: 'EssentialContainerExited', containers: [{ name: 'app', exitCode: 1 }] },
        'app',
      ),
    ).toBeUndefined();
    expect(imagePullFailure({ stopCode: 'UserInitiated', stoppedReason: pull }, 'app')).toBeUndefined();
  });
});
