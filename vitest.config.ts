import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'infra/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/fail-on-warnings.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file gets its own databases; two workers suit the 2-core machines this runs on.
    maxWorkers: 2,
    server: {
      // Its dist imports a JSON file without an import attribute, which Node refuses unless vite transforms it.
      deps: { inline: ['@actions/workflow-parser'] },
    },
  },
});
