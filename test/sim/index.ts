/**
 * A stateful AWS simulation of ECS, CodeBuild and CloudWatch Logs for tests, speaking the AWS JSON 1.1
 * protocol over HTTP on loopback, so the REAL SDK clients talk to it — in-process, or from another process
 * (an action bundle under Node 24) through the standard endpoint variables.
 *
 *   const sim = await startAwsSim({ clock: 'manual', images: { 'app:v2': { dir: '/path/to/app' } } });
 *   new ECSClient({ ...sim.clientConfig });                 // in-process (maxAttempts 1: our code retries)
 *   spawn(node24, ['actions/dist/migrate.js'], { env: { ...process.env, ...sim.env, INPUT_…: … } });
 *   sim.ecs.register({...}); sim.ecs.createService({...}); sim.codebuild.createProject({ name: 'migrate' });
 *   await sim.advance(6_000);                               // manual clock: move time, apply due transitions
 *   sim.fault({ kind: 'error', operation: 'DescribeTasks', error: 'ThrottlingException', times: 3 });
 *   sim.calls.filter((c) => c.operation === 'StopTask')     // every request, recorded (wire-shape input)
 *   await sim.close();
 *
 * Options (all optional):
 * - `clock`: `'manual'` (default; virtual time, moved by `advance(ms)`) or `'real'` (wall clock, transitions
 *   applied every 25 ms — use this for child processes, with short `timings`).
 * - `timings`: durations of provisioning, image pull, scripted runs, StopTask, deployments, scaling, CodeBuild
 *   queue/provisioning (`DEFAULT_TIMINGS` in common.ts), and `deprovisionMs`: Fargate's gap between the
 *   container's exit (container STOPPED with its exit code) and the task's STOPPED (default 0).
 * - `images`: image name → `{ dir, command? }` (really run the container command as a process in `dir`) or
 *   `{ script: { exitCode, lines, runMs } }`. Unknown images fail with CannotPullContainerError. Also a live
 *   `Map` at `sim.images`.
 * - `secrets`: `valueFrom` ARN/name → value, for task definition `secrets` and CodeBuild PARAMETER_STORE /
 *   SECRETS_MANAGER variables (an unresolvable one fails the task/build the way AWS does).
 * - `logPageSize`: the most events a GetLogEvents page returns (default 50, so paging is exercised).
 * - `region` (default us-east-1), `accountId` (default 123456789012).
 *
 * What it gets right (the AWS behaviours the README's Troubleshooting table names): RunTask failures[] without an exception, clientToken
 * idempotency (same token + different parameters → ConflictException), launchType vs capacityProviderStrategy
 * exclusive, INACTIVE task definitions refused by RunTask/UpdateService ("TaskDefinition is inactive"),
 * DescribeTasks MISSING, exit codes, stopCode/stoppedReason, StopTask (UserInitiated + reason, tags deleted),
 * awslogs streams `<prefix>/<container>/<task id>` that exist only once the container runs, GetLogEvents token
 * semantics, deployments PRIMARY/ACTIVE with rolloutState and a circuit-breaker rollback, service events,
 * CodeBuild phases/buildStatus/contexts and the `…:null` log ARN, error bodies `{"__type","message"}` with the
 * HTTP status the SDK uses to classify them.
 *
 * Faults (`sim.fault(...)`, see faults.ts): `{kind:'error', operation ('*' = any), error, times}`,
 * `{kind:'runTaskFailure', reason, detail}`, `{kind:'task', effect: {cannotPull|oom|neverStops|
 * missingDescribes|exitCodeLagDescribes|lateLogsMs|script}}`, `{kind:'deployment', effect:
 * 'circuitBreakerRollback'}`, `{kind:'build', effect: {script|neverStops|lateLogsMs}}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CodeBuildSim } from './codebuild.ts';
import { DEFAULT_TIMINGS, hexId, type JsonObject, SimClock, SimError, type SimTimings } from './common.ts';
import { EcsSim } from './ecs.ts';
import { Faults, type ImageSpec, type SimFault } from './faults.ts';
import { LogsSim } from './logs.ts';

export type { SimTimings } from './common.ts';
export { DEFAULT_TIMINGS } from './common.ts';
export type { BuildEffect, ImageSpec, ScriptSpec, SimFault, TaskEffect } from './faults.ts';

export interface AwsSimOptions {
  clock?: 'manual' | 'real';
  /** Start of virtual time (default 2026-11-21T10:00:00Z). */
  startTime?: number;
  timings?: Partial<SimTimings>;
  images?: Record<string, ImageSpec>;
  secrets?: Record<string, string>;
  logPageSize?: number;
  region?: string;
  accountId?: string;
}

export interface RecordedCall {
  service: 'ecs' | 'codebuild' | 'logs';
  operation: string;
  input: JsonObject;
  /** Simulation time of the call. */
  at: number;
  /** The AWS error type when the call was answered with one. */
  error?: string;
}

export interface AwsSim {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  endpoint: string;
  /** Everything a child process needs for its SDK clients to reach the simulation. */
  env: Record<string, string>;
  /** Spread into an SDK client constructor: endpoint, region, dummy credentials, maxAttempts 1. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  region: string;
  accountId: string;
  ecs: EcsSim;
  codebuild: CodeBuildSim;
  logs: LogsSim;
  /** The whole state, for assertions. */
  state: { ecs: EcsSim; codebuild: CodeBuildSim; logs: LogsSim };
  calls: RecordedCall[];
  /** Recorded calls of one operation. */
  callsTo(operation: string): RecordedCall[];
  images: Map<string, ImageSpec>;
  secrets: Map<string, string>;
  now(): number;
  /** Manual clock: move time forward and apply every transition that became due. */
  advance(ms: number): Promise<void>;
  /** Apply due transitions now (done before every request anyway). */
  tick(): void;
  fault(fault: SimFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const TARGETS: Record<string, AwsSim['calls'][number]['service']> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  CodeBuild_20161006: 'codebuild',
  Logs_20140328: 'logs',
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const DEFAULT_ERROR_STATUS: Record<string, number> = {
  ThrottlingException: 400,
  AccessDeniedException: 400,
  ExpiredTokenException: 400,
  UnrecognizedClientException: 400,
  ServerException: 500,
  ServiceUnavailableException: 503,
  InternalFailure: 500,
};

const DEFAULT_ERROR_MESSAGE: Record<string, string> = {
  ThrottlingException: 'Rate exceeded',
  AccessDeniedException:
    'User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform this action',
  ExpiredTokenException: 'The security token included in the request is expired',
  ServerException: 'Service encountered an internal error.',
};

export async function startAwsSim(options: AwsSimOptions = {}): Promise<AwsSim> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const clock = new SimClock(
    options.clock ?? 'manual',
    options.startTime ?? Date.UTC(2026, 10, 21, 10, 0, 0),
  );
  const timings: SimTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const faults = new Faults();
  const images = new Map(Object.entries(options.images ?? {}));
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const now = () => clock.now();
  const logs = new LogsSim(now, options.logPageSize ?? 50);
  const shared = { region, accountId, now, timings, faults, logs, images, secrets };
  const ecs = new EcsSim(shared);
  const codebuild = new CodeBuildSim(shared);
  const calls: RecordedCall[] = [];

  const tick = () => {
    const t = clock.now();
    ecs.tick(t);
    codebuild.tick(t);
  };

  const handlers: Record<string, (input: JsonObject) => JsonObject> = {
    'ecs.RegisterTaskDefinition': (i) => ecs.registerTaskDefinition(i),
    'ecs.DescribeTaskDefinition': (i) => ecs.describeTaskDefinition(i),
    'ecs.DeregisterTaskDefinition': (i) => ecs.deregisterTaskDefinition(i),
    'ecs.TagResource': (i) => ecs.tagResource(i),
    'ecs.UntagResource': (i) => ecs.untagResource(i),
    'ecs.ListTagsForResource': (i) => ecs.listTagsForResource(i),
    'ecs.RunTask': (i) => ecs.runTask(i),
    'ecs.DescribeTasks': (i) => ecs.describeTasks(i),
    'ecs.StopTask': (i) => ecs.stopTask(i),
    'ecs.CreateService': (i) => ecs.createService(i),
    'ecs.DescribeServices': (i) => ecs.describeServices(i),
    'ecs.UpdateService': (i) => ecs.updateService(i),
    'codebuild.StartBuild': (i) => codebuild.startBuild(i),
    'codebuild.BatchGetBuilds': (i) => codebuild.batchGetBuilds(i),
    'codebuild.StopBuild': (i) => codebuild.stopBuild(i),
    'logs.GetLogEvents': (i) => logs.getLogEvents(i),
    'logs.FilterLogEvents': (i) => logs.filterLogEvents(i),
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': hexId(16),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix = '', operation = ''] = target.split('.');
    const service = TARGETS[prefix];
    let input: JsonObject = {};
    try {
      input = body ? (JSON.parse(body) as JsonObject) : {};
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'Invalid JSON body' });
      return;
    }
    const call: RecordedCall = { service: service ?? 'ecs', operation, input, at: clock.now() };
    calls.push(call);
    try {
      const handler = service ? handlers[`${service}.${operation}`] : undefined;
      if (!service || !handler)
        throw new SimError(
          'UnknownOperationException',
          `The simulation does not implement ${target || '(no target)'}`,
        );
      const fault = faults.take('error', (f) => f.operation === operation || f.operation === '*');
      if (fault) {
        throw new SimError(
          fault.error,
          fault.message ?? DEFAULT_ERROR_MESSAGE[fault.error] ?? `${fault.error} (simulated)`,
          fault.status ?? DEFAULT_ERROR_STATUS[fault.error] ?? 400,
        );
      }
      tick();
      const output = handler(input);
      tick();
      send(res, 200, output);
    } catch (error) {
      if (error instanceof SimError) {
        call.error = error.type;
        send(res, error.status, { __type: error.type, message: error.message });
      } else {
        call.error = 'ServerException';
        send(res, 500, { __type: 'ServerException', message: (error as Error).message });
      }
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const ticker = clock.mode === 'real' ? setInterval(tick, 25) : undefined;
  ticker?.unref();

  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_ECS: endpoint,
      AWS_ENDPOINT_URL_CODEBUILD: endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpoint,
      AWS_ACCESS_KEY_ID: 'AKIASIMULATION000000',
      AWS_SECRET_ACCESS_KEY: 'simulation-secret-access-key',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    clientConfig: {
      endpoint,
      region,
      credentials: { accessKeyId: 'AKIASIMULATION000000', secretAccessKey: 'simulation-secret-access-key' },
      maxAttempts: 1,
    },
    region,
    accountId,
    ecs,
    codebuild,
    logs,
    state: { ecs, codebuild, logs },
    calls,
    callsTo: (operation) => calls.filter((c) => c.operation === operation),
    images,
    secrets,
    now,
    async advance(ms) {
      clock.advanceBy(ms);
      tick();
      // Let process exits and socket callbacks that became due run before the caller looks again.
      await new Promise((resolve) => setImmediate(resolve));
    },
    tick,
    fault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    async close() {
      if (ticker) clearInterval(ticker);
      ecs.killAll();
      codebuild.killAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
