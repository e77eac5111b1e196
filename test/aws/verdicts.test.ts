/** Table tests of the pure AWS decisions in src/core. */
import { describe, expect, it } from 'vitest';
import { classifyAwsError, fullJitterDelay, isRetryable } from '../../src/core/aws-errors.ts';
import { clientTokenFor } from '../../src/core/client-token.ts';
import {
  buildEnvironment,
  buildspecFor,
  plaintextSecretProblems,
  shellQuote,
} from '../../src/core/codebuild-env.ts';
import { buildImagePullFailure, buildLogLocation, buildVerdict } from '../../src/core/codebuild-verdict.ts';
import {
  deploymentVerdict,
  isCapacityFailure,
  type ServiceView,
  type TaskView,
  taskVerdict,
} from '../../src/core/ecs-verdict.ts';
import { RESULT_LINE } from '../../src/core/result-format.ts';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef';

function stopped(over: Partial<TaskView>, container: Record<string, unknown> = {}): TaskView {
  return {
    taskArn: ARN,
    lastStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'app', lastStatus: 'STOPPED', ...container }],
    ...over,
  };
}

describe('taskVerdict', () => {
  const cases: [string, TaskView, boolean, Record<string, unknown>, string[]][] = [
    ['running', { taskArn: ARN, lastStatus: 'RUNNING', containers: [] }, false, { state: 'running' }, []],
    ['exit 0', stopped({}, { exitCode: 0 }), false, { state: 'succeeded', exitCode: 0 }, ['exitCode=0']],
    [
      'exit 1',
      stopped({}, { exitCode: 1 }),
      false,
      { state: 'failed', exitCode: 1, cause: 'exit' },
      ['container app exited with 1', 'stopCode=EssentialContainerExited'],
    ],
    [
      'OOM',
      stopped({}, { exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }),
      false,
      { state: 'failed', exitCode: 137 },
      ['usually out of memory', 'reason="OutOfMemoryError'],
    ],
    ['exit code lagging', stopped({}, {}), false, { state: 'recheck' }, ['waiting for the exit code']],
    [
      'exit code never came',
      stopped({}, {}),
      true,
      { state: 'failed', exitCode: null, cause: 'never-ran' },
      ['so it never ran'],
    ],
    [
      'failed to start',
      stopped(
        { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: not found' },
        { reason: 'CannotPullContainerError: not found' },
      ),
      false,
      { state: 'failed', exitCode: null, cause: 'never-ran' },
      ['failed to start', 'stoppedReason="CannotPullContainerError: not found"'],
    ],
    [
      'user stop with exit 0 is still a failure',
      stopped({ stopCode: 'UserInitiated', stoppedReason: 'stepback: cancelled' }, { exitCode: 0 }),
      false,
      { state: 'failed', cause: 'stopped' },
      ['stopped by a user or tool', 'stepback: cancelled'],
    ],
    [
      'spot interruption',
      stopped({ stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }, {}),
      false,
      { state: 'failed', cause: 'stopped' },
      ['not a migration failure'],
    ],
    [
      'unknown stop code',
      stopped({ stopCode: 'SomethingNew' }, { exitCode: 0 }),
      false,
      { state: 'failed' },
      ['unrecognised stop code', 'stopCode=SomethingNew'],
    ],
    [
      'Fargate still deprovisioning, but the container has stopped with its exit code',
      { ...stopped({ lastStatus: 'DEPROVISIONING', desiredStatus: 'STOPPED' }, { exitCode: 0 }) },
      false,
      { state: 'succeeded', exitCode: 0 },
      [],
    ],
    [
      'deprovisioning without an exit code yet: keep waiting',
      { ...stopped({ lastStatus: 'DEPROVISIONING', desiredStatus: 'STOPPED' }, {}) },
      true,
      { state: 'running', lastStatus: 'DEPROVISIONING' },
      [],
    ],
    [
      'the named container is missing',
      { ...stopped({}), containers: [{ name: 'envoy', exitCode: 0 }] },
      false,
      { state: 'failed', cause: 'missing-container' },
      ['no container named app (containers: envoy)'],
    ],
    [
      'the named container decides, not the first one',
      {
        ...stopped({}),
        containers: [
          { name: 'envoy', exitCode: 0 },
          { name: 'app', exitCode: 2 },
        ],
      },
      false,
      { state: 'failed', exitCode: 2 },
      ['container app exited with 2', 'container envoy: exitCode=0'],
    ],
  ];
  it.each(cases)('%s', (_name, task, finalCheck, expected, fragments) => {
    const verdict = taskVerdict(task, 'app', finalCheck);
    expect(verdict).toMatchObject(expected);
    for (const f of fragments) expect('message' in verdict ? verdict.message : '').toContain(f);
  });
});

describe('deploymentVerdict', () => {
  const d = (over: Record<string, unknown>) => ({
    id: 'ecs-svc/1',
    status: 'PRIMARY',
    taskDefinition: 'td:2',
    desiredCount: 2,
    runningCount: 2,
    rolloutState: 'COMPLETED',
    ...over,
  });
  const cases: [string, ServiceView, string, string?][] = [
    ['only ours, COMPLETED', { status: 'ACTIVE', deployments: [d({})] }, 'succeeded'],
    [
      'ours COMPLETED but the old one still draining',
      { deployments: [d({}), d({ id: 'ecs-svc/0', status: 'ACTIVE', taskDefinition: 'td:1' })] },
      'waiting',
    ],
    ['in progress', { deployments: [d({ rolloutState: 'IN_PROGRESS', runningCount: 1 })] }, 'waiting'],
    [
      'rollout FAILED',
      {
        deployments: [
          d({ rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker: tasks failed to start' }),
        ],
      },
      'failed',
      'circuit breaker: tasks failed to start',
    ],
    [
      'replaced by a rollback: stable, but not ours',
      { deployments: [d({ id: 'ecs-svc/9', taskDefinition: 'td:1' })], taskDefinition: 'td:1' },
      'failed',
      'was replaced',
    ],
    [
      'ours no longer PRIMARY',
      { deployments: [d({ id: 'ecs-svc/9', taskDefinition: 'td:1' }), d({ status: 'ACTIVE' })] },
      'failed',
      'no longer PRIMARY',
    ],
    [
      'no rolloutState (CODE_DEPLOY / classic LB): running == desired',
      { deployments: [d({ rolloutState: undefined })] },
      'succeeded',
    ],
    ['service draining', { status: 'DRAINING', deployments: [d({})] }, 'failed', 'DRAINING'],
  ];
  it.each(cases)('%s', (_name, service, state, fragment) => {
    const verdict = deploymentVerdict(service, 'ecs-svc/1');
    expect(verdict.state).toBe(state);
    if (fragment) expect(verdict.message).toContain(fragment);
  });
});

describe('buildVerdict and the log location', () => {
  it.each([
    [{ buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD' }, 'running', null, undefined],
    [{ id: 'p:0', buildStatus: 'SUCCEEDED' }, 'succeeded', 0, 'Build p:0 SUCCEEDED'],
    [
      {
        id: 'p:1',
        buildStatus: 'FAILED',
        phases: [
          { phaseType: 'INSTALL', phaseStatus: 'SUCCEEDED' },
          {
            phaseType: 'BUILD',
            phaseStatus: 'FAILED',
            contexts: [
              {
                statusCode: 'COMMAND_EXECUTION_ERROR',
                message: 'Error while executing command: x. Reason: exit status 3',
              },
            ],
          },
        ],
      },
      'failed',
      3,
      'Build p:1 FAILED in phase BUILD (FAILED): COMMAND_EXECUTION_ERROR: Error while executing command: x. Reason: exit status 3',
    ],
    [
      { id: 'p:2', buildStatus: 'TIMED_OUT', phases: [{ phaseType: 'BUILD', phaseStatus: 'TIMED_OUT' }] },
      'failed',
      null,
      'Build p:2 TIMED_OUT in phase BUILD (TIMED_OUT)',
    ],
    [{ id: 'p:3', buildStatus: 'FAULT' }, 'failed', null, 'Build p:3 FAULT'],
  ])('%o → %s', (build, state, exitCode, message) => {
    const verdict = buildVerdict(build);
    expect(verdict.state).toBe(state);
    if (verdict.state !== 'running') {
      expect(verdict.exitCode).toBe(exitCode);
      expect(verdict.message).toBe(message);
    }
  });

  it('reads an image pull failure only from a failed PROVISIONING phase (nothing ran), by status code or message', () => {
    const pull = (phaseType: string, context: { statusCode?: string; message?: string }) => ({
      id: 'p:4',
      buildStatus: 'FAILED',
      phases: [
        { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' },
        { phaseType: 'QUEUED', phaseStatus: 'SUCCEEDED' },
        { phaseType, phaseStatus: 'FAILED', contexts: [context] },
      ],
    });
    const current = {
      statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE',
      message: "Unable to pull customer's container image. CannotPullContainerError: manifest unknown",
    };
    expect(buildImagePullFailure(pull('PROVISIONING', current))).toBe(
      "BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE: Unable to pull customer's container image. CannotPullContainerError: manifest unknown",
    );
    // The older wording, under CLIENT_ERROR.
    const older = {
      statusCode: 'CLIENT_ERROR',
      message:
        "Unable to pull customer's container image. ErrorCode: 404, Reason: pull access denied for app, repository does not exist",
    };
    expect(buildImagePullFailure(pull('PROVISIONING', older))).toMatch(/^CLIENT_ERROR: Unable to pull/);
    // A secret that did not resolve fails PROVISIONING too, but the image was never the problem.
    expect(
      buildImagePullFailure(
        pull('PROVISIONING', { statusCode: 'CLIENT_ERROR', message: 'reference x not found' }),
      ),
    ).toBe(undefined);
    // A command that mentions the words in BUILD ran: not a pull failure.
    expect(buildImagePullFailure(pull('BUILD', current))).toBe(undefined);
    expect(buildImagePullFailure({ buildStatus: 'IN_PROGRESS', currentPhase: 'PROVISIONING' })).toBe(
      undefined,
    );
    expect(buildImagePullFailure({ buildStatus: 'SUCCEEDED' })).toBe(undefined);
  });

  it('treats the …:null log ARN as "no logs yet"', () => {
    expect(
      buildLogLocation({ logs: { cloudWatchLogsArn: 'arn:aws:logs:r:1:log-group:null:log-stream:null' } }),
    ).toBe(undefined);
    expect(
      buildLogLocation({
        logs: { cloudWatchLogsArn: 'arn:aws:logs:r:1:log-group:/aws/codebuild/m:log-stream:abc-1' },
      }),
    ).toEqual({ group: '/aws/codebuild/m', stream: 'abc-1' });
    expect(buildLogLocation({ logs: { groupName: 'g', streamName: 's' } })).toEqual({
      group: 'g',
      stream: 's',
    });
  });
});

describe('error classification and back-off', () => {
  it.each([
    [{ name: 'ThrottlingException' }, 'throttling'],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, 'throttling'],
    [{ name: 'AccessDeniedException' }, 'access'],
    [{ name: 'ExpiredTokenException' }, 'credentials'],
    [{ name: 'UnrecognizedClientException' }, 'credentials'],
    [{ name: 'ResourceNotFoundException' }, 'not-found'],
    [{ name: 'ConflictException' }, 'conflict'],
    [{ name: 'ServerException', $metadata: { httpStatusCode: 500 } }, 'transient'],
    [{ name: 'Error', code: 'ECONNRESET' }, 'transient'],
    [{ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } }, 'other'],
    ['a string', 'other'],
  ])('%o → %s', (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });

  it('retries only throttling and transient errors', () => {
    expect(
      ['throttling', 'transient', 'access', 'credentials', 'other'].map((k) => isRetryable(k as never)),
    ).toEqual([true, true, false, false, false]);
  });

  it('full jitter stays below the capped exponential ceiling', () => {
    expect([0, 1, 2, 3, 10].map((a) => fullJitterDelay(a, 1000, 30_000, () => 0.999))).toEqual([
      999, 1998, 3996, 7992, 29_970,
    ]);
    expect(fullJitterDelay(5, 1000, 30_000, () => 0)).toBe(0);
  });
});

describe('clientTokenFor', () => {
  it.each([
    ['run-123-1', 1, 'run-123-1'],
    ['run-123-1', 3, 'run-123-1~3'],
  ])('%s attempt %d → %s', (key, attempt, token) => {
    expect(clientTokenFor(key, attempt)).toBe(token);
  });

  it('long or non-printable keys become a deterministic digest within 64 printable ASCII characters', () => {
    const long = `org/app:${'x'.repeat(200)}`;
    const token = clientTokenFor(long, 12);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[\x21-\x7e]+$/);
    expect(token).toBe(clientTokenFor(long, 12));
    expect(clientTokenFor(`${long}y`)).not.toBe(clientTokenFor(long));
    expect(clientTokenFor('has space é')).toMatch(/^hasspace-[0-9a-f]{32}$/);
  });
});

describe('failures and CodeBuild environment', () => {
  it.each([
    ['Capacity is unavailable at this time. Please try again later', true],
    ['RESOURCE:MEMORY', true],
    ['RESOURCE:ENI', true],
    ['MISSING', false],
    ['ATTRIBUTE', false],
    ['AGENT', false],
  ])('%s is a capacity failure: %s', (reason, expected) => {
    expect(isCapacityFailure({ reason })).toBe(expected);
  });

  it('quotes for sh and writes a JSON buildspec', () => {
    expect(shellQuote('up')).toBe('up');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
    expect(JSON.parse(buildspecFor(['a', 'b c']))).toEqual({
      version: '0.2',
      phases: { build: { commands: [`a 'b c'`] } },
    });
  });

  it('finds plaintext secrets by flag, name and value, and sends references typed', () => {
    expect(
      plaintextSecretProblems(
        {
          A: 'plain',
          API_KEY: 'x',
          URL: 'postgres://u:p@h/db',
          DSN: 'host=h password=p',
          GH: `ghp_${'a'.repeat(36)}`,
        },
        ['A'],
      ),
    ).toEqual([
      'A is a secret and cannot be passed as a PLAINTEXT build variable',
      'API_KEY looks like a secret (by its name) and cannot be passed as a PLAINTEXT build variable',
      'URL holds a URL with a password and cannot be passed as a PLAINTEXT build variable',
      'DSN holds a connection string with a password and cannot be passed as a PLAINTEXT build variable',
      'GH holds a GitHub token and cannot be passed as a PLAINTEXT build variable',
    ]);
    expect(plaintextSecretProblems({ DATABASE_HOST: 'db.internal', STEPBACK_RELEASE: 'v2' })).toEqual([]);
    expect(
      buildEnvironment({ R: 'v2' }, { DATABASE_URL: { type: 'PARAMETER_STORE', ref: '/app/db-url' } }),
    ).toEqual([
      { name: 'R', value: 'v2', type: 'PLAINTEXT' },
      { name: 'DATABASE_URL', value: '/app/db-url', type: 'PARAMETER_STORE' },
    ]);
  });
});

describe('RESULT_LINE (the runner finished)', () => {
  it.each([
    ['{"format":"stepback/result@1","command":"up","ok":true}', true],
    ['{"command":"down","format":"stepback/result@1","ok":false}', true],
    ['  {"format":"stepback/result@1"}', true],
    ['applying 0001_users (format stepback/result@1 follows)', false],
    ['{"format":"stepback/status@1"}', false],
  ])('%s → %s', (line, expected) => {
    expect(RESULT_LINE.test(line)).toBe(expected);
  });
});
