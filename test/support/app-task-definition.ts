/**
 * The app's task definition as the tests register it in the AWS simulation: one Fargate container `app`
 * whose DATABASE_URL comes from a secret (or, to prove plain-text values are refused, from plain text), with
 * its logs in the awslogs group `/ecs/app`.
 */
import { join, resolve } from 'node:path';
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

/**
 * The ECS executor inputs of the migrate and rollback actions for that task definition: its network, and the
 * built CLI as the runner command inside the "image" (a folder the simulation runs the task in).
 */
export const appEcsInputs: Record<string, string> = {
  executor: 'ecs',
  cluster: 'default',
  container: 'app',
  subnets: 'subnet-0a1b2c3d',
  'security-groups': 'sg-0a1b2c3d',
  'runner-command': `${process.execPath} ${join(resolve(import.meta.dirname, '../..'), 'dist/cli.js')}`,
  'timeout-minutes': '2',
};
