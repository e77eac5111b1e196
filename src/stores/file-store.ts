/**
 * `file://DIR`: one `<release>.json` per release. Writes are atomic and exclusive: the manifest is written to a
 * temp file in DIR, then hard-linked to its final name, which fails if the name exists — so a reader never sees
 * half a file, and of two concurrent puts exactly one creates and the other compares.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { compareReleases, type ManifestStore, ReleaseNotFoundError } from '../core/manifest-store.ts';
import type { Manifest } from '../core/release-manifest.ts';
import { checkReleaseName, compareExisting, manifestToStore, readStoredManifest } from './common.ts';

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

  async put(input: Manifest): Promise<'created' | 'unchanged'> {
    const manifest = await manifestToStore(input);
    const target = this.path(manifest.release);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${manifest.release}.${randomUUID()}.tmp`);
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
    try {
      await exclusiveCreate(temp, target);
      return 'created';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return compareExisting(await this.read(manifest.release), manifest, this.location);
    } finally {
      await unlink(temp).catch(() => {});
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
