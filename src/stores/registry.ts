/**
 * Every manifest store, by URL scheme. A store is a module implementing ManifestStore (src/core/
 * manifest-store.ts); adding one is one entry here and one test line in test/stores/contract.test.ts. The
 * modules load on demand: a run uses one store, and the S3 one is the heaviest to load.
 */
import { UsageError } from '../core/errors.ts';
import type { ManifestStore } from '../core/manifest-store.ts';
import { printable, type StoreDeps } from './common.ts';

export interface StoreKind {
  /** The URL scheme, lowercase, without `://`. */
  scheme: string;
  /** A URL of this kind with placeholders, for messages and documentation. */
  example: string;
  open(url: string, deps: StoreDeps): Promise<ManifestStore>;
}

export const STORE_KINDS: readonly StoreKind[] = [
  {
    scheme: 'file',
    example: 'file://DIR',
    open: async (url) => (await import('./file-store.ts')).FileStore.fromUrl(url),
  },
  {
    scheme: 's3',
    example: 's3://BUCKET/PREFIX',
    open: async (url, deps) => (await import('./s3-store.ts')).S3Store.fromUrl(url, deps),
  },
  {
    scheme: 'github-release',
    example: 'github-release://OWNER/REPO',
    open: async (url, deps) =>
      (await import('./github-release-store.ts')).GitHubReleaseStore.fromUrl(url, deps),
  },
];

/** `a, b or c`. */
function either(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The store URLs accepted, for hints: `file://DIR, s3://BUCKET/PREFIX or github-release://OWNER/REPO`. */
export const STORE_EXAMPLES = either(STORE_KINDS.map((k) => k.example));
/** The schemes accepted, for input checks: `file://, s3:// or github-release://`. */
export const STORE_SCHEMES = either(STORE_KINDS.map((k) => `${k.scheme}://`));

function storeKind(url: string): StoreKind | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  return STORE_KINDS.find((k) => k.scheme === scheme);
}

/** A URL of a known scheme with something after `://` (what each store then parses in full). */
export function isStoreUrl(url: string): boolean {
  return storeKind(url) !== undefined && /:\/\/./.test(url);
}

export async function openStore(url: string, deps: StoreDeps = {}): Promise<ManifestStore> {
  const kind = storeKind(url);
  if (!kind)
    throw new UsageError(`unsupported manifest store URL: ${printable(url)}`, {
      hint: `use ${STORE_EXAMPLES} (option --store or env STEPBACK_STORE)`,
    });
  return kind.open(url, deps);
}
