import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * @actions/workflow-parser ships source maps that point at .ts files it does not publish, and vite warns
 * "Sourcemap … points to missing source files" for each of its modules it transforms (it is inlined, below).
 * Loading those files without their sourceMappingURL comment keeps the test output to what the tests say.
 */
const withoutUnpublishedSourceMaps: Plugin = {
  name: 'without-unpublished-source-maps',
  enforce: 'pre',
  load(id) {
    if (!/[\\/]@actions[\\/]workflow-parser[\\/].*\.js$/.test(id)) return null;
    const code = readFileSync(id.replace(/[?#].*$/, ''), 'utf8');
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/m, ''), map: null };
  },
};

export default defineConfig({
  plugins: [withoutUnpublishedSourceMaps],
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
