/**
 * The Django fixture project (test/fixtures/django) as a release's code, and the Python that runs it:
 * Debian's python3-django and python3-psycopg2 under /usr/bin/python3 (STEPBACK_DJANGO_PYTHON overrides).
 * Without them the Django tests are skipped on a developer machine and fail when STEPBACK_REQUIRE_DATABASE
 * is set (CI), where .ci/run installs them.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const PYTHON = process.env.STEPBACK_DJANGO_PYTHON ?? '/usr/bin/python3';
const fixture = resolve(import.meta.dirname, '../fixtures/django');

function probe(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import django, psycopg2'], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `${PYTHON} cannot import django and psycopg2 (${(error as Error).message.split('\n')[0]})`;
  }
}

const missing = probe();
if (missing && process.env.STEPBACK_REQUIRE_DATABASE)
  throw new Error(
    `${missing}: install Debian's python3-django and python3-psycopg2 (.ci/run does), or set STEPBACK_DJANGO_PYTHON`,
  );
/** For `describe.skipIf`: only ever true outside CI (see above). */
export const djangoMissing = missing !== null;

export type FixtureRelease = 'v0' | 'v1' | 'v2' | 'v3';

export interface DjangoRelease {
  dir: string;
  /** `--manage-command` for this release's code. */
  manage: string;
}

/** A copy of the fixture as release `release` has it (v0: shop.0001_initial alone). */
export function djangoRelease(release: FixtureRelease): DjangoRelease {
  const dir = mkdtempSync(join(tmpdir(), `stepback-django-${release}-`));
  cpSync(join(fixture, 'base'), dir, { recursive: true });
  if (release === 'v0') {
    rmSync(join(dir, 'shop/migrations/0002_product_price.py'));
    rmSync(join(dir, 'billing/migrations/0001_initial.py'));
  }
  for (const overlay of ['v2', 'v3'] as const)
    if (release >= overlay) cpSync(join(fixture, overlay), dir, { recursive: true });
  return { dir, manage: `${PYTHON} ${join(dir, 'manage.py')}` };
}
