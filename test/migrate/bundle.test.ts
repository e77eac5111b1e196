/**
 * A release's source bundle read back gives the same migrations as the directory it was made from, in every
 * layout stepback reads (the tool fixtures), and names code migrations as needing the image.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/core/release-manifest.ts';
import { bundleOf, sourcesFromBundle } from '../../src/migrate/bundle.ts';
import { manifestMigrations, readMigrationDirectory } from '../../src/migrate/sources.ts';

const fixtures = resolve(import.meta.dirname, '../fixtures');
const dirs = [
  ...readdirSync(join(fixtures, 'tools'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(fixtures, 'tools', e.name)),
  join(fixtures, 'layouts/migrations'),
];

describe.each(dirs)('the bundle of %s', (dir) => {
  it('reads back as the same migrations, in the same layout and order; modules are named, not bundled', async () => {
    const read = await readMigrationDirectory(dir);
    const { bundle, bytes, digest } = bundleOf('v1', dir, read);
    expect(bundle.layout).toBe(read.layout);
    const manifest = buildManifest({
      release: 'v1',
      createdAt: new Date('2026-12-01T00:00:00Z'),
      migrations: manifestMigrations(read.sources),
      sourceBundle: digest,
    });
    const back = await sourcesFromBundle(manifest, bytes, 'test');
    const modules = read.sources.filter((m) => m.layout === 'module').map((m) => m.name);
    expect(back.needsImage).toEqual([...modules].sort());
    expect(manifestMigrations(back.sources)).toEqual(
      manifestMigrations(read.sources.filter((m) => !modules.includes(m.name))),
    );
    for (const m of back.sources) expect(m.upPath).toMatch(/^test:/);
  });
});
