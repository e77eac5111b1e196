import { run } from '../../src/actions/record-release.ts';

await run();
