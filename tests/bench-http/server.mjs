// One benchmarked server, started by run.mjs as a child process: `node server.mjs <route>`.
// Every server has the same shape: a Hono app on @hono/node-server, listening on a free port of
// 127.0.0.1, with one route `/r` that answers `{"ok":true}` after its check (`GET`; `POST` with
// a JSON body for the two sign-in rows). The Portcullis servers also mount the whole API at
// /api/auth, as an app would. When ready, the server sends run.mjs (over IPC) the request to
// repeat: `{ port, method, path, headers, body? }`; on the message 'stop' it closes and exits.
//
// Imports the packages' built `dist` (run.mjs builds them first): the code an app would run.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { createAuth } from '@portcullis/core';
import { composeStorage } from '@portcullis/core/storage';
import { portcullis, requireAuth } from '@portcullis/hono';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { cachedStorage, createRedis, redisStorage } from '@portcullis/redis';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  APP_URL,
  ARGON2_PARAMS,
  AUTH_SCHEMA,
  authOptions,
  DATABASE_URL,
  ensureAccount,
  FLOOR_SCHEMA,
  LOGIN_EMAIL,
  PASSWORD,
  REDIS_PREFIX,
  REDIS_URL,
  SECRET,
  USER_EMAIL,
} from './config.mjs';

/** @typedef {{ method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string }} BenchRequest */
/** @typedef {{ app: Hono, request: (port: number) => Promise<BenchRequest>, close: () => Promise<void> }} Built */

const route = process.argv[2] ?? '';
const ok = { ok: true };
const get = (/** @type {Record<string, string>} */ headers = {}) =>
  /** @type {BenchRequest} */ ({ method: 'GET', path: '/r', headers });
const signInBody = (/** @type {string} */ identifier) =>
  JSON.stringify({ identifier, password: PASSWORD });
const jsonHeaders = { 'content-type': 'application/json', origin: APP_URL };

// ---------------------------------------------------------------------------------------------
// Floors: the least a route of each kind can do.

/** @returns {Promise<Built>} */
async function noAuth() {
  const app = new Hono();
  app.get('/r', (c) => c.json(ok));
  return { app, request: async () => get(), close: async () => undefined };
}

const b64url = (/** @type {string | Buffer} */ data) => Buffer.from(data).toString('base64url');

/**
 * A bare synchronous HS256 check of the Bearer token, no library and no cache: the signature
 * (node:crypto HMAC, constant-time compare), then `exp`.
 * @returns {Promise<Built>}
 */
async function hs256() {
  const key = Buffer.from(SECRET);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' }));
  const payload = b64url(
    JSON.stringify({ sub: 'u1', sid: 's1', exp: Math.floor(Date.now() / 1000) + 3600 }),
  );
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  const token = `${header}.${payload}.${signature}`;
  const app = new Hono();
  app.get('/r', (c) => {
    const auth = c.req.header('authorization') ?? '';
    const parts = auth.startsWith('Bearer ') ? auth.slice(7).split('.') : [];
    if (parts.length !== 3) return c.json({ ok: false }, 401);
    const [h, p, s] = /** @type {[string, string, string]} */ (parts);
    const expected = createHmac('sha256', key).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return c.json({ ok: false }, 401);
    }
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      return c.json({ ok: false }, 401);
    }
    return c.json(ok);
  });
  return {
    app,
    request: async () => get({ authorization: `Bearer ${token}` }),
    close: async () => undefined,
  };
}

/** One `GET` of a fixed key (a value the size of a cached session and user). @returns {Promise<Built>} */
async function redisGet() {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const key = `${REDIS_PREFIX}floor`;
  await redis.set(key, JSON.stringify({ pad: 'x'.repeat(1000) }));
  const app = new Hono();
  app.get('/r', async (c) => {
    await redis.get(key);
    return c.json(ok);
  });
  return {
    app,
    request: async () => get(),
    close: async () => {
      await redis.quit();
    },
  };
}

/** One indexed lookup by primary key, prepared, on a pool of 10. @returns {Promise<Built>} */
async function pgLookup() {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  // Row 1 of seed.mjs's generate_series; its md5 id lands anywhere in the index.
  const id = createHash('md5').update('1').digest('hex');
  const text = `SELECT id, value FROM "${FLOOR_SCHEMA}".lookup WHERE id = $1`;
  const { rowCount } = await pool.query(text, [id]);
  if (rowCount !== 1) throw new Error(`${FLOOR_SCHEMA}.lookup has no row ${id}`);
  const app = new Hono();
  app.get('/r', async (c) => {
    await pool.query({ name: 'floor', text, values: [id] });
    return c.json(ok);
  });
  return { app, request: async () => get(), close: () => pool.end() };
}

/**
 * Verifies one argon2id hash (core's default parameters, `@node-rs/argon2`), reading the same
 * JSON body as the sign-in: the hashing floor of `login`.
 * @returns {Promise<Built>}
 */
async function argon2() {
  const phc = await argon2Hash(PASSWORD, { ...ARGON2_PARAMS, algorithm: 2 });
  const app = new Hono();
  app.post('/r', async (c) => {
    const body = await c.req.json();
    if (!(await argon2Verify(phc, String(body.password)))) return c.json({ ok: false }, 401);
    return c.json(ok);
  });
  return {
    app,
    request: async () => ({
      method: 'POST',
      path: '/r',
      headers: jsonHeaders,
      body: signInBody(LOGIN_EMAIL),
    }),
    close: async () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Portcullis.

/**
 * Signs `email` in through the server's own `POST /api/auth/login` and returns what
 * authenticates later requests: the session cookie, or the Bearer access token.
 * @param {number} port
 * @param {string} email
 * @returns {Promise<Record<string, string>>}
 */
async function signIn(port, email) {
  const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: jsonHeaders,
    body: signInBody(email),
  });
  const body = await response.json();
  if (response.status !== 200 || body.status !== 'signed_in') {
    throw new Error(`sign-in failed: ${response.status} ${JSON.stringify(body)}`);
  }
  if (typeof body.accessToken === 'string') return { authorization: `Bearer ${body.accessToken}` };
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => /^[^=]*portcullis\.session=/.test(pair));
  if (cookie === undefined) throw new Error('sign-in set no session cookie');
  return { cookie };
}

/**
 * An app with Portcullis mounted at /api/auth and `/r` behind `guard`, signed in as
 * `USER_EMAIL` (or, for `login`, `/r` being the sign-in itself).
 * @param {import('@portcullis/core').Auth} auth
 * @param {((auth: import('@portcullis/core').Auth) => import('hono').MiddlewareHandler) | 'login'} guard
 * @param {() => Promise<void>} closeStorage
 * @returns {Built}
 */
function portcullisApp(auth, guard, closeStorage) {
  const app = new Hono();
  app.route(auth.options.http.basePath, portcullis(auth));
  if (guard !== 'login') app.get('/r', guard(auth), (c) => c.json(ok));
  const close = async () => {
    await auth.close();
    await closeStorage();
  };
  if (guard === 'login') {
    const request = async () =>
      /** @type {BenchRequest} */ ({
        method: 'POST',
        path: '/api/auth/login',
        headers: jsonHeaders,
        body: signInBody(LOGIN_EMAIL),
      });
    return { app, request, close };
  }
  return { app, request: async (port) => get(await signIn(port, USER_EMAIL)), close };
}

/**
 * Portcullis on the shared PostgreSQL schema (seeded by run.mjs).
 * @param {{ strategy?: 'cookie' | 'jwt', roles?: boolean, checkSession?: boolean }} session
 * @param {Parameters<typeof portcullisApp>[1]} guard
 * @returns {Promise<Built>}
 */
async function onPostgres(session, guard) {
  const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
  const auth = createAuth(authOptions(postgresStorage(pool, { schema: AUTH_SCHEMA }), session));
  return portcullisApp(auth, guard, () => pool.end());
}

/** Cookie sessions on `cachedStorage` (Redis) over the same PostgreSQL. @returns {Promise<Built>} */
async function cookieCached() {
  const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
  const redis = await createRedis(REDIS_URL, { connectTimeoutMs: 3000 });
  const pgStorage = postgresStorage(pool, { schema: AUTH_SCHEMA });
  const cached = cachedStorage(redis, pgStorage, { prefix: REDIS_PREFIX });
  const ephemeral = redisStorage(redis, { prefix: REDIS_PREFIX });
  // As the package's docs compose it: users and sessions through the cache, tokens and rate
  // limits in Redis, transactions (and the one-GET sessionWithUser) from the cache.
  const storage = composeStorage({
    users: cached.users,
    accounts: cached.accounts,
    passkeys: cached.passkeys,
    sessions: cached.sessions,
    twoFactor: cached.twoFactor,
    audit: cached.audit,
    tokens: ephemeral.tokens,
    rateLimits: ephemeral.rateLimits,
    transactionsFrom: cached,
  });
  const auth = createAuth(authOptions(storage));
  return portcullisApp(auth, requireAuth, async () => {
    await redis.quit();
    await pool.end();
  });
}

/** Cookie sessions on PGlite, in memory, in this process (one account, one session). @returns {Promise<Built>} */
async function cookiePglite() {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await migrate(db);
  const storage = postgresStorage(db);
  const auth = createAuth(authOptions(storage));
  await ensureAccount(auth, storage, USER_EMAIL);
  return portcullisApp(auth, requireAuth, () => db.close());
}

// ---------------------------------------------------------------------------------------------
// Better Auth (better-auth.mjs), loaded only by its own servers.

/**
 * Better Auth's handler at /api/auth, and `/r` behind `auth.api.getSession` (`session`) or
 * its email sign-in as the request (`login`).
 * @param {'session' | 'login'} kind
 * @returns {Promise<Built>}
 */
async function betterAuthServer(kind) {
  const { betterAuthPool, createBetterAuth } = await import('./better-auth.mjs');
  const pool = betterAuthPool();
  const auth = createBetterAuth(pool);
  const app = new Hono();
  app.on(['GET', 'POST'], '/api/auth/*', (c) => auth.handler(c.req.raw));
  app.get('/r', async (c) => {
    const session = await auth.api.getSession({ headers: c.req.raw.headers });
    if (session === null) return c.json({ ok: false }, 401);
    return c.json(ok);
  });
  const signInRequest = /** @type {BenchRequest} */ ({
    method: 'POST',
    path: '/api/auth/sign-in/email',
    headers: jsonHeaders,
    body: JSON.stringify({ email: USER_EMAIL, password: PASSWORD }),
  });
  /** @param {number} port */
  const request = async (port) => {
    if (kind === 'login') return signInRequest;
    const response = await fetch(`http://127.0.0.1:${port}${signInRequest.path}`, {
      method: 'POST',
      headers: signInRequest.headers,
      body: signInRequest.body ?? '',
    });
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0] ?? '')
      .find((pair) => /session_token=/.test(pair));
    if (response.status !== 200 || cookie === undefined) {
      throw new Error(`Better Auth sign-in failed: ${response.status} ${await response.text()}`);
    }
    return get({ cookie });
  };
  return { app, request, close: () => pool.end() };
}

/**
 * The no-auth route in a process that has loaded what an app with Portcullis holds: three
 * `Auth` instances (PostgreSQL, cachedStorage over Redis, memory) with their pg pool and Redis
 * client, each signed in once so every lazy part (hasher, keys, pools) is up. Compared with
 * `no-auth`, it shows what loading Portcullis costs the app's other routes.
 * @returns {Promise<Built>}
 */
async function noAuthLoaded() {
  const { memoryStorage } = await import('@portcullis/core');
  const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
  const redis = await createRedis(REDIS_URL, { connectTimeoutMs: 3000 });
  const pgStorage = postgresStorage(pool, { schema: AUTH_SCHEMA });
  const cached = cachedStorage(redis, pgStorage, { prefix: REDIS_PREFIX });
  const memory = memoryStorage();
  const auths = [
    createAuth(authOptions(pgStorage)),
    createAuth(authOptions(cached)),
    createAuth(authOptions(memory)),
  ];
  const stores = [pgStorage, cached, memory];
  for (const [i, auth] of auths.entries()) {
    await ensureAccount(auth, /** @type {any} */ (stores[i]), USER_EMAIL);
    const signedIn = await auth.login({ identifier: USER_EMAIL, password: PASSWORD });
    if (signedIn.status !== 'signed_in') throw new Error('no-auth-loaded: sign-in failed');
  }
  const app = new Hono();
  for (const [i, auth] of auths.entries()) app.route(`/auth${i}`, portcullis(auth));
  app.get('/r', (c) => c.json(ok));
  return {
    app,
    request: async () => get(),
    close: async () => {
      await Promise.all(auths.map((auth) => auth.close()));
      await redis.quit();
      await pool.end();
    },
  };
}

/** @type {Record<string, () => Promise<Built>>} */
const servers = {
  'no-auth-loaded': noAuthLoaded,
  'no-auth': noAuth,
  hs256,
  'redis-get': redisGet,
  'pg-lookup': pgLookup,
  'argon2-verify': argon2,
  'bearer-requireAuth': () => onPostgres({ strategy: 'jwt' }, requireAuth),
  'bearer-role': () =>
    onPostgres({ strategy: 'jwt', roles: true }, (auth) => requireAuth(auth, { role: 'admin' })),
  'bearer-checkSession': () => onPostgres({ strategy: 'jwt', checkSession: true }, requireAuth),
  'cookie-postgres': () => onPostgres({}, requireAuth),
  'cookie-cached': cookieCached,
  'cookie-pglite': cookiePglite,
  login: () => onPostgres({}, 'login'),
  'better-auth-session': () => betterAuthServer('session'),
  'better-auth-login': () => betterAuthServer('login'),
};

const build = servers[route];
if (build === undefined) {
  console.error(`unknown route ${route}; one of ${Object.keys(servers).join(', ')}`);
  process.exit(2);
}
const send = (/** @type {unknown} */ message) => process.send?.(message);
try {
  const built = await build();
  const server = serve({ fetch: built.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  send({ ready: { port, ...(await built.request(port)) } });
  // The event loop's delay while run.mjs measures ('delay-start' … 'delay-stop'), sampled every
  // millisecond: how late a timer fires is how long any request waited for the loop.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  process.on('message', async (message) => {
    if (message === 'delay-start') {
      delay.reset();
      delay.enable();
      return;
    }
    if (message === 'delay-stop') {
      delay.disable();
      send({
        delay: {
          p50: delay.percentile(50) / 1e6,
          p99: delay.percentile(99) / 1e6,
          max: delay.max / 1e6,
        },
      });
      return;
    }
    if (message !== 'stop') return;
    server.close();
    if ('closeAllConnections' in server) server.closeAllConnections();
    // Requests autocannon dropped at its end may still be running: let them finish before
    // their pool closes under them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await built.close().catch(() => undefined);
    process.exit(0);
  });
} catch (error) {
  send({ failed: String(error instanceof Error ? (error.stack ?? error.message) : error) });
  process.exit(1);
}
