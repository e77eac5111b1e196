import { run } from '../../src/actions/rollback.ts';

await run();
