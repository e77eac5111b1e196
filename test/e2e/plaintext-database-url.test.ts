/**
 * Some teams put DATABASE_URL (password included) in the task definition's plain `environment` rather than in
 * `secrets`. The release record stores the full task definition (for re-registration), and a
 * `github-release://` record is a release asset anyone with read access can download: the password must not
 * travel into it, nor into any action output, while the migration task still reaches the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/core/manifest-schema.ts';
import { MANIFEST_ASSET } from '../../src/stores/github-release-store.ts';
import {
  type E2e,
  ecsInputs,
  everything,
  names,
  REPO,
  STORE,
  startE2e,
  story,
  TOKEN,
  V1,
} from './harness.ts';

let e: E2e;
let td: string;

beforeAll(async () => {
  e = await startE2e('e2e_plain');
  e.cutImage('v1', '0003');
  td = e.registerTd('app:v1', { plaintextUrl: true });
});
afterAll(async () => {
  await e?.close();
});

describe('DATABASE_URL in the task definition environment', () => {
  it('migrates through it, and the password reaches neither the release asset nor any output', async () => {
    const rec = await e.action('record-release', {
      release: 'v1',
      store: STORE,
      'github-token': TOKEN,
      'migrations-dir': `${e.image('v1')}/migrations`,
      'task-definition': td,
    });
    expect(rec.exitCode, story(rec)).toBe(0);
    const mig = await e.action('migrate', { release: 'v1', 'task-definition': td, ...ecsInputs });
    expect(mig.exitCode, story(mig)).toBe(0);
    expect(names(mig.outputs.applied)).toEqual(V1);

    const asset = e.gh.state.release(REPO, 'v1')?.assets.find((a) => a.name === MANIFEST_ASSET);
    expect(asset).toBeDefined();
    const manifest = parseManifest(JSON.parse(asset!.text()));
    expect(manifest.taskDefinitionArn).toBe(td);
    for (const run of [rec, mig]) expect(everything(run)).not.toContain(e.db.password);
    // The stored task definition keeps the variable, with its password replaced by the redaction marker.
    expect(asset!.text(), 'the release asset carries the database password').not.toContain(e.db.password);
    expect(JSON.stringify(manifest.taskDefinition)).toContain('STEPBACK-REDACTED');
    expect(rec.stdout).toMatch(
      /secrets in plain environment variables \(container app: environment DATABASE_URL\)/,
    );
  }, 60_000);
});
