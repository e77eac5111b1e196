/**
 * `file://DIR`: one `<release>.json` per release, its source bundle in `sources/<release>.json`. Writes are atomic and exclusive: the manifest is written to a
 * temp file in DIR, then hard-linked to its final name, which fails if the name exists — so a reader never sees
 * half a file, and of two concurrent puts exactly one creates and the other compares.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import {
  compareReleases,
  type ManifestStore,
  ReleaseNotFoundError,
  SourceBundleNotFoundError,
} from '../core/manifest-store.ts';
import type { Manifest } from '../core/release-manifest.ts';
import {
  checkReleaseName,
  compareExisting,
  compareExistingSources,
  manifestToStore,
  readStoredManifest,
  sourcesToStore,
} from './common.ts';

export class FileStore implements ManifestStore {
  readonly location: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
    this.location = `file://${this.dir}`;
  }

  /** `file:///abs/dir`, `file://./rel/dir` and `file://rel/dir` are all accepted: people write all three. */
  static fromUrl(url: string): FileStore {
    const rest = url.slice('file://'.length);
    if (rest === '')
      throw new UsageError('file:// store URL has no directory', { hint: 'use file:///path/to/dir' });
    return new FileStore(decodeURIComponent(rest.replace(/^localhost\//, '/')));
  }

  private path(release: string): string {
    return join(this.dir, `${checkReleaseName(release)}.json`);
  }

  private sourcesPath(release: string): string {
    return join(this.dir, 'sources', `${checkReleaseName(release)}.json`);
  }

  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    const manifest = await manifestToStore(input);
    const created = await writeOnce(this.path(manifest.release), `${JSON.stringify(manifest, null, 2)}\n`);
    if (created) return 'created';
    return compareExisting(await this.read(manifest.release), manifest, this.location);
  }

  async putSources(manifest: Manifest, bytes: Uint8Array): Promise<'created' | 'unchanged'> {
    sourcesToStore(manifest, bytes);
    const path = this.sourcesPath(manifest.release);
    if (await writeOnce(path, bytes)) return 'created';
    return compareExistingSources(await readFile(path), bytes, manifest.release, this.location);
  }

  async getSources(release: string): Promise<Uint8Array> {
    const path = this.sourcesPath(release);
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new SourceBundleNotFoundError(release, this.location, path);
    }
  }

  async get(release: string): Promise<Manifest> {
    try {
      return await this.read(release);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new ReleaseNotFoundError(release, this.location, await this.list());
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => n.slice(0, -'.json'.length))
      .sort(compareReleases);
  }

  private async read(release: string): Promise<Manifest> {
    const path = this.path(release);
    return readStoredManifest(
      await readFile(path, 'utf8'),
      path,
      release,
      'a stored manifest was renamed or copied by hand; restore the original file name',
    );
  }
}

/** Writes `target` unless it exists (atomically: a reader never sees half a file); false when it existed. */
async function writeOnce(target: string, data: string | Uint8Array): Promise<boolean> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(target)}.${randomUUID()}.tmp`);
  await writeFile(temp, data, { flag: 'wx' });
  try {
    await exclusiveCreate(temp, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** link() is atomic and refuses to overwrite; some filesystems lack hard links, where an exclusive copy is the fallback. */
async function exclusiveCreate(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
    await copyFile(temp, target, constants.COPYFILE_EXCL);
  }
}
