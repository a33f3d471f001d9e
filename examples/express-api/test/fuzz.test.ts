/**
 * A property-based fuzz of the whole HTTP API of the Express example (jwt strategy: Bearer
 * access token, refresh cookie), over real HTTP, with requests derived from the OpenAPI
 * document it serves. The generator and the checks are the Hono example's
 * (`examples/hono-app/test/fuzz/`). `FUZZ_RUNS` sets the number of requests (default 2000); a
 * failure prints the seed and the shrunk request to replay it (`FUZZ_SEED`, `FUZZ_PATH`).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from '@fast-check/vitest';
import { memoryStorage, silentLogger } from '@portcullis/core';
import { afterAll, expect } from 'vitest';
import { FuzzHarness } from '../../hono-app/test/fuzz/harness.js';
import {
  invalidBodies,
  regressionCases,
  rejectionProblems,
} from '../../hono-app/test/fuzz/invalid.js';
import { fuzzParameters, resettableLimits } from '../../hono-app/test/fuzz/options.js';
import { fuzzRequest } from '../../hono-app/test/fuzz/requests.js';
import { createApp } from '../src/app.js';
import { memoryBackends } from '../src/backends.js';

const APP_URL = 'http://localhost:5173';
const limits = resettableLimits(() => memoryStorage().rateLimits);
const backends = memoryBackends();
const api = createApp({
  backends: { ...backends, storage: { ...backends.storage, rateLimits: limits.store } },
  appUrl: APP_URL,
  secret: randomBytes(32).toString('base64url'),
  production: false,
  logger: silentLogger,
  devMailLog: () => {},
});
const server = createServer(api.app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const { port } = server.address() as AddressInfo;
const basePath = api.auth.options.http.basePath;

const harness = await FuzzHarness.start({
  baseUrl: `http://127.0.0.1:${port}`,
  appUrl: APP_URL,
  basePath,
  bodyLimitBytes: api.auth.options.http.bodyLimitBytes,
  strategy: 'jwt',
  mails: () => api.devMailer?.messages ?? [],
  resetLimits: limits.reset,
});

afterAll(async () => {
  harness.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await api.close();
  if (process.env.FUZZ_REPORT) console.log(harness.checker.report());
});

const { runs, parameters } = fuzzParameters();

test.prop([fuzzRequest(harness.operations, basePath, ['/api/notes', '/api/notes/x', '/'])], {
  ...parameters,
  numRuns: runs,
})(
  'express-api: any request gets a documented status and body, never a 5xx, a secret or a stack trace',
  async (request) => {
    await harness.run(request);
  },
  180_000,
);

test.prop([invalidBodies(harness.operations, basePath)], {
  ...parameters,
  numRuns: Math.ceil(runs / 4),
})(
  'express-api: a body that breaks its schema (missing, mistyped, too long, control characters, lone surrogates) is 400 VALIDATION_FAILED naming the field',
  async (invalid) => {
    const answer = await harness.run(invalid.request);
    expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
  },
  180_000,
);

// A bug the fuzz found, fixed in issue 15: its minimal cases stay as a regression test.
test('express-api: POST /reauthenticate validates code and method before the password', async () => {
  for (const invalid of regressionCases(basePath)) {
    const answer = await harness.run(invalid.request);
    expect(rejectionProblems(invalid, answer), invalid.request.label).toEqual([]);
  }
});
