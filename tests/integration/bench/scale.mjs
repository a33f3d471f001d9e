// pnpm bench:scale (tests/integration): what a large number of live sessions costs. Issue 20,
// "Scale": validation latency at 1M sessions within 1.2× of 1k sessions (PostgreSQL and Redis),
// memory per live session in Redis, and PostgreSQL rows (and bytes) per session, refresh hashes
// included. Imports the packages' built `dist` (the package's `bench:scale` script builds them).
//
//   node tests/integration/bench/scale.mjs
//   SCALE_SIZES=1000,1000000 SCALE_SECONDS=3 SCALE_ROUNDS=3 DATABASE_URL=… REDIS_URL=… node …
//
// For each size N (ascending; each stage tops the stores up from the previous one):
// 1. PostgreSQL, a schema of its own: N cookie sessions of USERS users, written with
//    INSERT … SELECT … generate_series in batches, then VACUUM (ANALYZE).
// 2. Redis, a prefix of its own (sessions in Redis, users in memory): N sessions written through
//    the adapter's own `sessions.create`, many in flight; `used_memory` before and after.
// Both stores are seeded at the same time (the wall time is printed with each store's own).
// Then `auth.validateSession` on each store over two token sets: `hot`, HOT_TOKENS tokens of a
// real sign-in (auth.login), and `spread`, tokens of seeded sessions drawn from all N (the
// seeded secrets are derived from the session's number, so any of them can be presented).
// c = 1: both sets interleaved, one call of each in turn, every call timed (p50, p99);
// c = 10: ten calls in flight, each set in turn (validations/s). SCALE_ROUNDS rounds of
// SCALE_SECONDS per figure, medians.
// 3. A jwt-strategy session on each store after K = 0, 1, 5, 20 refreshes: its rows in
//    `sessions` and `session_refresh_hashes`, and its Redis key; bytes per session of the
//    PostgreSQL `sessions` table at each N; and bytes per `session_refresh_hashes` row, from
//    HASH_SAMPLE rows written for that at the end.
//
// Prints one Markdown table per part and writes everything to
// tests/integration/bench/results/scale-<time>.json.
import { hash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '@portcullis/core';
import { createPasswordHasher } from '@portcullis/core/password';
import { composeStorage } from '@portcullis/core/storage';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { createRedis, redisStorage } from '@portcullis/redis';
import { measure, measureInterleaved, median, registered } from './measure.mjs';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIZES = (process.env.SCALE_SIZES ?? '1000,1000000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const SECONDS = Number(process.env.SCALE_SECONDS ?? 3);
const ROUNDS = Number(process.env.SCALE_ROUNDS ?? 3);
if (SIZES.some((n) => !Number.isSafeInteger(n) || n < 1) || !(SECONDS > 0) || !(ROUNDS >= 1)) {
  throw new Error('SCALE_SIZES must be positive integers, SCALE_SECONDS and SCALE_ROUNDS > 0');
}
/** Users the seeded sessions belong to (session i to user i mod USERS). */
const USERS = 300;
/** Real sign-ins whose tokens the `hot` rows validate. */
const HOT_TOKENS = 50;
/** Most seeded tokens the `spread` rows draw from (uniformly over all N when N is larger). */
const SPREAD_POOL = 100_000;
/** Rows per INSERT … generate_series, and how many such statements run at once. */
const PG_BATCH = 100_000;
const PG_PARALLEL = 2;
/** Sessions written to Redis at once through the adapter (auto-pipelined on one connection). */
const REDIS_IN_FLIGHT = 200;
/** Refresh counts of part 3. */
const REFRESHES = [0, 1, 5, 20];
/** `session_refresh_hashes` rows written at the end to measure bytes per row (part 3). */
const HASH_SAMPLE = 200_000;
/** The target of issue 20: latency at the largest N within this factor of the smallest. */
const TARGET = 1.2;

const SECRET = 'bench-secret-bench-secret-bench-secret';
const PASSWORD = 'violet tangerine orbit';
const EMAIL = 'scale@example.com';
const runId = hash('sha256', `${Date.now()}:${Math.random()}`, 'hex');
const schema = `pc_bench_scale_${runId.slice(0, 12)}`;
const prefix = `portcullis-bench-scale:${runId.slice(0, 12)}:`;
// What a browser sends: seeded rows carry an IP and a User-Agent like real sign-ins, so the
// bytes per session are those of a real row.
const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Chrome/131.0.0.0 Safari/537.36';
const CONTEXT = { ip: '203.0.113.7', userAgent: USER_AGENT };
const DAY_MS = 86_400_000;
// One time for every seeded session. lastSeenAt is a day ahead of it so that no validation of a
// seeded session is due a touch (core writes one when lastSeenAt is touchIntervalSeconds old):
// `spread` then measures the read path, like `hot`, whose 50 sessions touch once a minute each.
const SEEDED_AT = Date.now();

// ---------------------------------------------------------------------------------------------
// Seeded sessions: the same numbered ids and secrets in SQL and in JavaScript, so that any of
// them can be presented. Shaped like core's: a 22-character id (16 bytes, base64url), a
// 43-character secret (32 bytes) and SHA-256 of it, base64url.

/** SHA-256 of a UTF-8 string (one-shot `hash`: a third of `createHash`'s cost per call). */
const sha256 = (text) => hash('sha256', text, 'buffer');
/** The id of seeded session `i`. */
const seededId = (i) => sha256(`scale-id:${i}`).subarray(0, 16).toString('base64url');
/** The id of seeded user `j`. */
const seededUserId = (j) => sha256(`scale-user:${j}`).subarray(0, 16).toString('base64url');
/** The token (`{id}.{secret}`) of seeded session `i`. */
const seededToken = (i) => `${seededId(i)}.${sha256(`scale-secret:${i}`).toString('base64url')}`;
/** SQL: base64url without padding of the bytea expression `bytes`, as Buffer's 'base64url'. */
const b64 = (bytes) => `rtrim(translate(encode(${bytes}, 'base64'), '+/', '-_'), '=')`;
/** SQL: SHA-256 of the UTF-8 text expression `text`. */
const sqlSha = (text) => `sha256(convert_to(${text}, 'UTF8'))`;
/** SQL: the timestamptz of the epoch-ms expression `ms`, exactly (core's times are whole ms). */
const sqlMs = (ms) => `('epoch'::timestamptz + (${ms})::bigint * interval '1 millisecond')`;

// ---------------------------------------------------------------------------------------------
// Servers and stores. Fail loudly when a server is down: a bench without it is no bench.

const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000 });
// Seeding statements run for seconds: a pool of its own without the fail-fast time limits.
const seedPool = await createPool(DATABASE_URL, {
  connectionTimeoutMillis: 3000,
  statementTimeoutMillis: 0,
  queryTimeoutMillis: 3_600_000,
  max: PG_PARALLEL,
});
try {
  await pool.query('SELECT 1');
} catch (error) {
  throw new Error(`PostgreSQL is unreachable at ${DATABASE_URL}: ${error}`);
}
const redis = await createRedis(REDIS_URL, { connectTimeoutMs: 3000 }).catch((error) => {
  throw new Error(`Redis is unreachable at ${REDIS_URL}: ${error}`);
});
// The seeding client batches the adapter's commands on its socket (many in flight, few
// writes), with room for a long queue; the bench's own client stays as the adapter's default.
const seedRedis = await createRedis(REDIS_URL, {
  connectTimeoutMs: 3000,
  commandTimeoutMs: 60_000,
  redis: { enableAutoPipelining: true },
});
const pgVersion = (await pool.query('SHOW server_version')).rows[0].server_version;
const sharedBuffers = (await pool.query('SHOW shared_buffers')).rows[0].shared_buffers;
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];

const hasher = await createPasswordHasher({
  backend: 'inline',
  params: { memoryKiB: 1024, iterations: 1 },
});
const auths = [];
/** An Auth over `storage` in `strategy` (every instance with the same secret). */
function authOver(storage, strategy = 'cookie') {
  const auth = createAuth({
    storage,
    mailer: memoryMailer(),
    appUrl: 'http://localhost:3000',
    secret: SECRET,
    logger: silentLogger,
    emailVerification: { required: false },
    password: { hasher },
    session: { strategy },
  });
  auths.push(auth);
  return auth;
}

/** Resolves to `used_memory` of the Redis server, in bytes. */
async function usedMemory() {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
}
/** Bytes Redis reports for `key`, every element counted (`SAMPLES 0`). */
async function memoryUsage(key) {
  return Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
}

/** Deletes every key of this run's prefix. */
async function deleteKeys() {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Closes every Auth and connection this run opened. */
async function closeAll() {
  await Promise.all(auths.map((auth) => auth.close()));
  await pool.end();
  await seedPool.end();
  await redis.quit();
  await seedRedis.quit();
}

// The schema and the keys go whatever happens: a failed 1M run must not leave a million rows
// and keys behind.
let report;
try {
  report = await bench();
} finally {
  await deleteKeys();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await closeAll();
}
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}scale-${report.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nWritten: ${file}`);

/** The whole bench: seeds, measures, prints the tables; resolves to the JSON report. */
async function bench() {
  const startedAt = new Date();
  await migrate(pool, { schema });
  const s = `"${schema}"`;
  const pg = postgresStorage(pool, { schema });
  const ephemeral = redisStorage(redis, { prefix });
  const seeder = redisStorage(seedRedis, { prefix }).sessions;

  // The real user, in PostgreSQL (registered through an Auth over it) and copied into memory
  // stores for the Redis layouts; the seeded users, in both.
  const pgAuth = authOver(pg);
  await pgAuth.register({ email: EMAIL, password: PASSWORD });
  const userRecord = await registered(pg, EMAIL);
  await seedPool.query(
    `INSERT INTO ${s}.users (id, email, email_normalized, created_at, updated_at)
     SELECT ${b64(`substr(${sqlSha(`'scale-user:' || j`)}, 1, 16)`)},
       'scale-' || j || '@example.com', 'scale-' || j || '@example.com',
       ${sqlMs('$2')}, ${sqlMs('$2')}
     FROM generate_series(0, $1::int - 1) j`,
    [USERS, SEEDED_AT],
  );
  /** A memory store holding the real user and the seeded users. */
  async function memoryUsers() {
    const memory = memoryStorage();
    await memory.users.create(userRecord);
    // Seeded users have no password, as in PostgreSQL: nobody signs in as them.
    const { passwordHash: _, ...passwordless } = userRecord;
    for (let j = 0; j < USERS; j += 1) {
      const email = `scale-${j}@example.com`;
      await memory.users.create({
        ...passwordless,
        id: seededUserId(j),
        email,
        emailNormalized: email,
      });
    }
    return memory;
  }
  const redisAuth = authOver(composeStorage({ ...(await memoryUsers()), ...ephemeral }));
  const pgJwtAuth = authOver(pg, 'jwt');
  const redisJwtAuth = authOver(composeStorage({ ...(await memoryUsers()), ...ephemeral }), 'jwt');

  /** HOT_TOKENS session tokens of the real user, signed in on `auth`. */
  async function hotTokens(auth) {
    const tokens = [];
    for (let i = 0; i < HOT_TOKENS; i += 1) {
      const login = await auth.login({ identifier: EMAIL, password: PASSWORD }, CONTEXT);
      if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie') {
        throw new Error(`login ${i + 1}: ${login.status}`);
      }
      tokens.push(login.tokens.sessionToken);
    }
    return tokens;
  }
  const hot = { pg: await hotTokens(pgAuth), redis: await hotTokens(redisAuth) };

  // -------------------------------------------------------------------------------------------
  // Seeding.

  /** Writes PostgreSQL sessions `from`..`to` (inclusive), PG_PARALLEL batches at a time. */
  async function seedPostgres(from, to) {
    const batches = [];
    for (let start = from; start <= to; start += PG_BATCH) {
      batches.push([start, Math.min(to, start + PG_BATCH - 1)]);
    }
    // Ids in order within a batch: each batch sweeps the primary key once, left to right,
    // instead of landing on a random leaf per row.
    const insert = `INSERT INTO ${s}.sessions (id, user_id, secret_hash, created_at,
        last_seen_at, idle_expires_at, absolute_expires_at, fresh_until, ip, user_agent, amr,
        credential_generation)
      SELECT ${b64(`substr(${sqlSha(`'scale-id:' || i`)}, 1, 16)`)} AS id,
        ${b64(`substr(${sqlSha(`'scale-user:' || (i % $3::int)`)}, 1, 16)`)},
        ${b64(sqlSha(b64(sqlSha(`'scale-secret:' || i`))))},
        ${sqlMs('$4::bigint - i')}, ${sqlMs(`$4::bigint + ${DAY_MS}`)},
        ${sqlMs(`$4::bigint + ${7 * DAY_MS}`)}, ${sqlMs(`$4::bigint + ${30 * DAY_MS}`)},
        ${sqlMs('$4')}, '203.0.113.' || (i % 256), $5, ARRAY['pwd'], 0
      FROM generate_series($1::int, $2::int) i ORDER BY 1`;
    /** Runs batches until none is left (PG_PARALLEL of these at once). */
    const next = async () => {
      for (let batch = batches.shift(); batch !== undefined; batch = batches.shift()) {
        await seedPool.query(insert, [...batch, USERS, SEEDED_AT, USER_AGENT]);
      }
    };
    let t = performance.now();
    await Promise.all(Array.from({ length: PG_PARALLEL }, next));
    const insertSeconds = (performance.now() - t) / 1000;
    // VACUUM as well as ANALYZE: PostgreSQL 13 and later autovacuum a table after many inserts,
    // which would otherwise run in the middle of the measurement; and the pages are then as a
    // long-running database holds them (hint bits set, visibility map current).
    t = performance.now();
    await seedPool.query(`VACUUM (ANALYZE) ${s}.sessions`);
    return { insertSeconds, vacuumSeconds: (performance.now() - t) / 1000 };
  }

  /** The record of seeded session `i`, as core would write it for that sign-in. */
  function seededRecord(i) {
    const secret = sha256(`scale-secret:${i}`).toString('base64url');
    return {
      id: seededId(i),
      userId: seededUserId(i % USERS),
      secretHash: sha256(secret).toString('base64url'),
      previousRefreshHashes: [],
      createdAt: SEEDED_AT - i,
      lastSeenAt: SEEDED_AT + DAY_MS,
      idleExpiresAt: SEEDED_AT + 7 * DAY_MS,
      absoluteExpiresAt: SEEDED_AT + 30 * DAY_MS,
      freshUntil: SEEDED_AT,
      ip: `203.0.113.${i % 256}`,
      userAgent: USER_AGENT,
      amr: ['pwd'],
      credentialGeneration: 0,
    };
  }

  /**
   * Writes Redis sessions `from`..`to` through the adapter, REDIS_IN_FLIGHT at a time; resolves
   * to the seconds it took. (A hand-made pipeline of the same two scripts per session was no
   * faster: the cost is this process building the commands, which auto-pipelining batches.)
   */
  async function seedRedisSessions(from, to) {
    const t = performance.now();
    let i = from;
    /** Writes the next session until none is left (REDIS_IN_FLIGHT of these at once). */
    const worker = async () => {
      while (i <= to) {
        const record = seededRecord(i);
        i += 1;
        await seeder.create(record);
      }
    };
    await Promise.all(Array.from({ length: REDIS_IN_FLIGHT }, worker));
    return (performance.now() - t) / 1000;
  }

  /** `min(n, SPREAD_POOL)` tokens of seeded sessions 1..n, drawn uniformly. */
  function spreadTokens(n) {
    if (n <= SPREAD_POOL) return Array.from({ length: n }, (_, k) => seededToken(k + 1));
    return Array.from({ length: SPREAD_POOL }, () =>
      seededToken(1 + Math.floor(Math.random() * n)),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Stages: seed up to N, then measure.

  /** A token of `tokens`, drawn uniformly. */
  const pick = (tokens) => tokens[Math.floor(Math.random() * tokens.length)];
  const stages = [];
  let seeded = 0;
  for (const n of SIZES) {
    const stage = { sessions: n, postgres: {}, redis: {} };

    // Both stores at once: PostgreSQL's work is in its server, Redis's mostly in this process.
    const before = await usedMemory();
    const t = performance.now();
    const [pgSeed, redisSeconds] = await Promise.all([
      seedPostgres(seeded + 1, n),
      seedRedisSessions(seeded + 1, n),
    ]);
    stage.seedWallSeconds = (performance.now() - t) / 1000;
    stage.postgres.seedSeconds = pgSeed.insertSeconds;
    stage.postgres.vacuumSeconds = pgSeed.vacuumSeconds;
    stage.postgres.seeded = n - seeded;
    stage.redis.seedSeconds = redisSeconds;
    stage.redis.seeded = n - seeded;
    // Every seeded time must read back as whole milliseconds, else the one-statement join
    // (sessionWithUser) would fall back to two lookups and the bench would time the wrong path.
    const { rows: odd } = await pool.query(
      `SELECT count(*)::int AS n FROM (SELECT * FROM ${s}.sessions LIMIT 1000) x
        WHERE date_trunc('milliseconds', created_at) <> created_at
           OR date_trunc('milliseconds', last_seen_at) <> last_seen_at`,
    );
    if (odd[0].n !== 0) throw new Error('seeded times are not whole milliseconds');
    const { rows: sizes } = await pool.query(
      `SELECT (SELECT count(*) FROM ${s}.sessions)::bigint::float8 AS rows,
         pg_relation_size('${s}.sessions')::float8 AS heap,
         pg_indexes_size('${s}.sessions')::float8 AS indexes,
         pg_total_relation_size('${s}.sessions')::float8 AS total`,
    );
    stage.postgres.table = sizes[0];
    stage.postgres.bytesPerSession = sizes[0].total / sizes[0].rows;

    const after = await usedMemory();
    stage.redis.usedMemoryBefore = before;
    stage.redis.usedMemoryAfter = after;
    stage.redis.bytesPerSession = (after - before) / (n - seeded);
    const sessionKey = `${prefix}session:${seededId(1)}`;
    stage.redis.sessionKeyBytes = await memoryUsage(sessionKey);
    stage.redis.sessionKeyEncoding = await redis.object('ENCODING', sessionKey);
    const seededIndex = `${prefix}user-sessions:${seededUserId(1)}`;
    stage.redis.seededUserIndex = {
      members: await redis.zcard(seededIndex),
      bytes: await memoryUsage(seededIndex),
    };
    const realIndex = `${prefix}user-sessions:${userRecord.id}`;
    stage.redis.realUserIndex = {
      members: await redis.zcard(realIndex),
      bytes: await memoryUsage(realIndex),
    };
    seeded = n;
    console.error(
      `N = ${n.toLocaleString('en-US')}: seeded in ${stage.seedWallSeconds.toFixed(1)} s ` +
        `(PostgreSQL ${pgSeed.insertSeconds.toFixed(1)} s + VACUUM ANALYZE ` +
        `${pgSeed.vacuumSeconds.toFixed(1)} s, Redis ${redisSeconds.toFixed(1)} s); measuring`,
    );

    const spread = spreadTokens(n);
    const groups = {
      postgres: [
        { label: 'hot', fn: () => pgAuth.validateSession(pick(hot.pg)) },
        { label: 'spread', fn: () => pgAuth.validateSession(pick(spread)) },
      ],
      redis: [
        { label: 'hot', fn: () => redisAuth.validateSession(pick(hot.redis)) },
        { label: 'spread', fn: () => redisAuth.validateSession(pick(spread)) },
      ],
    };
    for (const [store, rows] of Object.entries(groups)) {
      // Check every row (a broken setup must fail, not bench an error path), then warm up.
      for (const row of rows) {
        const validated = await row.fn();
        if (validated.user === undefined) throw new Error(`${store} ${row.label}: no user`);
        await measure(row.fn, 10, 0.3);
      }
      const c1 = rows.map(() => []);
      const c10 = rows.map(() => []);
      for (let round = 0; round < ROUNDS; round += 1) {
        const measured = await measureInterleaved(rows, SECONDS);
        for (const [i, m] of measured.entries()) c1[i].push(m);
        for (const [i, row] of rows.entries()) c10[i].push(await measure(row.fn, 10, SECONDS));
      }
      stage[store].validate = Object.fromEntries(
        rows.map((row, i) => [row.label, { c1: medians(c1[i]), c10: medians(c10[i]) }]),
      );
    }
    stages.push(stage);
  }

  // -------------------------------------------------------------------------------------------
  // Part 3: a jwt-strategy session after K refreshes, on both stores.

  /** Signs the real user in on `auth` (jwt) and resolves to the refresh token. */
  async function jwtLogin(auth) {
    const login = await auth.login({ identifier: EMAIL, password: PASSWORD }, CONTEXT);
    if (login.status !== 'signed_in' || login.tokens.strategy !== 'jwt') throw new Error('login');
    return login.tokens.refreshToken;
  }
  const refresh = [];
  let pgToken = await jwtLogin(pgJwtAuth);
  let redisToken = await jwtLogin(redisJwtAuth);
  const pgId = pgToken.slice(0, 22);
  const redisKey = `${prefix}session:${redisToken.slice(0, 22)}`;
  let done = 0;
  for (const k of REFRESHES) {
    for (; done < k; done += 1) {
      pgToken = (await pgJwtAuth.refresh(pgToken, CONTEXT)).refreshToken;
      redisToken = (await redisJwtAuth.refresh(redisToken, CONTEXT)).refreshToken;
    }
    const { rows } = await pool.query(
      `SELECT (SELECT count(*)::int FROM ${s}.sessions WHERE id = $1) AS sessions,
         (SELECT count(*)::int FROM ${s}.session_refresh_hashes WHERE session_id = $1) AS hashes,
         (SELECT pg_column_size(x.*)::int FROM ${s}.sessions x WHERE id = $1) AS session_bytes,
         (SELECT coalesce(sum(pg_column_size(h.*)), 0)::int FROM ${s}.session_refresh_hashes h
           WHERE session_id = $1) AS hash_bytes`,
      [pgId],
    );
    const [row] = rows;
    refresh.push({
      refreshes: k,
      postgres: {
        sessionRows: row.sessions,
        refreshHashRows: row.hashes,
        sessionTupleBytes: row.session_bytes,
        refreshHashTupleBytes: row.hash_bytes,
      },
      redis: { fields: await redis.hlen(redisKey), keyBytes: await memoryUsage(redisKey) },
    });
  }

  // Bytes per refresh-hash row: HASH_SAMPLE rows (20 per session, of as many seeded sessions as
  // that takes), the table and its primary key measured before and after. Written after every
  // measurement, so they change none; shaped like the adapter's (22-character session id,
  // 43-character hash).
  const perSession = 20;
  const sampleSessions = Math.min(seeded, Math.ceil(HASH_SAMPLE / perSession));
  const hashBytes = `SELECT pg_total_relation_size('${s}.session_refresh_hashes')::float8 AS total,
      (SELECT count(*) FROM ${s}.session_refresh_hashes)::float8 AS rows`;
  const { rows: hashBefore } = await pool.query(hashBytes);
  await seedPool.query(
    `INSERT INTO ${s}.session_refresh_hashes (session_id, hash)
     SELECT ${b64(`substr(${sqlSha(`'scale-id:' || i`)}, 1, 16)`)},
       ${b64(sqlSha(`'scale-hash:' || i || ':' || k`))}
     FROM generate_series(1, $1::int) i, generate_series(1, $2::int) k`,
    [sampleSessions, perSession],
  );
  await seedPool.query(`VACUUM (ANALYZE) ${s}.session_refresh_hashes`);
  const { rows: hashAfter } = await pool.query(hashBytes);
  const refreshHashRow = {
    rows: hashAfter[0].rows - hashBefore[0].rows,
    bytes: hashAfter[0].total - hashBefore[0].total,
  };
  refreshHashRow.bytesPerRow = refreshHashRow.bytes / refreshHashRow.rows;

  printTables(stages, refresh, refreshHashRow);
  return {
    date: startedAt.toISOString(),
    machine: {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model,
      node: process.version,
      postgres: pgVersion,
      postgresSharedBuffers: sharedBuffers,
      redis: redisVersion,
    },
    settings: {
      sizes: SIZES,
      seconds: SECONDS,
      rounds: ROUNDS,
      users: USERS,
      hotTokens: HOT_TOKENS,
      spreadPool: SPREAD_POOL,
      pgBatch: PG_BATCH,
      pgParallel: PG_PARALLEL,
      redisInFlight: REDIS_IN_FLIGHT,
      target: TARGET,
    },
    stages,
    refresh,
    refreshHashRow,
  };
}

// ---------------------------------------------------------------------------------------------
// Measurement (measure.mjs, shared with storage.mjs).

/** Each figure of `runs` ({ ops, p50, p99 }) as the median of its rounds. */
function medians(runs) {
  return {
    ops: median(runs.map((r) => r.ops)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}

// ---------------------------------------------------------------------------------------------
// Report: Markdown tables, ready for docs/scaling.md.

/** Prints one Markdown table per part (part 3: two, and a line). */
function printTables(stages, refresh, refreshHashRow) {
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const us = (n) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
  const ratio = (n) => n.toFixed(2);
  const seconds = (n) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));
  const first = stages[0];
  const base = `N = ${int(first.sessions)}`;

  /** The validation columns of one store at one stage, with ratios to the smallest N. */
  const validationCells = (store, stage, label) => {
    const r = stage[store].validate[label];
    const b = first[store].validate[label];
    const cells = [int(r.c1.ops), us(r.c1.p50), us(r.c1.p99), int(r.c10.ops)];
    if (stage === first) return [...cells, '', '', '', '', ''];
    // "Within 1.2×", one request at a time: the mean (1 ÷ ops/s) and the median each at most
    // 1.2× those at the smallest N. p99 and c = 10 throughput are reported beside it.
    const mean = b.c1.ops / r.c1.ops;
    const p50 = r.c1.p50 / b.c1.p50;
    return [
      ...cells,
      ratio(p50),
      ratio(r.c1.p99 / b.c1.p99),
      ratio(mean),
      ratio(r.c10.ops / b.c10.ops),
      mean <= TARGET && p50 <= TARGET ? 'met' : 'NOT met',
    ];
  };
  const validationHeader = [
    'c = 1 validations/s',
    'p50 µs',
    'p99 µs',
    'c = 10 validations/s',
    `p50 ÷ ${base}`,
    'p99 ÷',
    'mean ÷',
    'c = 10 ops/s ÷',
    `≤ ${TARGET}× (mean, p50)`,
  ];

  console.log(
    `\nSessions at scale; ${SECONDS} s × ${ROUNDS} rounds per figure (median); ` +
      `Node ${process.version}, PostgreSQL ${pgVersion} (shared_buffers ${sharedBuffers}), ` +
      `Redis ${redisVersion}; ${availableParallelism()} cores; ` +
      `${new Date().toISOString().slice(0, 10)}. hot: ${HOT_TOKENS} signed-in tokens; ` +
      `spread: seeded tokens drawn from all N (pool of at most ${int(SPREAD_POOL)}).`,
  );

  console.log('\n1. PostgreSQL: auth.validateSession (one prepared join)\n');
  const pgLines = [];
  for (const stage of stages) {
    for (const label of ['hot', 'spread']) {
      pgLines.push([
        int(stage.sessions),
        label,
        `${seconds(stage.postgres.seedSeconds)} + ${seconds(stage.postgres.vacuumSeconds)}`,
        ...validationCells('postgres', stage, label),
      ]);
    }
  }
  printTable(['sessions', 'tokens', 'seeded + VACUUM s', ...validationHeader], pgLines);

  console.log('\n2. Redis sessions, users in memory: auth.validateSession, memory per session\n');
  const redisLines = [];
  for (const stage of stages) {
    for (const label of ['hot', 'spread']) {
      const r = stage.redis;
      redisLines.push([
        int(stage.sessions),
        label,
        seconds(r.seedSeconds),
        ...validationCells('redis', stage, label),
        int(r.bytesPerSession),
        `${int(r.sessionKeyBytes)} (${r.sessionKeyEncoding})`,
        `${int(r.seededUserIndex.bytes)} (${int(r.seededUserIndex.members)})`,
        `${int(r.realUserIndex.bytes)} (${int(r.realUserIndex.members)})`,
      ]);
    }
  }
  printTable(
    [
      'sessions',
      'tokens',
      'seeded in s',
      ...validationHeader,
      'used_memory Δ ÷ sessions added',
      'MEMORY USAGE session key (encoding)',
      'seeded user index (members)',
      'real user index (members)',
    ],
    redisLines,
  );

  console.log('\n3. PostgreSQL rows and bytes per session; a jwt session after K refreshes\n');
  printTable(
    ['sessions', 'rows', 'heap bytes', 'index bytes', 'total bytes', 'total ÷ rows'],
    stages.map((stage) => {
      const t = stage.postgres.table;
      return [
        int(stage.sessions),
        int(t.rows),
        int(t.heap),
        int(t.indexes),
        int(t.total),
        int(stage.postgres.bytesPerSession),
      ];
    }),
  );
  console.log('');
  printTable(
    [
      'refreshes K',
      'PG sessions rows',
      'PG session_refresh_hashes rows',
      'PG session tuple bytes',
      'PG refresh-hash tuple bytes',
      'Redis hash fields',
      'Redis MEMORY USAGE',
    ],
    refresh.map((r) => [
      String(r.refreshes),
      String(r.postgres.sessionRows),
      String(r.postgres.refreshHashRows),
      int(r.postgres.sessionTupleBytes),
      int(r.postgres.refreshHashTupleBytes),
      String(r.redis.fields),
      int(r.redis.keyBytes),
    ]),
  );
  console.log(
    `\nsession_refresh_hashes: ${int(refreshHashRow.bytes)} bytes for ${int(refreshHashRow.rows)} ` +
      `rows written, ${int(refreshHashRow.bytesPerRow)} bytes per row (heap and primary key).`,
  );
  const wall = stages.map((stage) => `${int(stage.sessions)}: ${seconds(stage.seedWallSeconds)} s`);
  console.log(`Seeding, wall time (both stores at once) up to N = ${wall.join(', ')}.`);
}

/** Prints `lines` under `header` as a Markdown table, columns padded. */
function printTable(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(format(header));
  console.log(format(widths.map((w) => '-'.repeat(w))));
  for (const line of lines) console.log(format(line));
}
