/** Test helpers for the AWS runners: clocks driven by the simulation, task definitions, clients. */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { type AwsClientOptions, codebuildClient, ecsClient, logsClient } from '../../src/aws/clients.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { AwsSim } from '../sim/index.ts';

/**
 * Sleeping moves the simulation's virtual time (and applies due transitions), so a 6-second poll costs
 * nothing. `onSleep` sees each wait (e.g. to abort a run after some virtual time).
 */
export function simClock(
  sim: AwsSim,
  onSleep?: (ms: number, now: number) => void,
): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => sim.now(),
    async sleep(ms) {
      slept.push(ms);
      await sim.advance(ms);
      onSleep?.(ms, sim.now());
    },
  };
}

/** For process-backed tasks: virtual time moves as above, and a little real time passes for the process. */
export function hybridClock(sim: AwsSim, realMs = 200): Clock {
  return {
    now: () => sim.now(),
    async sleep(ms) {
      await sim.advance(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, realMs)));
    },
  };
}

export interface AwsClients {
  region: string;
  ecs: ECSClient;
  codebuild: CodeBuildClient;
  logs: CloudWatchLogsClient;
  destroy(): void;
}

/** Real SDK clients pointed at the simulation, built the way the wiring builds them (src/aws/clients.ts). */
export async function clientsFor(sim: AwsSim): Promise<AwsClients> {
  const options: AwsClientOptions = {
    endpoint: sim.endpoint,
    maxAttempts: 1,
    credentials: sim.clientConfig.credentials,
  };
  const [ecs, codebuild, logs] = await Promise.all([
    ecsClient(sim.region, options),
    codebuildClient(sim.region, options),
    logsClient(sim.region, options),
  ]);
  return {
    region: sim.region,
    ecs,
    codebuild,
    logs,
    destroy() {
      ecs.destroy();
      codebuild.destroy();
      logs.destroy();
    },
  };
}

export interface TdOptions {
  family?: string;
  image: string;
  container?: string;
  awslogs?: boolean;
  networkMode?: string;
  command?: string[];
  entryPoint?: string[];
  environment?: Record<string, string>;
  secrets?: Record<string, string>;
  sidecar?: boolean;
}

export const LOG_GROUP = '/ecs/app';

/** Register a migration-capable task definition in the simulation; returns its ARN. */
export function registerTd(sim: AwsSim, o: TdOptions): string {
  const container = o.container ?? 'app';
  const td = sim.ecs.register({
    family: o.family ?? 'app',
    networkMode: o.networkMode ?? 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: container,
        image: o.image,
        essential: true,
        ...(o.command ? { command: o.command } : {}),
        ...(o.entryPoint ? { entryPoint: o.entryPoint } : {}),
        environment: Object.entries(o.environment ?? {}).map(([name, value]) => ({ name, value })),
        secrets: Object.entries(o.secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })),
        ...(o.awslogs === false
          ? {}
          : {
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': LOG_GROUP,
                  'awslogs-region': sim.region,
                  'awslogs-stream-prefix': 'migrate',
                },
              },
            }),
      },
      ...(o.sidecar
        ? [{ name: 'envoy', image: o.image, essential: false, environment: [], secrets: [] }]
        : []),
    ],
  });
  return td.arn;
}

export const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0a1b2c3d'],
    securityGroups: ['sg-0a1b2c3d'],
    assignPublicIp: 'DISABLED' as const,
  },
};
