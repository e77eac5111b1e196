/**
 * Fakes of the flow ports for the pure-decision tests: an in-memory store, a scripted executor that answers
 * like the runner CLI (one JSON line), and a deploy target that records what it was asked to do.
 */
import { createHash } from 'node:crypto';
import {
  compareReleases,
  type ManifestStore,
  ReleaseNotFoundError,
  SourceBundleNotFoundError,
} from '../../src/core/manifest-store.ts';
import type {
  DeployRequest,
  DeployResult,
  DeployTarget,
  ExecRequest,
  ExecResult,
  LiveRelease,
  MigrationExecutor,
  RequestCheck,
} from '../../src/core/ports.ts';
import { buildManifest, type Manifest, type ManifestMigration } from '../../src/core/release-manifest.ts';
import type { AppliedMigration, DatabaseStatus } from '../../src/core/status.ts';
import {
  checkReleaseName,
  compareExisting,
  compareExistingSources,
  manifestToStore,
  sourcesToStore,
} from '../../src/stores/common.ts';
import { status } from '../core/helpers.ts';

export const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
export const tdArn = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/app:${n}`;

export function migration(name: string, reversible = true): ManifestMigration {
  return {
    name,
    checksum: sha(`up ${name}`),
    downChecksum: reversible ? sha(`down ${name}`) : null,
    reversible,
    transactional: true,
  };
}

export function manifest(
  release: string,
  names: string[],
  td?: number,
  irreversible: string[] = [],
): Manifest {
  return buildManifest({
    release,
    createdAt: new Date('2026-11-21T10:00:00Z'),
    migrations: names.map((n) => migration(n, !irreversible.includes(n))),
    ...(td ? { taskDefinitionArn: tdArn(td) } : {}),
  });
}

export function statusOf(m: Manifest, names: string[] = m.migrations.map((x) => x.name)): DatabaseStatus {
  const applied: AppliedMigration[] = names.map((name, i) => {
    const mm = m.migrations.find((x) => x.name === name)!;
    return {
      name,
      order: i + 1,
      checksum: mm.checksum,
      downChecksum: mm.downChecksum,
      reversible: mm.reversible,
      transactional: true,
      release: m.release,
      runId: null,
      actor: null,
      runnerVersion: '0.1.0',
      appliedAt: '2026-11-21T10:00:00Z',
      durationMs: 5,
    };
  });
  return status(applied);
}

/** Passes the store contract (test/stores/contract.test.ts) like the real stores. */
export class MemoryStore implements ManifestStore {
  readonly location = 'memory://test';
  readonly manifests = new Map<string, Manifest>();
  puts = 0;
  constructor(...initial: Manifest[]) {
    for (const m of initial) this.manifests.set(m.release, m);
  }
  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    this.puts++;
    const m = await manifestToStore(input);
    const existing = this.manifests.get(m.release);
    if (existing) return compareExisting(existing, m, this.location);
    this.manifests.set(m.release, m);
    return 'created';
  }
  async get(release: string): Promise<Manifest> {
    const found = this.manifests.get(checkReleaseName(release));
    if (!found) throw new ReleaseNotFoundError(release, this.location, await this.list());
    return found;
  }
  async list(): Promise<string[]> {
    return [...this.manifests.keys()].sort(compareReleases);
  }
  readonly bundles = new Map<string, Uint8Array>();
  async putSources(m: Manifest, bytes: Uint8Array): Promise<'created' | 'unchanged'> {
    sourcesToStore(m, bytes);
    const existing = this.bundles.get(m.release);
    if (existing) return compareExistingSources(existing, bytes, m.release, this.location);
    this.bundles.set(m.release, Uint8Array.from(bytes));
    return 'created';
  }
  async getSources(release: string): Promise<Uint8Array> {
    const bytes = this.bundles.get(checkReleaseName(release));
    if (!bytes) throw new SourceBundleNotFoundError(release, this.location, `the bundle of ${release}`);
    return bytes;
  }
}

export function resultLine(fields: Record<string, unknown>): string {
  return JSON.stringify({
    format: 'stepback/result@1',
    command: 'up',
    ok: true,
    exitCode: 0,
    release: null,
    runId: null,
    applied: [],
    reverted: [],
    failed: null,
    error: null,
    ...fields,
  });
}

/** Answers each request with the next scripted response (or a function of the request). */
export class ScriptedExecutor implements MigrationExecutor {
  readonly requests: ExecRequest[] = [];
  readonly runs: MigrationExecutor['runs'];
  readonly check?: (request: ExecRequest) => RequestCheck;
  constructor(
    readonly kind: MigrationExecutor['kind'],
    private readonly answer: (request: ExecRequest) => Partial<ExecResult> & { stdout?: string },
    options: { check?: (request: ExecRequest) => RequestCheck } = {},
  ) {
    this.runs = ({ ecs: 'task-definition', codebuild: 'image', runner: 'checkout' } as const)[kind];
    if (options.check) this.check = options.check;
  }
  async run(request: ExecRequest): Promise<ExecResult> {
    this.requests.push(request);
    const a = this.answer(request);
    return {
      ok: a.ok ?? true,
      exitCode: a.exitCode === undefined ? 0 : a.exitCode,
      id: a.id ?? `run-${this.requests.length}`,
      message: a.message ?? 'exited 0',
      ...(a.stdout !== undefined ? { stdout: a.stdout } : {}),
      ...(a.imageUnavailable ? { imageUnavailable: a.imageUnavailable } : {}),
    };
  }
}

export class RecordingTarget implements DeployTarget {
  /** As an ECS service unless a test says otherwise. */
  deploysBy: DeployTarget['deploysBy'] = 'task-definition';
  readonly deploys: DeployRequest[] = [];
  constructor(
    public current: LiveRelease,
    private readonly result: (r: DeployRequest) => DeployResult = (r) => ({
      ok: true,
      ...(r.taskDefinitionArn ? { taskDefinitionArn: r.taskDefinitionArn } : {}),
      message: 'stable',
    }),
  ) {}
  async live(): Promise<LiveRelease> {
    return this.current;
  }
  async deploy(request: DeployRequest): Promise<DeployResult> {
    this.deploys.push(request);
    const r = this.result(request);
    if (r.ok)
      this.current = {
        ...(r.taskDefinitionArn ? { taskDefinitionArn: r.taskDefinitionArn } : {}),
        release: request.release,
      };
    return r;
  }
}
