import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The one list of test projects. Vitest 4 reads projects from `test.projects` in
 * `vitest.config.ts`, which imports this array.
 */
export const projects: TestProjectInlineConfiguration[] = [
  {
    extends: true,
    test: {
      name: 'core',
      root: './packages/core',
      include: ['test/**/*.test.ts'],
    },
  },
];

export default projects;
