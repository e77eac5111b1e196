/** The engine a step runs its migrations with (migrate and rollback), from the step's inputs. */
import type { MigrationExecutor } from '../../core/ports.ts';
import { type PipelineEngineName, pipelineEngine } from '../engines.ts';
import type { Context } from './context.ts';

type EngineInputs = {
  engine: PipelineEngineName;
  'manage-command': string;
  'database-url'?: string | undefined;
};

/**
 * The engine a step runs, with where stepback itself reaches the database: the database-url input, or, when
 * the run happens on this machine (executor runner), the environment's DATABASE_URL that the run also uses.
 */
export async function engineFor(inputs: EngineInputs, executor: MigrationExecutor | undefined, ctx: Context) {
  const env = ctx.env ?? process.env;
  const databaseUrl =
    inputs['database-url'] ?? (executor?.runs === 'checkout' ? env.DATABASE_URL : undefined);
  return pipelineEngine(inputs.engine).remote({
    manageCommand: inputs['manage-command'],
    ...(databaseUrl ? { databaseUrl } : {}),
    log: ctx.log,
  });
}
