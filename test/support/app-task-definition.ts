/**
 * The app's task definition as the tests register it in the AWS simulation: one Fargate container `app`
 * whose DATABASE_URL comes from a secret (or, to prove plain-text values are refused, from plain text), with
 * its logs in the awslogs group `/ecs/app`.
 */
import type { AwsSim } from '../sim/index.ts';

export const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-db';

export function registerAppTaskDefinition(
  sim: AwsSim,
  image: string,
  options: { streamPrefix: string; plaintextUrl?: string },
): string {
  return sim.ecs.register({
    family: 'app',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'app',
        image,
        essential: true,
        environment: options.plaintextUrl ? [{ name: 'DATABASE_URL', value: options.plaintextUrl }] : [],
        secrets: options.plaintextUrl ? [] : [{ name: 'DATABASE_URL', valueFrom: DB_SECRET }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': '/ecs/app',
            'awslogs-region': sim.region,
            'awslogs-stream-prefix': options.streamPrefix,
          },
        },
      },
    ],
  }).arn;
}
