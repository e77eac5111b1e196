import { describe, expect, it } from 'vitest';
import { hasRedactions, REDACTED, redactTaskDefinition } from '../../src/core/task-definition-secrets.ts';

const td = (environment: { name: string; value: string }[]) => ({
  family: 'app',
  containerDefinitions: [
    { name: 'app', image: 'app:1', environment, secrets: [{ name: 'API_KEY', valueFrom: 'arn:aws:ssm:x' }] },
  ],
});

describe('redactTaskDefinition', () => {
  it.each([
    [
      'a URL password',
      'DATABASE_URL',
      'postgres://app:s3cret@db:5432/app',
      `postgres://app:${REDACTED}@db:5432/app`,
    ],
    [
      'a password query parameter',
      'DSN',
      'postgres://db/app?password=s3cret&sslmode=require',
      `postgres://db/app?password=${REDACTED}&sslmode=require`,
    ],
    [
      'a keyword DSN',
      'PG_DSN',
      "host=db password='s3 cret' dbname=app",
      `host=db password=${REDACTED} dbname=app`,
    ],
    ['a secret-named variable', 'STRIPE_API_KEY', 'sk_live_123', REDACTED],
    ['a token', 'GITHUB_TOKEN', 'ghp_abc', REDACTED],
  ])('removes %s and says where it was', (_what, name, value, expected) => {
    const { taskDefinition, redacted } = redactTaskDefinition(
      td([
        { name, value },
        { name: 'LOG_LEVEL', value: 'info' },
      ]),
    );
    const env = (
      taskDefinition.containerDefinitions as { environment: { name: string; value: string }[] }[]
    )[0]!.environment;
    expect(env).toEqual([
      { name, value: expected },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    expect(JSON.stringify(taskDefinition)).not.toContain('s3cret');
    expect(redacted).toEqual([`container app: environment ${name}`]);
    expect(hasRedactions(taskDefinition)).toBe(true);
  });

  it('keeps a task definition without plain-text secrets as it is (secrets references are not values)', () => {
    const input = td([
      { name: 'DATABASE_URL', value: 'postgres://app@db:5432/app' },
      { name: 'PORT', value: '80' },
    ]);
    const { taskDefinition, redacted } = redactTaskDefinition(input);
    expect(taskDefinition).toBe(input);
    expect(redacted).toEqual([]);
    expect(hasRedactions(taskDefinition)).toBe(false);
  });
});
