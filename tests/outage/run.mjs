// Outage load test (issue 16): an app with users in PostgreSQL and sessions, tokens and rate
// limits in Redis (app.mjs) under load (load.mjs) while, one after the other,
//   redis          the Redis server is killed (SIGKILL) and started again 5 s later (empty:
//                  no persistence, as the throwaway server runs);
//   pg-stop        PostgreSQL is down for 5 s (a proxy resets every connection and new ones);
//   pg-freeze-5    PostgreSQL answers nothing for 5 s (the proxy holds every byte), then resumes;
//   pg-freeze-15   the same for 15 s, longer than the pool's 5 s connection and 10 s query
//                  timeouts.
// Each scenario: 3 s of normal load, the fault, 5 s after it, then everyone signs in again.
// Prints two tables (docs/outages.md says how to read them). About 100 s in all.
//
//   pnpm --filter @portcullis-tests/outage run outage
//   OUTAGE_ONLY=redis OUTAGE_REDIS_RETRY=ioredis pnpm --filter @portcullis-tests/outage run outage
//
// OUTAGE_REDIS_RETRY=ioredis gives the Redis client ioredis's own backoff instead of
// createRedis's (the state before issue 16). OUTAGE_CLIENTS (10) and OUTAGE_RATE (46 requests a
// second per client) change the load; OUTAGE_CLIENT_TIMEOUT_MS (30000) is how long a client
// waits for an answer before it gives up (shorter than the outage: the client may lose a
// refresh that the server completed). Needs the shared PostgreSQL (DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test; the script only adds and drops a schema of its own)
// and `redis-server` on the PATH. Never stops a shared server.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createPool, migrate } from '@portcullis/postgres';
import { startPgProxy, throwawayRedis } from '@portcullis-tests/support';
import { Redis } from 'ioredis';
import { startApp } from './app.mjs';
import { startLoad } from './load.mjs';
import { printTables } from './report.mjs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = Number(process.env.OUTAGE_CLIENTS ?? 10);
const RATE = Number(process.env.OUTAGE_RATE ?? 46);
const ONLY = process.env.OUTAGE_ONLY?.split(',');
const IOREDIS_RETRY = process.env.OUTAGE_REDIS_RETRY === 'ioredis';
const BASELINE_MS = 3000;
const AFTER_MS = 5000;
const PASSWORD = 'violet tangerine orbit';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const schema = `pc_outage_${randomBytes(6).toString('hex')}`;
const admin = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
const proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
const redisServer = await throwawayRedis();

const records = [];
const events = [];
const logs = [];
let app;
let load;
try {
  await migrate(admin, { schema });
  app = await startApp({
    databaseUrl: proxy.url,
    redisUrl: redisServer.url,
    schema,
    log: (line) => logs.push({ ...line, t: performance.now() }),
    onEvent: (event) => events.push({ type: event.type, t: performance.now() }),
    redisOptions: IOREDIS_RETRY
      ? { redis: { retryStrategy: Redis.defaultOptions.retryStrategy } }
      : {},
  });
  const redisReady = [];
  app.redis.on('ready', () => redisReady.push(performance.now()));

  // Verified accounts, one per client, registered through the API as a user would.
  const users = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    const email = `outage-${i}-${randomBytes(4).toString('hex')}@example.test`;
    const context = { ip: `10.1.0.${i + 1}`, userAgent: 'outage-load-test' };
    await app.auth.register({ email, password: PASSWORD }, context);
    const mail = await app.mailer.waitFor(email, 'verify-email', { timeoutMs: 10_000 });
    await app.auth.verifyEmail(app.mailer.extractToken(mail), context);
    users.push({ email });
  }

  load = startLoad({
    base: app.url,
    users,
    password: PASSWORD,
    rate: RATE,
    onRecord: (record) => records.push(record),
  });

  const scenarios = [
    {
      name: 'redis',
      fault: 'Redis killed, restarted after 5 s',
      durationMs: 5000,
      begin: () => redisServer.stop(),
      end: () => redisServer.start(),
    },
    {
      name: 'pg-stop',
      fault: 'PostgreSQL down 5 s (connections reset)',
      durationMs: 5000,
      begin: () => proxy.stop(),
      end: () => proxy.restore(),
    },
    {
      name: 'pg-freeze-5',
      fault: 'PostgreSQL frozen 5 s (bytes held)',
      durationMs: 5000,
      begin: () => proxy.freeze(),
      end: () => proxy.restore(),
    },
    {
      name: 'pg-freeze-15',
      fault: 'PostgreSQL frozen 15 s (bytes held)',
      durationMs: 15_000,
      begin: () => proxy.freeze(),
      end: () => proxy.restore(),
    },
  ].filter((s) => ONLY === undefined || ONLY.includes(s.name));

  const results = [];
  await sleep(2000); // everyone signs in
  for (const scenario of scenarios) {
    const startedAt = performance.now();
    await sleep(BASELINE_MS);
    const faultStart = performance.now();
    await scenario.begin();
    await sleep(scenario.durationMs - (performance.now() - faultStart));
    await scenario.end();
    const faultEnd = performance.now();
    await sleep(AFTER_MS);
    const afterEnd = performance.now();
    results.push({ ...scenario, startedAt, faultStart, faultEnd, afterEnd });
    process.stderr.write(`${scenario.name} done\n`);
    await sleep(2000); // the clients that were signed out sign in again
  }
  await load.stop();
  load = undefined;
  printTables({
    results,
    records,
    events,
    logs,
    redisReady,
    connectionErrors: app.connectionErrors,
    settings: { clients: CLIENTS, rate: RATE, ioredisRetry: IOREDIS_RETRY, afterMs: AFTER_MS },
  });
} finally {
  await load?.stop();
  await app?.close().catch(() => {});
  await redisServer.dispose();
  await proxy.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await admin.end();
}
