/**
 * A property-based fuzz of the whole HTTP API of the Hono example (cookie strategy), over real
 * HTTP through @hono/node-server, with requests derived from the OpenAPI document it serves
 * (`test/fuzz/`). `FUZZ_RUNS` sets the number of requests (default 2000); a failure prints
 * the seed and the shrunk request to replay it (`FUZZ_SEED`, `FUZZ_PATH`).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { memoryStorage, silentLogger } from '@portcullis/core';
import type { RateLimitStore } from '@portcullis/core/storage';
import { afterAll } from 'vitest';
import { createApp } from '../src/app.js';
import { FuzzHarness } from './fuzz/harness.js';
import { FUZZ_OAUTH_PROVIDER, resettableLimits } from './fuzz/options.js';
import { describeFuzz } from './fuzz/suite.js';

const limits = resettableLimits(() => memoryStorage().rateLimits as RateLimitStore);
const example = createApp({
  storage: { ...memoryStorage(), rateLimits: limits.store },
  appUrl: 'http://localhost:3000',
  secret: randomBytes(32).toString('base64url'),
  production: false,
  logger: silentLogger,
  sms: { send: async () => {} },
  oauth: [FUZZ_OAUTH_PROVIDER],
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

describeFuzz('hono-app', harness, basePath, [
  '/api/me',
  '/',
  '/sign-in',
  '/account',
  // The passwordless pages and the WebAuthn module they load.
  '/sign-in/code',
  '/magic-link',
  '/assets/webauthn/index.js',
]);
