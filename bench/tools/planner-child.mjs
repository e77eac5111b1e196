/**
 * Run by bench/sections/planner.mjs as `node --import tsx planner-child.mjs <migrations> <revert>`: times the
 * library functions in-process (the planner and the manifest validator are pure) and prints one JSON line.
 * A function that has not landed yet is reported as `{ notMeasured }` for that measurement.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const total = Number(process.argv[2] ?? 10000);
const revert = Number(process.argv[3] ?? 1000);
const iterations = Number(process.argv[4] ?? 20);

const sha = (s) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const migrations = Array.from({ length: total }, (_, i) => {
  const name = `${String(i + 1).padStart(5, '0')}_migration_${(i * 7919) % 100000}`;
  return {
    name,
    checksum: sha(`up ${name}`),
    downChecksum: sha(`down ${name}`),
    reversible: true,
    transactional: true,
  };
});

const manifestMod = await import('../../src/core/release-manifest.ts');
const schemaMod = await import('../../src/core/manifest-schema.ts');
const build = (release, list) =>
  manifestMod.buildManifest({
    release,
    createdAt: new Date('2026-11-21T10:00:00Z'),
    migrations: list,
    source: { repository: 'org/app', commit: 'a'.repeat(40) },
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${'b'.repeat(64)}`,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/app:${release === 'v2' ? 43 : 42}`,
  });
const newer = build('v2', migrations);
const older = build('v1', migrations.slice(0, total - revert));
const newerText = JSON.stringify(newer);

function time(fn) {
  const first = performance.now();
  let out = fn();
  const cold = performance.now() - first;
  const runs = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    out = fn();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  return { out, firstCallMs: cold, medianMs: runs[Math.floor(runs.length / 2)], minMs: runs[0], iterations };
}

const result = { migrations: total, revert, manifestBytes: Buffer.byteLength(newerText) };

result.jsonParse = time(() => JSON.parse(newerText));
delete result.jsonParse.out;

if (typeof schemaMod.parseManifest !== 'function') {
  result.validate = { notMeasured: 'parseManifest is not exported by src/core/manifest-schema.ts yet' };
} else {
  try {
    // parseManifest validates data read from disk/network; it is given the parsed JSON value, and if it
    // rejects that, the raw text.
    let input = JSON.parse(newerText);
    try {
      schemaMod.parseManifest(input);
    } catch {
      input = newerText;
      schemaMod.parseManifest(input);
    }
    const r = time(() => schemaMod.parseManifest(input));
    result.validate = { ...r, input: typeof input === 'string' ? 'text' : 'parsed JSON', out: undefined };
  } catch (error) {
    result.validate = { notMeasured: `parseManifest threw on a valid manifest: ${error.message}` };
  }
}

if (typeof manifestMod.manifestDigest === 'function') {
  // The plan carries both manifests' digests (canonical JSON + sha256): part of planRollback's cost.
  result.digest = time(() => manifestMod.manifestDigest(newer));
  delete result.digest.out;
}

const planMod = await import('../../src/core/rollback-plan.ts').catch((error) => ({ error }));
if (planMod.error || typeof planMod.planRollback !== 'function') {
  result.plan = { notMeasured: 'planRollback is not implemented in src/core/rollback-plan.ts yet' };
} else {
  const applied = migrations.map((m, i) => ({
    name: m.name,
    order: i + 1,
    checksum: m.checksum,
    downChecksum: m.downChecksum,
    reversible: true,
    transactional: true,
    release: 'v2',
    runId: '1',
    actor: 'bench',
    runnerVersion: '0.1.0',
    appliedAt: '2026-11-21T10:00:00Z',
    durationMs: 5,
  }));
  // Every migration applied, as `stepback status` would report it.
  const { classifyStatus } = await import('../../src/core/classify.ts');
  const status = classifyStatus('public', applied, migrations);
  for (const [key, input] of [
    ['plan', { newer, older }],
    ['planWithStatus', { newer, older, status }],
  ]) {
    try {
      const r = time(() => planMod.planRollback(input));
      const out = r.out;
      result[key] = {
        ...r,
        out: undefined,
        ok: out?.ok,
        reverts: out?.ok ? out.plan.revert.length : undefined,
        reasons: out?.ok ? undefined : out?.reasons,
      };
    } catch (error) {
      result[key] = { notMeasured: `planRollback threw: ${error.message}` };
    }
  }
}

process.stdout.write(`${JSON.stringify(result)}\n`);
