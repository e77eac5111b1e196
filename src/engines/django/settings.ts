/** The Django engine's settings, with their environment defaults, resolved once per command. */
import { passwordOf } from '../../core/redact.ts';
import { actorFromEnv, releaseFromEnv, runIdFromEnv } from '../../migrate/provenance.ts';
import type { EngineOptions } from '../engine.ts';
import { DEFAULT_MANAGE_COMMAND } from './manage.ts';

export const DJANGO_ENGINE = 'django';

export type DjangoSettings = ReturnType<typeof djangoSettings>;

export function djangoSettings(opts: EngineOptions) {
  const env = opts.env ?? process.env;
  const databaseUrl = opts.databaseUrl ?? env.DATABASE_URL;
  const runId = opts.runId === undefined ? runIdFromEnv(env) : opts.runId;
  const actor = opts.actor === undefined ? actorFromEnv(env) : opts.actor;
  // What the program records in stepback_events names the same run and actor stepback's own runner would.
  const provenance = {
    ...(runId ? { STEPBACK_RUN_ID: runId } : {}),
    ...(actor ? { STEPBACK_ACTOR: actor } : {}),
  };
  return {
    env,
    databaseUrl,
    schema: opts.schema ?? 'public',
    release: opts.release === undefined ? releaseFromEnv(env) : opts.release,
    runId,
    log: opts.log ?? (() => {}),
    secrets: [passwordOf(databaseUrl)],
    run: {
      manageCommand: opts.manageCommand ?? env.STEPBACK_MANAGE_COMMAND ?? DEFAULT_MANAGE_COMMAND,
      // Django reads its own settings; a URL given to stepback is handed on the way most settings read one.
      env: { ...env, ...provenance, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
      log: opts.log ?? (() => {}),
      secrets: [passwordOf(databaseUrl)],
    },
  };
}
