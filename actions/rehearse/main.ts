import { run } from '../../src/actions/rehearse.ts';

await run();
