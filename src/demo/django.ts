/**
 * `npm run demo:django`: the Django story on this machine, through the built CLI with `--engine django`.
 *
 * The project is the Django fixture (test/fixtures/django: two apps, a cross-app dependency, a squash, data
 * migrations with and without a reverse, a non-atomic migration). Releases v1, v2 and v3 are copies of it,
 * as three images would hold them. v1 and v2 are recorded (manifests) and migrated; v2 is rolled back to
 * v1 (plan with per-app targets, Django's own backwards run, proofs: django_migrations and the schema equal
 * v1's); then v3, which adds irreversible migrations, is migrated and its rollback is refused before
 * anything changes.
 *
 * Needs Django and psycopg2 for some python (Debian: `apt-get install python3-django python3-psycopg2`);
 * STEPBACK_DJANGO_PYTHON picks it (default /usr/bin/python3). PostgreSQL: a fresh database on DATABASE_URL's
 * server, or an embedded PostgreSQL when it is unset; dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { describeError } from '../core/errors.ts';
import { type ScratchServer, scratchEmbedded, scratchOnServer } from '../rehearse/scratch.ts';
import { table } from './table.ts';

const root = resolve(import.meta.dirname, '../..');
const fixture = join(root, 'test/fixtures/django');
const cli = join(root, 'dist/cli.js');
const python = process.env.STEPBACK_DJANGO_PYTHON ?? '/usr/bin/python3';
const releases = ['v1', 'v2', 'v3'] as const;
type Release = (typeof releases)[number];

const out = (text = '') => process.stdout.write(`${text}\n`);
const heading = (text: string) => out(`\n\x1b[1m== ${text}\x1b[0m`);

function djangoProblem(): string | null {
  if (!existsSync(python)) return `${python} does not exist`;
  const probe = spawnSync(python, ['-c', 'import django, psycopg2; print(django.get_version())'], {
    encoding: 'utf8',
  });
  return probe.status === 0 ? null : `${python} cannot import django and psycopg2`;
}

/** A release's "image": the fixture project as that release has it. */
function buildImage(work: string, release: Release): string {
  const dir = join(work, 'images', release);
  cpSync(join(fixture, 'base'), dir, { recursive: true });
  for (const overlay of ['v2', 'v3'] as const)
    if (release >= overlay) cpSync(join(fixture, overlay), dir, { recursive: true });
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

async function main(): Promise<boolean> {
  const problem = djangoProblem();
  if (problem) {
    process.stderr.write(
      `demo:django needs Django: ${problem}.\n` +
        'Install it (Debian/Ubuntu: apt-get install -y python3-django python3-psycopg2), or point\n' +
        'STEPBACK_DJANGO_PYTHON at a python that has django and psycopg2.\n',
    );
    process.exitCode = 2;
    return false;
  }
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'stepback-demo-django-'));
  let server: ScratchServer | undefined;
  try {
    heading('Setup');
    server = process.env.DATABASE_URL
      ? await scratchOnServer(process.env.DATABASE_URL, 'database-url', 'stepback_demo_django')
      : await scratchEmbedded((line) => out(line), 'stepback_demo_django');
    const url = server.url;
    out(
      `database  ${server.name} (${server.kind === 'embedded' ? 'embedded PostgreSQL' : 'on DATABASE_URL'})`,
    );
    const images = Object.fromEntries(releases.map((r) => [r, buildImage(work, r)])) as Record<
      Release,
      string
    >;
    out(`python    ${python}`);

    /** The built CLI with the Django engine, in the release's image (its manage.py). */
    const stepback = (release: Release, args: string[]): Run => {
      const run = spawnSync(
        process.execPath,
        [cli, '--engine', 'django', '--manage-command', `${python} manage.py`, ...args],
        { cwd: images[release], env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' },
      );
      process.stderr.write(run.stderr.replace(/^(?=.)/gm, '    '));
      return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
    };
    const must = (run: Run, what: string): Run => {
      if (run.code !== 0) throw new Error(`${what} exited ${run.code}`);
      return run;
    };
    const manifest = (release: Release): string => {
      const file = join(work, `${release}.json`);
      must(stepback(release, ['manifest', '--release', release, '--out', file]), `manifest ${release}`);
      return file;
    };
    const rows = async () =>
      (
        await query<{ n: string }>(url, `select app || '.' || name as n from django_migrations order by id`)
      ).map((r) => r.n);
    const ship = async (release: Release): Promise<string> => {
      const file = manifest(release);
      const up = JSON.parse(
        must(stepback(release, ['up', '--release', release, '--json']), `up ${release}`).stdout,
      );
      out(
        up.applied.length === 0
          ? 'nothing to apply'
          : table(
              ['applied by Django', 'took'],
              up.applied.map((a: { name: string; durationMs: number }) => [a.name, `${a.durationMs} ms`]),
            ),
      );
      return file;
    };
    const plan = (release: Release, newer: string, older: string, planFile: string): Run => {
      const status = stepback(release, ['status', '--json']);
      writeFileSync(join(work, 'status.json'), must(status, 'status').stdout);
      const run = spawnSync(
        process.execPath,
        [
          cli,
          'plan',
          '--from',
          newer,
          '--to',
          older,
          '--status',
          join(work, 'status.json'),
          '--out',
          planFile,
        ],
        { encoding: 'utf8' },
      );
      out(run.stdout.trimEnd());
      if (run.stderr.trim()) out(run.stderr.trimEnd());
      return { code: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
    };

    heading('Release v1: manifest, migrate (Django’s own migrate, under stepback’s lock)');
    const v1 = await ship('v1');
    const v1Rows = await rows();

    heading('Release v2: a squash, a data migration, a cross-app dependency, a non-atomic index');
    const v2 = await ship('v2');

    heading('Rollback v2 → v1: plan with per-app targets, then Django unapplies them in v2’s code');
    const planFile = join(work, 'plan.json');
    must(plan('v2', v2, v1, planFile), 'plan v2 → v1');
    const down = JSON.parse(stepback('v2', ['down', '--plan', planFile, '--json']).stdout);
    if (!down.ok) throw new Error(`down failed: ${down.error}`);
    out(
      table(
        ['reverted by Django', 'took'],
        down.reverted.map((r: { name: string; durationMs: number }) => [r.name, `${r.durationMs} ms`]),
      ),
    );

    heading('Proof');
    const after = await rows();
    const squash = 'shop.0001_squashed_0002';
    const stateOk =
      down.verification?.state?.matches === true &&
      JSON.stringify(after.filter((n) => n !== squash).sort()) === JSON.stringify([...v1Rows].sort());
    out(
      `${stateOk ? 'ok  ' : 'FAIL'}  django_migrations holds v1's migrations: ${after.filter((n) => n !== squash).join(', ')}`,
    );
    out(`      (plus ${squash}'s record: Django keeps a squash recorded while all it replaces are applied)`);
    const schemaOk = down.verification?.schema?.matches === true;
    out(
      `${schemaOk ? 'ok  ' : 'FAIL'}  schema matches release v1 as deployed (its fingerprint from \`up --release v1\`)`,
    );
    const pending = JSON.parse(must(stepback('v1', ['status', '--json']), 'status v1').stdout).pending;
    const codeOk = pending.length === 0;
    out(`${codeOk ? 'ok  ' : 'FAIL'}  v1's code sees nothing pending`);

    heading(
      'Release v3: irreversible migrations (RunPython without reverse_code, RunSQL without reverse_sql)',
    );
    must(stepback('v2', ['up', '--release', 'v2']), 'up v2 again');
    const v3 = await ship('v3');
    const before = await rows();
    const refused = plan('v3', v3, manifest('v2'), join(work, 'plan-v3.json'));
    const refusedOk = refused.code === 3 && JSON.stringify(await rows()) === JSON.stringify(before);
    out(
      `${refusedOk ? 'ok  ' : 'FAIL'}  rollback v3 → v2 refused (exit ${refused.code}); django_migrations unchanged`,
    );

    const ok = stateOk && schemaOk && codeOk && refusedOk;
    heading(
      ok
        ? `Verdict: Django rollback v2 → v1 verified, v3 → v2 refused before any change (${((Date.now() - started) / 1000).toFixed(1)} s)`
        : 'Verdict: the Django story could NOT be verified (see FAIL lines above)',
    );
    return ok;
  } finally {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (ok) => {
    process.exitCode ??= ok ? 0 : 1;
  },
  (error: unknown) => {
    process.stderr.write(`demo:django failed: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
