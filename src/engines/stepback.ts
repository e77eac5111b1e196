/** The default engine: stepback's own migration files, run by src/migrate. */
import { DEFAULT_ENGINE } from '../core/release-manifest.ts';
import { down, status, up } from '../migrate/runner.ts';
import type { Engine } from './engine.ts';

export const stepbackEngine: Engine = {
  name: DEFAULT_ENGINE,
  status,
  up,
  down,
};
