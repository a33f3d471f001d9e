// pnpm bench (after core's benches): validateSession ops/s and latency on every storage
// backend, each beside the bare round trip of the same server, measured in the same run on the
// same client (`SELECT 1` on the same pg Pool or PGlite, `PING` and `GET` on the same ioredis
// client). Imports the packages' built `dist` (the package's `bench` script builds them first).
//
//   node tests/integration/bench/storage.mjs
//   BENCH_SECONDS=1 BENCH_ROUNDS=3 BENCH_CONCURRENCY=1,10 DATABASE_URL=… REDIS_URL=… node …
//
// c = 1 (sequential): a group's rows (bare round trips and validations) run interleaved, one
// call of each in turn, every call timed, BENCH_SECONDS per row. c = 10 (ten requests in flight,
// like autocannon -c 10): each row runs for BENCH_SECONDS with 10 callers, the rows in turn.
// Either way BENCH_ROUNDS times, and each figure is the median of its rounds.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '@portcullis/core';
import { createPasswordHasher } from '@portcullis/core/password';
import { composeStorage } from '@portcullis/core/storage';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { cachedSessions, cachedStorage, createRedis, redisStorage } from '@portcullis/redis';
import { measure, measureInterleaved, median, registered } from './measure.mjs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10').split(',').map(Number);
// BENCH_ONLY=PostgreSQL,Redis measures only the groups whose name contains one of these.
const ONLY = process.env.BENCH_ONLY?.split(',');
const SECRET = 'bench-secret-bench-secret-bench-secret';
const PASSWORD = 'violet tangerine orbit';
const schema = `pc_bench_${randomBytes(6).toString('hex')}`;
const prefix = `portcullis-bench:${randomBytes(6).toString('hex')}:`;

// ---------------------------------------------------------------------------------------------
// Servers and stores. Fail loudly when a server is down: a bench without it is no bench.

const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
pool.on('error', () => undefined);
const redis = await createRedis(REDIS_URL, { connectTimeoutMs: 3000 }).catch((error) => {
  throw new Error(`Redis is unreachable at ${REDIS_URL}: ${error}`);
});
try {
  await pool.query('SELECT 1');
} catch (error) {
  throw new Error(`PostgreSQL is unreachable at ${DATABASE_URL}: ${error}`);
}
const pglite = await PGlite.create(); // in memory
await migrate(pool, { schema });
await migrate(pglite);
const pgVersion = (await pool.query('SHOW server_version')).rows[0].server_version;
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
const pgliteVersion = (await pglite.query('SHOW server_version')).rows[0].server_version;

const hasher = await createPasswordHasher({
  backend: 'inline',
  params: { memoryKiB: 1024, iterations: 1 },
});
const auths = [];
/** An Auth over `storage` (every instance with the same secret, as replicas would have). */
function authOver(storage) {
  const auth = createAuth({
    storage,
    mailer: memoryMailer(),
    appUrl: 'http://localhost:3000',
    secret: SECRET,
    logger: silentLogger,
    emailVerification: { required: false },
    password: { hasher },
  });
  auths.push(auth);
  return auth;
}
/** Signs `email` in on `auth` and resolves to the session token. */
async function sessionToken(auth, email) {
  const login = await auth.login({ identifier: email, password: PASSWORD });
  if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie') throw new Error('login');
  return login.tokens.sessionToken;
}

const pg = postgresStorage(pool, { schema });
const ephemeral = redisStorage(redis, { prefix });
const EMAIL = 'bench@example.com';

// One user in PostgreSQL (registered through an Auth over it) and the same record copied into a
// memory store of users, for the rows that leave PostgreSQL out of the user read.
const pgAuth = authOver(pg);
await pgAuth.register({ email: EMAIL, password: PASSWORD });
const userRecord = await registered(pg, EMAIL); // normalized: ASCII lower case already
function memoryUsers() {
  const memory = memoryStorage();
  return memory.users.create(userRecord).then(() => memory);
}

const memStorage = memoryStorage();
const memAuth = authOver(memStorage);
await memAuth.register({ email: EMAIL, password: PASSWORD });
await registered(memStorage, EMAIL);
const pgliteStorage = postgresStorage(pglite);
const pgliteAuth = authOver(pgliteStorage);
await pgliteAuth.register({ email: EMAIL, password: PASSWORD });
await registered(pgliteStorage, EMAIL);

const memoryForRedis = await memoryUsers();
const memoryForCache = await memoryUsers();
const redisPgAuth = authOver(composeStorage({ ...pg, ...ephemeral, transactionsFrom: pg }));
const redisMemAuth = authOver(composeStorage({ ...memoryForRedis, ...ephemeral }));
const cachedPgAuth = authOver(
  composeStorage({
    ...pg,
    sessions: cachedSessions(redis, pg.sessions, { prefix }),
    transactionsFrom: pg,
  }),
);
// Sessions and users in PostgreSQL, cached together in Redis: one GET per validation.
const pairCache = cachedStorage(redis, pg, { prefix });
const pairCachedAuth = authOver(
  composeStorage({
    users: pairCache.users,
    accounts: pairCache.accounts,
    passkeys: pairCache.passkeys,
    sessions: pairCache.sessions,
    twoFactor: pairCache.twoFactor,
    audit: pairCache.audit,
    tokens: ephemeral.tokens,
    rateLimits: ephemeral.rateLimits,
    transactionsFrom: pairCache,
  }),
);
const cachedMemAuth = authOver(
  composeStorage({ ...memoryForCache, sessions: cachedSessions(redis, pg.sessions, { prefix }) }),
);

const tokens = {
  memory: await sessionToken(memAuth, EMAIL),
  pglite: await sessionToken(pgliteAuth, EMAIL),
  pg: await sessionToken(pgAuth, EMAIL),
  redisPg: await sessionToken(redisPgAuth, EMAIL),
  redisMem: await sessionToken(redisMemAuth, EMAIL),
  cachedPg: await sessionToken(cachedPgAuth, EMAIL),
  cachedMem: await sessionToken(cachedMemAuth, EMAIL),
  pairCached: await sessionToken(pairCachedAuth, EMAIL),
};

// A value the size of a cached session, for the bare GET.
const getKey = `${prefix}bare-get`;
await redis.set(getKey, JSON.stringify(await pg.sessions.get(tokens.pg.slice(0, 22), Date.now())));

// The statements validateSession sends, captured from the stores themselves, to replay them as
// named (prepared once per connection) statements: what planning each call costs.
const captured = [];
const spy = {
  // Named (prepared) queries arrive as { name, text, values }; plain ones as (text, values).
  query: (q, values) => {
    captured.push(typeof q === 'string' ? q : q.text);
    return pool.query(q, values);
  },
  connect: () => pool.connect(),
};
const sessionId = tokens.pg.slice(0, 22);
const userId = userRecord.id;
await postgresStorage(spy, { schema }).sessions.get(sessionId, Date.now());
await postgresStorage(spy, { schema }).users.getById(userId);
const [sessionSql, userSql] = captured;
const preparedReads = async () => {
  await pool.query({ name: 'bench-session', text: sessionSql, values: [sessionId, Date.now()] });
  await pool.query({ name: 'bench-user', text: userSql, values: [userId] });
};

// The floor the guide measures against: one indexed lookup (a session by primary key), prepared.
const floorSql = `SELECT id FROM "${schema}".sessions WHERE id = $1`;

// ---------------------------------------------------------------------------------------------
// What is measured. `bare` names the row a validation is compared with.

const validate = (auth, token) => () => auth.validateSession(token);
const groups = [
  {
    name: 'memory',
    rows: [{ label: 'memory: validateSession', fn: validate(memAuth, tokens.memory) }],
  },
  {
    name: 'PGlite (in memory, in process)',
    rows: [
      { label: 'PGlite: SELECT 1', id: 'pglite-bare', fn: () => pglite.query('SELECT 1') },
      {
        label: 'PGlite: validateSession',
        fn: validate(pgliteAuth, tokens.pglite),
        bare: 'pglite-bare',
      },
    ],
  },
  {
    name: 'PostgreSQL',
    rows: [
      { label: 'PostgreSQL: SELECT 1', id: 'pg-bare', fn: () => pool.query('SELECT 1') },
      {
        label: 'PostgreSQL: validateSession',
        fn: validate(pgAuth, tokens.pg),
        bare: 'pg-bare',
        target: 1.5,
      },
      {
        label: 'PostgreSQL: sessions.get + users.getById (before: 2 round trips)',
        fn: preparedReads,
        bare: 'pg-bare',
      },
      {
        label: 'PostgreSQL: storage.sessionWithUser (1 prepared join)',
        fn: () => pg.sessionWithUser(sessionId, Date.now()),
        bare: 'pg-bare',
      },
      {
        label: 'PostgreSQL: indexed lookup by id, prepared',
        id: 'pg-floor',
        fn: () => pool.query({ name: 'bench-floor', text: floorSql, values: [sessionId] }),
      },
      {
        label: 'PostgreSQL: validateSession (vs the indexed lookup)',
        fn: validate(pgAuth, tokens.pg),
        bare: 'pg-floor',
        target: 1.5,
      },
    ],
  },
  {
    name: 'Redis',
    rows: [
      { label: 'Redis: PING', id: 'ping', fn: () => redis.ping() },
      { label: 'Redis: GET', id: 'get', fn: () => redis.get(getKey) },
      {
        label: 'GET, then SELECT 1',
        fn: async () => {
          await redis.get(getKey);
          await pool.query('SELECT 1');
        },
        bare: 'get',
      },
      {
        label: 'Redis sessions, PG users: validateSession',
        fn: validate(redisPgAuth, tokens.redisPg),
        bare: 'get',
      },
      {
        label: 'Redis sessions, memory users: validateSession',
        fn: validate(redisMemAuth, tokens.redisMem),
        bare: 'get',
      },
      {
        label: 'cachedSessions (PG sessions), PG users: validateSession',
        fn: validate(cachedPgAuth, tokens.cachedPg),
        bare: 'get',
      },
      {
        label: 'cachedStorage (PG sessions + users): validateSession',
        fn: validate(pairCachedAuth, tokens.pairCached),
        bare: 'get',
        target: 1.5,
      },
      {
        label: 'cachedSessions (PG sessions), memory users: validateSession',
        fn: validate(cachedMemAuth, tokens.cachedMem),
        bare: 'get',
      },
    ],
  },
];

if (ONLY !== undefined) {
  const kept = groups.filter((g) => ONLY.some((part) => g.name.includes(part)));
  groups.splice(0, groups.length, ...kept);
}

// ---------------------------------------------------------------------------------------------
// Measurement.

// Check every row once (a broken setup must fail, not bench an error path), then warm up.
for (const group of groups) {
  for (const row of group.rows) {
    await row.fn();
    await measure(row.fn, 10, 0.3);
  }
}

const results = new Map(); // `${label}|${c}` → { ops, p50, p99 }
for (const c of CONCURRENCY) {
  for (const group of groups) {
    const rounds = new Map(group.rows.map((row) => [row.label, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      if (c === 1) {
        const measured = await measureInterleaved(group.rows, SECONDS);
        for (const [i, row] of group.rows.entries()) rounds.get(row.label).push(measured[i]);
        continue;
      }
      for (const row of group.rows) rounds.get(row.label).push(await measure(row.fn, c, SECONDS));
    }
    for (const row of group.rows) {
      const runs = rounds.get(row.label);
      results.set(`${row.label}|${c}`, {
        ops: median(runs.map((r) => r.ops)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report: a Markdown table, ready for docs/performance.md.

const byId = new Map(groups.flatMap((g) => g.rows.filter((r) => r.id).map((r) => [r.id, r])));
const int = (n) => Math.round(n).toLocaleString('en-US');
const us = (n) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
const ratio = (n) => n.toFixed(2);
const header = [
  'row',
  'c',
  'ops/s',
  'p50 µs',
  'p99 µs',
  'compared with',
  'ops/s ÷ bare',
  'p50 ÷ bare',
  'p99 ÷ bare',
  'target (c = 1: mean and p50 ≤ 1.5× bare)',
];
const lines = [];
for (const c of CONCURRENCY) {
  for (const group of groups) {
    for (const row of group.rows) {
      const r = results.get(`${row.label}|${c}`);
      const bare = row.bare === undefined ? undefined : byId.get(row.bare);
      const b = bare === undefined ? undefined : results.get(`${bare.label}|${c}`);
      let verdict = '';
      if (row.target !== undefined && b !== undefined && c === 1) {
        // "Within 1.5× a bare round trip", one request at a time: the mean round trip (1 ÷ ops/s)
        // and the median each at most 1.5× the bare one's. p99 is reported beside it.
        const ok = r.ops / b.ops >= 1 / row.target && r.p50 / b.p50 <= row.target;
        verdict = ok ? 'met' : 'NOT met';
      }
      lines.push([
        row.label,
        String(c),
        int(r.ops),
        us(r.p50),
        us(r.p99),
        bare === undefined ? '' : bare.label.replace(/^.*: /, ''),
        b === undefined ? '' : ratio(r.ops / b.ops),
        b === undefined ? '' : ratio(r.p50 / b.p50),
        b === undefined ? '' : ratio(r.p99 / b.p99),
        verdict,
      ]);
    }
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(
  `validateSession by storage; ${SECONDS} s × ${ROUNDS} rounds per figure (median); ` +
    `Node ${process.version}, PostgreSQL ${pgVersion}, Redis ${redisVersion}, ` +
    `PGlite (PostgreSQL ${pgliteVersion}); ${new Date().toISOString().slice(0, 10)}`,
);
console.log(format(header));
console.log(format(widths.map((w) => '-'.repeat(w))));
for (const line of lines) console.log(format(line));

// ---------------------------------------------------------------------------------------------
// Clean up: the schema, the keys, the connections.

await Promise.all(auths.map((auth) => auth.close()));
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length > 0) await redis.del(...keys);
} while (cursor !== '0');
await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await pool.end();
await redis.quit();
await pglite.close();
