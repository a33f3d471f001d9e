import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.ts';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources through the `source` export
  // condition, so tests never run against a stale `dist/`.
  resolve: { conditions: ['source', 'module', 'node', 'import', 'default'] },
  // Not 'import'/'default': vitest hands these to Node, which would then resolve CommonJS
  // require() calls inside dependencies (Express's) to their ESM files.
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    projects,
    // Background work (issue 15) runs inline for suites that read mail right after a call.
    setupFiles: [
      fileURLToPath(new URL('./packages/core/test/setup/background-inline.ts', import.meta.url)),
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    allowOnly: false,
    passWithNoTests: false,
  },
});
