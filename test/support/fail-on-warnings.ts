/**
 * Every test file's setup: a DeprecationWarning raised while a test runs fails that test. pg warns when a
 * query is queued behind another one (a ROLLBACK sent while a batched message is still in flight), a sign
 * of an ordering the runner must not have; other deprecations are as much a reason to look.
 * Node emits each deprecation once per process, so the warning is pinned on the test that caused it first.
 * (Spawned CLIs are checked the same way on their stderr, in test/cli/cli.ts.)
 */
import { afterEach } from 'vitest';

const raised: Error[] = [];

process.on('warning', (warning) => {
  if (warning.name === 'DeprecationWarning') raised.push(warning);
});

afterEach(() => {
  if (raised.length === 0) return;
  const warnings = raised.splice(0);
  throw new Error(
    `the test raised ${warnings.length} DeprecationWarning(s): ${warnings.map((w) => w.message).join('; ')}`,
  );
});
