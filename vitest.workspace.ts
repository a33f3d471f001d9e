import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The one list of test projects. Vitest 4 reads projects from `test.projects` in
 * `vitest.config.ts`, which imports this array.
 */
export const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: { name: 'core', root: './packages/core', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'express', root: './packages/express', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'hono', root: './packages/hono', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'client', root: './packages/client', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'postgres', root: './packages/postgres', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'redis', root: './packages/redis', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: { name: 'integration', root: './tests/integration', include: ['test/**/*.test.ts'] },
  },
  {
    extends: true,
    test: {
      name: 'examples',
      root: './examples',
      include: ['*/test/**/*.test.ts'],
      // Browser suites share one Chromium and run one file at a time.
      fileParallelism: false,
    },
  },
];

export default projects;
