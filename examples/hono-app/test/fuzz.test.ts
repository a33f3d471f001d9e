/**
 * A property-based fuzz of the whole HTTP API of the Hono example (cookie strategy), over real
 * HTTP through @hono/node-server, with requests derived from the OpenAPI document it serves
 * (`test/fuzz/`). `FUZZ_RUNS` sets the number of requests (default 2000); a failure prints
 * the seed and the shrunk request to replay it (`FUZZ_SEED`, `FUZZ_PATH`).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { test } from '@fast-check/vitest';
import { createAdaptorServer } from '@hono/node-server';
import { memoryStorage, silentLogger } from '@portcullis/core';
import type { RateLimitStore } from '@portcullis/core/storage';
import { afterAll, expect } from 'vitest';
import { createApp } from '../src/app.js';
import { FuzzHarness } from './fuzz/harness.js';
import { invalidBodies, regressionCases, rejectionProblems } from './fuzz/invalid.js';
import { fuzzParameters, resettableLimits } from './fuzz/options.js';
import { fuzzRequest } from './fuzz/requests.js';

const limits = resettableLimits(() => memoryStorage().rateLimits as RateLimitStore);
const example = createApp({
  storage: { ...memoryStorage(), rateLimits: limits.store },
  appUrl: 'http://localhost:3000',
  secret: randomBytes(32).toString('base64url'),
  production: false,
  logger: silentLogger,
  sms: { send: async () => {} },
});
const server = createAdaptorServer({ fetch: example.app.fetch, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const { port } = server.address() as AddressInfo;

const harness = await FuzzHarness.start({
  baseUrl: `http://127.0.0.1:${port}`,
  appUrl: 'http://localhost:3000',
  basePath: example.auth.options.http.basePath,
  bodyLimitBytes: example.auth.options.http.bodyLimitBytes,
  strategy: 'cookie',
  mails: () => example.mailbox?.list() ?? [],
  resetLimits: limits.reset,
});
const basePath = example.auth.options.http.basePath;

afterAll(async () => {
  harness.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await example.close();
  if (process.env.FUZZ_REPORT) console.log(harness.checker.report());
});

const { runs, parameters } = fuzzParameters();

test.prop([fuzzRequest(harness.operations, basePath, ['/api/me', '/', '/sign-in', '/account'])], {
  ...parameters,
  numRuns: runs,
})(
  'hono-app: any request gets a documented status and body, never a 5xx, a secret or a stack trace',
  async (request) => {
    await harness.run(request);
  },
  180_000,
);

test.prop([invalidBodies(harness.operations, basePath)], {
  ...parameters,
  numRuns: Math.ceil(runs / 4),
})(
  'hono-app: a body that breaks its schema (missing, mistyped, too long, control characters, lone surrogates) is 400 VALIDATION_FAILED naming the field',
  async (invalid) => {
    const answer = await harness.run(invalid.request);
    expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
  },
  180_000,
);

// A bug the fuzz found, fixed in issue 15: its minimal cases stay as a regression test.
test('hono-app: POST /reauthenticate validates code and method before the password', async () => {
  for (const invalid of regressionCases(basePath)) {
    const answer = await harness.run(invalid.request);
    expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
  }
});
