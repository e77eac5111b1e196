/**
 * Shared setup of the end-to-end tests: the example app's releases cut into per-release "image" folders (as
 * `src/demo/main.ts` does), a real test database, the AWS simulation running those images' container commands
 * as real processes (the bundled CLI against PostgreSQL), the GitHub fake holding the release manifests, and the
 * action bundles run under Node 24 against both.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type AwsSim, startAwsSim } from '../sim/index.ts';
import { appEcsInputs, DB_SECRET, registerAppTaskDefinition } from '../support/app-task-definition.ts';
import { type GitHubFake, startGitHubFake } from '../support/github-fake.ts';
import { createTestDatabase, type TestDatabase, withAdmin, withClient } from '../support/pg.ts';
import { type ActionRun, type RunActionOptions, runAction } from '../support/run-action.ts';

export const root = resolve(import.meta.dirname, '../..');
export const APP_MIGRATIONS = join(root, 'src/demo/example-app/migrations');
export { DB_SECRET } from '../support/app-task-definition.ts';
export const TOKEN = 'ghs_e2eTestToken0123456789';
export const REPO = 'org/app';
export const STORE = `github-release://${REPO}`;

export const V1 = ['0001_create_users', '0002_seed_users', '0003_create_posts'];
export const V2 = [...V1, '0004_split_user_names', '0005_create_orders', '0006_index_users_email_lower'];

export interface E2e {
  sim: AwsSim;
  gh: GitHubFake;
  db: TestDatabase;
  work: string;
  /** Per-release image folder (holding `migrations/`). */
  image(release: string): string;
  /** Copy the example app's migrations with id ≤ `upTo` into a new image folder `name`; returns the folder. */
  cutImage(name: string, upTo: string): string;
  /**
   * Register a task definition of family `app` whose container `app` runs `image`, with DATABASE_URL from a
   * Secrets Manager secret, or (`plaintextUrl`) in its plain environment as some teams do.
   */
  registerTd(image: string, options?: { plaintextUrl?: boolean }): string;
  createService(taskDefinition: string): void;
  /** Run an action bundle under Node 24 with the sim and GitHub fake in its environment. */
  action(name: string, inputs: Record<string, string>, options?: RunActionOptions): Promise<ActionRun>;
  applied(): Promise<string[]>;
  close(): Promise<void>;
}

/** The ECS executor inputs shared by migrate and rollback. */
export const ecsInputs = appEcsInputs;

/**
 * A test database owned by its own login role with a random, distinctive password: the admin URL's password
 * may be `postgres` (the embedded server), which is also the user name and so useless for asserting that a
 * password never reaches any output.
 */
async function ownDatabase(label: string): Promise<TestDatabase> {
  const base = await createTestDatabase(label);
  const role = `${base.name}_owner`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  await withAdmin(async (c) => {
    await c.query(`create role "${role}" login password '${password}'`);
    await c.query(`alter database "${base.name}" owner to "${role}"`);
  });
  const url = new URL(base.url);
  url.username = role;
  url.password = password;
  return {
    url: url.toString(),
    name: base.name,
    password,
    drop: async () => {
      await base.drop();
      await withAdmin((c) => c.query(`drop role if exists "${role}"`));
    },
  };
}

export async function startE2e(label: string): Promise<E2e> {
  const db = await ownDatabase(label);
  const work = mkdtempSync(join(tmpdir(), `stepback-e2e-${label}-`));
  const gh = await startGitHubFake({ token: TOKEN });
  const sim = await startAwsSim({
    clock: 'real',
    secrets: { [DB_SECRET]: db.url },
    timings: { provisioningMs: 50, pendingMs: 50, stopMs: 50, deployMs: 200, scaleMs: 200 },
  });

  const cutImage = (name: string, upTo: string): string => {
    const dir = join(work, 'images', name);
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations, { recursive: true });
    for (const entry of readdirSync(APP_MIGRATIONS)) {
      if (entry.slice(0, 4) <= upTo)
        cpSync(join(APP_MIGRATIONS, entry), join(migrations, entry), { recursive: true });
    }
    sim.images.set(`app:${name}`, { dir });
    return dir;
  };

  return {
    sim,
    gh,
    db,
    work,
    image: (release) => join(work, 'images', release),
    cutImage,
    registerTd: (image, options = {}) =>
      registerAppTaskDefinition(sim, image, {
        streamPrefix: 'app',
        plaintextUrl: options.plaintextUrl ? db.url : undefined,
      }),
    createService: (taskDefinition) => {
      sim.ecs.createService({
        cluster: 'default',
        serviceName: 'web',
        taskDefinition,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'] },
        },
      });
    },
    action: (name, inputs, options = {}) =>
      runAction(name, {
        timeoutMs: 90_000,
        ...options,
        inputs,
        env: { ...sim.env, GITHUB_API_URL: gh.url, AWS_REGION: sim.region, ...options.env },
      }),
    applied: () =>
      withClient(db.url, async (c) =>
        (await c.query<{ name: string }>('select name from stepback_migrations order by name')).rows.map(
          (r) => r.name,
        ),
      ),
    close: async () => {
      await sim.close();
      await gh.close();
      await db.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Everything a run printed or wrote, for the "no secret anywhere" assertion. */
export function everything(run: ActionRun): string {
  return [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs)].join('\n');
}

/** A failing run's story, as the assertion message. */
export function story(run: ActionRun): string {
  return `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- summary\n${run.summary}`;
}

export const names = (json: string | undefined): string[] =>
  (JSON.parse(json ?? 'null') as { name: string }[]).map((m) => m.name);

/**
 * v1 and v2 cut, registered, recorded (github-release store) and migrated through the bundles, and the service
 * `web` running v2 (created on it: the deploy bundle is exercised by the release-cycle test).
 */
export async function prepareAtV2(e: E2e): Promise<{ v1: string; v2: string }> {
  e.cutImage('v1', '0003');
  e.cutImage('v2', '0006');
  const td = { v1: e.registerTd('app:v1'), v2: e.registerTd('app:v2') };
  for (const release of ['v1', 'v2'] as const) {
    const rec = await e.action('record-release', {
      release,
      store: STORE,
      'github-token': TOKEN,
      'migrations-dir': `${e.image(release)}/migrations`,
      'task-definition': td[release],
    });
    if (rec.exitCode !== 0) throw new Error(`record-release ${release} failed:\n${story(rec)}`);
    const mig = await e.action('migrate', { release, 'task-definition': td[release], ...ecsInputs });
    if (mig.exitCode !== 0) throw new Error(`migrate ${release} failed:\n${story(mig)}`);
  }
  e.createService(td.v2);
  return td;
}

/** The rollback action back to v1 on the service `web`, from the GitHub release store, as the tests run it. */
export function rollbackToV1(
  e: E2e,
  inputs: Record<string, string> = {},
  options: RunActionOptions = {},
): Promise<ActionRun> {
  return e.action(
    'rollback',
    { 'to-release': 'v1', store: STORE, 'github-token': TOKEN, ...ecsInputs, service: 'web', ...inputs },
    { timeoutMs: 120_000, ...options },
  );
}

export function serviceTaskDefinition(e: E2e): string | undefined {
  const out = e.sim.ecs.describeServices({ cluster: 'default', services: ['web'] }) as {
    services: { taskDefinition: string }[];
  };
  return out.services[0]?.taskDefinition;
}
