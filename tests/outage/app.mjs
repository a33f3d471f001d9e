// The app under test, in the style of examples/express-api: users, two-factor data and the audit
// trail in PostgreSQL (through the proxy), sessions, one-time tokens and rate limits in Redis,
// the jwt strategy (refresh token in the body), core's HTTP handler on node:http, and one
// protected route (`GET /api/me`, what `requireAuth` does: `handler.authenticate`).
import { createServer } from 'node:http';
import { createAuth, memoryMailer } from '@portcullis/core';
import { createHttpHandler, errorResponse } from '@portcullis/core/http';
import { createPasswordHasher } from '@portcullis/core/password';
import { composeStorage } from '@portcullis/core/storage';
import { createPool, postgresStorage } from '@portcullis/postgres';
import { createRedis, redisStorage } from '@portcullis/redis';

export const SECRET = 'outage-load-test-secret-0123456789abcdef';
export const APP_URL = 'http://localhost:3000';

/**
 * Opens the pool and the Redis client, builds the Auth instance and listens on a free port.
 * `log` receives every log line of core ({ level, message, fields }); `onEvent` every event.
 * `redisOptions` is passed to createRedis (the "before" run replaces the retry strategy).
 */
export async function startApp({ databaseUrl, redisUrl, schema, log, onEvent, redisOptions }) {
  const connectionErrors = { postgres: 0, redis: 0 };
  const pool = await createPool(databaseUrl, {
    onError: () => {
      connectionErrors.postgres += 1;
    },
  });
  const redis = await createRedis(redisUrl, {
    ...redisOptions,
    onError: () => {
      connectionErrors.redis += 1;
    },
  });
  const pg = postgresStorage(pool, { schema });
  const ephemeral = redisStorage(redis, { prefix: 'outage:' });
  const storage = composeStorage({
    users: pg.users,
    accounts: pg.accounts,
    passkeys: pg.passkeys,
    twoFactor: pg.twoFactor,
    audit: pg.audit,
    sessions: ephemeral.sessions,
    tokens: ephemeral.tokens,
    rateLimits: ephemeral.rateLimits,
    transactionsFrom: pg,
  });
  // argon2id at small parameters (m = 1024 KiB, t = 1), inline: sign-ins are part of the load,
  // not what it measures, and the machine has two cores.
  const hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  const mailer = memoryMailer({ appUrl: APP_URL });
  const at = (level) => (message, fields) => log({ level, message, fields });
  const auth = createAuth({
    storage,
    mailer,
    appUrl: APP_URL,
    secret: SECRET,
    password: { hasher },
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    onEvent,
    session: { strategy: 'jwt' },
    http: { refreshTokenTransport: 'body' },
  });
  const handler = createHttpHandler(auth);

  const server = createServer(async (req, res) => {
    try {
      const request = await toRequest(req);
      // Each load client has an address of its own (rate limits are per IP).
      const info = { remoteAddress: req.headers['x-test-ip'] ?? req.socket.remoteAddress };
      let response;
      if (req.url === '/api/me') {
        try {
          const { user } = await handler.authenticate(request, info);
          response = Response.json({ id: user.id });
        } catch (error) {
          response = errorResponse(error);
        }
      } else {
        response = await handler(request, info);
      }
      res.writeHead(response.status, [...response.headers].flat());
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      log({ level: 'error', message: 'adapter failed', fields: { cause: String(error) } });
      res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    auth,
    mailer,
    url: `http://127.0.0.1:${server.address().port}`,
    connectionErrors,
    redis,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await auth.close();
      redis.disconnect();
      await pool.end();
    },
  };
}

async function toRequest(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://127.0.0.1${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
}
