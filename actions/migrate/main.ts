import { run } from '../../src/actions/migrate.ts';

await run();
