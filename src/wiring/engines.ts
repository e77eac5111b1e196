/**
 * The engines a pipeline step can run, by the name the `engine` input takes: how each runs in a release's
 * code (its RemoteEngine, src/core/remote-engine.ts) and how record-release reads a release's migrations
 * for its manifest. One entry per engine, loaded on use, so an action evaluates only its engine's code;
 * test/engines/registry.test.ts holds the names equal to the engines' own registries.
 */
import type { Log } from '../core/ports.ts';
import type { ManifestMigration } from '../core/release-manifest.ts';
import type { RemoteEngine } from '../core/remote-engine.ts';

export interface EngineSettings {
  /** Django: how the release's code starts manage.py. */
  manageCommand: string;
  /** Where stepback itself reaches the database (for what only stepback can do: the schema fingerprint). */
  databaseUrl?: string | undefined;
  log: Log;
}

/** A release's migrations as record-release records them, and its source bundle when the engine has one. */
export interface ReleaseRead {
  migrations: ManifestMigration[];
  targets?: Record<string, string>;
  sources?: { bytes: Uint8Array; digest: string };
}

interface PipelineEngine {
  remote(settings: EngineSettings): Promise<RemoteEngine>;
  readRelease(settings: EngineSettings, dir: string, release: string): Promise<ReleaseRead>;
}

const ENGINES = {
  stepback: {
    remote: async () => (await import('../pipeline/stepback-remote.ts')).stepbackRemote,
    readRelease: async (_settings, dir, release) =>
      (await import('../pipeline/local/sources.ts')).loadReleaseSources(dir, release),
  },
  django: {
    remote: async (s) =>
      (await import('../engines/django/remote.ts')).djangoRemote({
        manageCommand: s.manageCommand,
        ...(s.databaseUrl ? { databaseUrl: s.databaseUrl } : {}),
        log: (line) => s.log.info(line),
      }),
    // The graph as this checkout's Django loads it (spawning its manage.py here, as `stepback manifest
    // --engine django` does). No source bundle: Django migrations are code, their downs need the image.
    readRelease: async (s, dir) =>
      (await import('../engines/django/read.ts')).readDjangoMigrations({
        dir,
        manageCommand: s.manageCommand,
        log: (line) => s.log.info(line),
      }),
  },
} satisfies Record<string, PipelineEngine>;

export type PipelineEngineName = keyof typeof ENGINES;

/** The `engine` input's values, the default first. */
export const PIPELINE_ENGINES = Object.keys(ENGINES) as [PipelineEngineName, ...PipelineEngineName[]];

export function pipelineEngine(name: PipelineEngineName): PipelineEngine {
  return ENGINES[name];
}
