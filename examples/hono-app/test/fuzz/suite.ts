import { test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { FuzzHarness } from './harness.js';
import { invalidBodies, regressionCases, rejectionProblems } from './invalid.js';
import { fuzzParameters } from './options.js';
import { fuzzRequest } from './requests.js';

/**
 * The fuzz's three tests for one running example: any generated request gets a documented
 * answer (no 5xx, no secret, no stack trace); a body with one broken field is 400 naming it;
 * and the minimal cases of a bug the fuzz found (fixed in issue 15) as a regression test.
 * `appPaths` are the example's own routes, fuzzed beside the API's.
 */
export function describeFuzz(
  name: string,
  harness: FuzzHarness,
  basePath: string,
  appPaths: readonly string[],
): void {
  const { runs, parameters } = fuzzParameters();

  test.prop([fuzzRequest(harness.operations, basePath, appPaths)], {
    ...parameters,
    numRuns: runs,
  })(
    `${name}: any request gets a documented status and body, never a 5xx, a secret or a stack trace`,
    async (request) => {
      await harness.run(request);
    },
    180_000,
  );

  test.prop([invalidBodies(harness.operations, basePath)], {
    ...parameters,
    numRuns: Math.ceil(runs / 4),
  })(
    `${name}: a body that breaks its schema (missing, mistyped, too long, control characters, lone surrogates) is 400 VALIDATION_FAILED naming the field`,
    async (invalid) => {
      const answer = await harness.run(invalid.request);
      expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
    },
    180_000,
  );

  test(`${name}: POST /reauthenticate validates code and method before the password`, async () => {
    for (const invalid of regressionCases(basePath)) {
      const answer = await harness.run(invalid.request);
      expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
    }
  });
}
