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
import { memoryStorage, silentLogger } from '@portcullis/core';
import { afterAll } from 'vitest';
import { FuzzHarness } from '../../hono-app/test/fuzz/harness.js';
import { FUZZ_OAUTH_PROVIDER, resettableLimits } from '../../hono-app/test/fuzz/options.js';
import { describeFuzz } from '../../hono-app/test/fuzz/suite.js';
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
  oauth: [FUZZ_OAUTH_PROVIDER],
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

describeFuzz('express-api', harness, basePath, ['/api/notes', '/api/notes/x', '/']);
