/**
 * The rollback's fallback when the newer release's image cannot be pulled: the status and the downs run in
 * the older release's task definition, the downs from the newer release's source bundle in the store; or a
 * refusal that says why and how to allow it. (Through the ECS and CodeBuild simulations with real processes
 * and PostgreSQL: test/e2e/rollback-image-gone.test.ts, test/e2e/rollback-image-gone-codebuild.test.ts.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecRequest } from '../../src/core/ports.ts';
import { buildManifest, type Manifest } from '../../src/core/release-manifest.ts';
import { loadReleaseSources } from '../../src/pipeline/local/sources.ts';
import { memoryLog } from '../../src/pipeline/log.ts';
import { type RollbackOptions, rollback } from '../../src/pipeline/rollback.ts';
import { MemoryStore, RecordingTarget, resultLine, ScriptedExecutor, statusOf, tdArn } from './fakes.ts';

const PULL = 'CannotPullContainerError: failed to resolve ref app:v2: not found';

/** A release recorded from real files (its manifest names its bundle), as record-release stores it. */
async function release(name: string, files: Record<string, string>, td: number, image?: string) {
  const dir = mkdtempSync(join(tmpdir(), `stepback-fallback-${name}-`));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const { migrations, sources } = await loadReleaseSources(dir, name);
  const manifest = buildManifest({
    release: name,
    createdAt: new Date('2026-12-01T00:00:00Z'),
    migrations,
    taskDefinitionArn: tdArn(td),
    ...(image ? { image } : {}),
    sourceBundle: sources.digest,
  });
  return { manifest, bytes: sources.bytes };
}

const v1Files = { '0001_a.up.sql': 'create table a (id int);', '0001_a.down.sql': 'drop table a;' };
const v2Files = {
  ...v1Files,
  '0002_b.up.sql': 'create table b (id int);',
  '0002_b.down.sql': 'drop table b;',
};

async function setup(
  options: {
    pullFailsAt?: 'status' | 'down';
    bundle?: 'stored' | 'missing';
    /** codebuild: runs go by image (`images`: which releases were recorded with theirs). */
    kind?: 'ecs' | 'codebuild';
    images?: ('v1' | 'v2')[];
  } = {},
) {
  const images = options.images ?? [];
  const imageOf = (r: 'v1' | 'v2') => (images.includes(r) ? `app:${r}` : undefined);
  const v1 = await release('v1', v1Files, 1, imageOf('v1'));
  const v2 = await release('v2', v2Files, 2, imageOf('v2'));
  const store = new MemoryStore(v1.manifest, v2.manifest);
  if (options.bundle !== 'missing') await store.putSources(v2.manifest, v2.bytes);
  const failsAt = options.pullFailsAt ?? 'status';
  const kind = options.kind ?? 'ecs';
  const executor = new ScriptedExecutor(kind, (req: ExecRequest) => {
    const newerImage = kind === 'ecs' ? req.taskDefinitionArn === tdArn(2) : req.image === 'app:v2';
    if (newerImage && (failsAt === 'status' || req.args[0] === 'down'))
      return { ok: false, exitCode: null, message: `Task failed to start: ${PULL}`, imageUnavailable: PULL };
    if (req.args[0] === 'status') return { stdout: `${JSON.stringify(statusOf(v2.manifest))}\n` };
    return {
      stdout: resultLine({
        command: 'down',
        reverted: [{ name: '0002_b', durationMs: 2 }],
        verification: { release: 'v1', matches: true, differences: [] },
      }),
    };
  });
  const target = new RecordingTarget({ taskDefinitionArn: tdArn(2), release: 'v2' });
  return { store, executor, target, v2: v2.manifest as Manifest };
}

const base: RollbackOptions = {
  toRelease: 'v1',
  idempotencyKey: 'k',
  timeoutMs: 60_000,
  sourcesFromStore: true,
};

describe('rollback when the newer image cannot be pulled', () => {
  it('runs the status and the downs in the older task definition, from the store, then deploys and says so', async () => {
    const { store, executor, target } = await setup();
    const log = memoryLog();
    const outcome = await rollback(base, { store, executor, target }, log);
    expect(outcome.status, outcome.message).toBe('rolled-back');
    expect(executor.requests.map((r) => [r.args[0], r.taskDefinitionArn, r.idempotencyKey])).toEqual([
      ['status', tdArn(2), 'k-status'],
      ['status', tdArn(1), 'k-status-older'],
      ['down', tdArn(1), 'k-down-older'],
    ]);
    expect(executor.requests[2]!.args).toEqual([
      'down',
      '--plan',
      '--sources-from',
      store.location,
      '--release',
      'v1',
      '--json',
    ]);
    expect(target.deploys.map((d) => d.taskDefinitionArn)).toEqual([tdArn(1)]);
    expect(outcome.downsFrom).toEqual({
      image: 'older',
      release: 'v1',
      taskDefinitionArn: tdArn(1),
      bundleFrom: store.location,
      reason: PULL,
    });
    expect(outcome.message).toContain(
      `The downs ran in release v1's image (${tdArn(1)}) from v2's source bundle in ${store.location}`,
    );
    expect(outcome.message).toContain(`because v2's image could not be pulled: ${PULL}`);
    expect(outcome.message).toContain('schema matches release v1');
    expect(log.text()).toMatch(/warn: Release v2's image cannot be pulled/);
  });

  it('falls back at the down step when only that run cannot pull the image', async () => {
    const { store, executor, target } = await setup({ pullFailsAt: 'down' });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status, outcome.message).toBe('rolled-back');
    expect(executor.requests.map((r) => [r.args[0], r.taskDefinitionArn])).toEqual([
      ['status', tdArn(2)],
      ['down', tdArn(2)],
      ['down', tdArn(1)],
    ]);
    expect(outcome.downsFrom?.image).toBe('older');
  });

  it('with executor codebuild: the status and the downs run in the older release image, named in the outcome', async () => {
    const { store, executor, target } = await setup({ kind: 'codebuild', images: ['v1', 'v2'] });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status, outcome.message).toBe('rolled-back');
    expect(executor.requests.map((r) => [r.args[0], r.image, r.idempotencyKey])).toEqual([
      ['status', 'app:v2', 'k-status'],
      ['status', 'app:v1', 'k-status-older'],
      ['down', 'app:v1', 'k-down-older'],
    ]);
    expect(executor.requests[2]!.args.slice(0, 4)).toEqual([
      'down',
      '--plan',
      '--sources-from',
      store.location,
    ]);
    expect(target.deploys.map((d) => d.taskDefinitionArn)).toEqual([tdArn(1)]);
    expect(outcome.downsFrom).toMatchObject({ image: 'older', release: 'v1', imageRef: 'app:v1' });
    expect(outcome.message).toContain("The downs ran in release v1's image (app:v1) from v2's source bundle");
  });

  it('with executor codebuild: refused when the older release was recorded without its image, nothing run in another', async () => {
    const { store, executor, target } = await setup({ kind: 'codebuild', images: ['v2'] });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(outcome.exitCode).toBe(3);
    expect(executor.requests).toHaveLength(1);
    expect(target.deploys).toEqual([]);
    expect(outcome.reasons).toContain(
      'release v1 was recorded without its image, so the codebuild executor cannot run in it',
    );
    expect(outcome.message).toContain('Record v1 with its image');
  });

  it('without sources-from-store: refused, nothing run in the older image, not deployed, and it says how to allow it', async () => {
    const { store, executor, target } = await setup();
    const outcome = await rollback(
      { ...base, sourcesFromStore: false },
      { store, executor, target },
      memoryLog(),
    );
    expect(outcome.status).toBe('refused');
    expect(outcome.exitCode).toBe(3);
    expect(executor.requests).toHaveLength(1);
    expect(target.deploys).toEqual([]);
    expect(outcome.message).toContain('run the rollback again with sources-from-store: true');
    expect(outcome.reasons[0]).toContain(PULL);
  });

  it('refuses when the newer release has no bundle in the store, before anything runs in the older image', async () => {
    const { store, executor, target } = await setup({ bundle: 'missing' });
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(executor.requests).toHaveLength(1);
    expect(target.deploys).toEqual([]);
    expect(outcome.reasons.join('\n')).toMatch(/release v2 has no source bundle in memory:\/\/test/);
  });

  it('refuses a bundle changed in the store, before anything runs in the older image', async () => {
    const { store, executor, target, v2 } = await setup({ bundle: 'missing' });
    const bytes = Buffer.from('{"format":"stepback/sources@1","release":"v2"}');
    store.bundles.set('v2', bytes);
    const outcome = await rollback(base, { store, executor, target }, memoryLog());
    expect(outcome.status).toBe('refused');
    expect(executor.requests).toHaveLength(1);
    expect(outcome.reasons.join('\n')).toContain(`the manifest of v2 records ${v2.sourceBundle}`);
  });
});
