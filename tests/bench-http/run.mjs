// pnpm bench:http (issue 20): whole HTTP routes under autocannon. Each row is a small Hono +
// @hono/node-server app in a child process of its own (server.mjs; one at a time, so no
// server's heap, timers or connections disturb another), with one route `/r`:
//
//   floors      no-auth (no check), no-auth-loaded (the same route in a process holding three
//               Auth instances, a pg pool and a Redis client: what loading Portcullis costs the
//               app's other routes), hs256 (a bare synchronous HS256 check), redis-get (one
//               GET), pg-lookup (one indexed lookup in a table of --rows rows), argon2-verify
//               (one argon2id verify at core's default parameters, the sign-in's floor);
//   Portcullis  bearer-requireAuth (jwt strategy, requireAuth, PostgreSQL: the claims alone),
//               bearer-role (requireAuth({ role: 'admin' }), roles in the token), bearer-checkSession
//               (requireAuth with session.accessToken.checkSession: one join), cookie-postgres (cookie
//               strategy, PostgreSQL with --rows seeded sessions), cookie-cached (cachedStorage in
//               Redis over that PostgreSQL), cookie-pglite (PGlite in memory), login (POST
//               /api/auth/login, argon2id at its defaults);
//   Better Auth better-auth-session (auth.api.getSession, PostgreSQL with --rows seeded
//               sessions), better-auth-login (POST /api/auth/sign-in/email), better-auth.mjs.
//
//   Flood       flood-bearer, flood-cookie-postgres: the protected route of bearer-requireAuth and
//               cookie-postgres while --flood-connections (20) sign-ins are in flight against the
//               same server (POST /api/auth/login); compared with the route without the flood.
//
// Every row also reports the server's event-loop delay (monitorEventLoopDelay, 1 ms
// resolution) over its measured run: p99 and max.
//
// Rounds are interleaved (round 1 of every row, then round 2, …); each row of a round is a
// fresh server process, a sanity request (it must answer 200), a warm-up and the measured run.
// Figures are medians of the rounds. Prints a Markdown table and writes the figures as JSON to
// results/<time>.json (gitignored).
//
//   pnpm bench:http [--rows 1000000] [--duration 8] [--connections 10] [--login-connections 4]
//                   [--rounds 3] [--warmup 2] [--flood-connections 20]
//                   [--only no-auth,cookie-postgres] [--no-build]
//   pnpm bench:http --drop        removes the kept schemas and exits
//
// Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and Redis
// (REDIS_URL, default redis://127.0.0.1:6379). It keeps three schemas of its own between runs
// (pc_bench_http_floor, pc_bench_http, pc_bench_http_better_auth: seeding a million rows takes
// a while) and removes its Redis keys (portcullis-bench-http:*) at the end. Builds core, postgres, redis and hono first
// (--no-build skips that): the servers run the built `dist`, as an app would.
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    'login-connections': { type: 'string', default: '4' },
    'flood-connections': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
  },
});
/** @param {string} name @param {string | undefined} value */
function positive(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}
const ROWS = Math.round(positive('rows', args.rows));
const DURATION = positive('duration', args.duration);
const CONNECTIONS = Math.round(positive('connections', args.connections));
const LOGIN_CONNECTIONS = Math.round(positive('login-connections', args['login-connections']));
const FLOOD_CONNECTIONS = Math.round(positive('flood-connections', args['flood-connections']));
const ROUNDS = Math.round(positive('rounds', args.rounds));
const WARMUP = positive('warmup', args.warmup);

/**
 * The rows, in the order they run in each round. `floor` names the row a Portcullis row is
 * compared with; `signIn` rows run with --login-connections; `flood` rows run the server of
 * row `server` with sign-ins in flight.
 * @type {{ route: string, label: string, floor?: string, signIn?: boolean, server?: string, flood?: boolean }[]}
 */
const ROUTES = [
  { route: 'no-auth', label: 'floor: no auth' },
  {
    route: 'no-auth-loaded',
    label: 'no auth, in a process holding 3 Auth instances, a pg pool, a Redis client',
    floor: 'no-auth',
  },
  { route: 'hs256', label: 'floor: bare synchronous HS256 check' },
  { route: 'redis-get', label: 'floor: bare Redis GET' },
  { route: 'pg-lookup', label: `floor: bare indexed lookup, ${count(ROWS)}-row table` },
  {
    route: 'bearer-requireAuth',
    label: 'Portcullis requireAuth, Bearer (jwt, PostgreSQL)',
    floor: 'hs256',
  },
  {
    route: 'bearer-role',
    label: "Portcullis requireAuth({ role: 'admin' }), Bearer, roles claim",
    floor: 'hs256',
  },
  {
    route: 'bearer-checkSession',
    label: `Portcullis requireAuth, Bearer, checkSession (${count(ROWS)} sessions)`,
    floor: 'pg-lookup',
  },
  {
    route: 'cookie-postgres',
    label: `Portcullis requireAuth, cookie, PostgreSQL (${count(ROWS)} sessions)`,
    floor: 'pg-lookup',
  },
  {
    route: 'cookie-cached',
    label: 'Portcullis requireAuth, cookie, cachedStorage',
    floor: 'redis-get',
  },
  { route: 'cookie-pglite', label: 'Portcullis requireAuth, cookie, PGlite (in process)' },
  { route: 'argon2-verify', label: 'floor: bare argon2id verify (m=19456, t=2)', signIn: true },
  {
    route: 'login',
    label: 'Portcullis POST /login (argon2id m=19456, t=2)',
    floor: 'argon2-verify',
    signIn: true,
  },
  {
    route: 'flood-bearer',
    server: 'bearer-requireAuth',
    flood: true,
    label: `Portcullis requireAuth, Bearer, ${FLOOD_CONNECTIONS} sign-ins in flight`,
    floor: 'bearer-requireAuth',
  },
  {
    route: 'flood-cookie-postgres',
    server: 'cookie-postgres',
    flood: true,
    label: `Portcullis requireAuth, cookie, PostgreSQL, ${FLOOD_CONNECTIONS} sign-ins in flight`,
    floor: 'cookie-postgres',
  },
  {
    route: 'better-auth-session',
    label: `Better Auth getSession, cookie, PostgreSQL (${count(ROWS)} sessions)`,
    floor: 'pg-lookup',
  },
  {
    route: 'better-auth-login',
    label: 'Better Auth POST /sign-in/email (its scrypt)',
    signIn: true,
  },
];
/** Rows of the table that this version does not measure yet. */
/** @type {string[]} */
const NOT_YET = [];

/** `n` as `1M`, `100k` or `1,234`. @param {number} n */
function count(n) {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return n.toLocaleString('en-US');
}

const only = args.only?.split(',');
if (only !== undefined) {
  const unknown = only.filter((r) => !ROUTES.some((row) => row.route === r));
  if (unknown.length > 0) throw new Error(`--only: unknown route ${unknown.join(', ')}`);
}
const rows = ROUTES.filter((row) => only === undefined || only.includes(row.route));

const repo = fileURLToPath(new URL('../../', import.meta.url));
const log = (/** @type {string} */ line) => console.error(`[bench:http] ${line}`);

// ---------------------------------------------------------------------------------------------
// The packages first: every import of @portcullis/* below must see the fresh build.

if (!args['no-build'] && !args.drop) {
  log('building @portcullis/core, postgres, redis and hono');
  const built = spawnSync(
    'pnpm',
    [
      '--filter',
      '@portcullis/core',
      '--filter',
      '@portcullis/postgres',
      '--filter',
      '@portcullis/redis',
      '--filter',
      '@portcullis/hono',
      'run',
      'build',
    ],
    { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (built.status !== 0) throw new Error(`the build failed (exit ${built.status})`);
}
const { APP_URL, DATABASE_URL, LOGIN_EMAIL, PASSWORD, REDIS_PREFIX, REDIS_URL } = await import(
  './config.mjs'
);
/** The sign-in of the flood rows. @type {BenchRequest} */
const FLOOD_REQUEST = {
  method: 'POST',
  path: '/api/auth/login',
  headers: { 'content-type': 'application/json', origin: APP_URL },
  body: JSON.stringify({ identifier: LOGIN_EMAIL, password: PASSWORD }),
};
const { dropAll, prepare } = await import('./seed.mjs');

// ---------------------------------------------------------------------------------------------
// Servers: fail loudly when one is missing, a bench without it is no bench.

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2, connectionTimeoutMillis: 3000 });
pool.on('error', () => undefined);
let pgVersion;
try {
  pgVersion = (await pool.query('SHOW server_version')).rows[0].server_version;
} catch (error) {
  throw new Error(`PostgreSQL is unreachable at ${DATABASE_URL}: ${error}`);
}
if (args.drop) {
  await dropAll(pool);
  await pool.end();
  log('dropped pc_bench_http_floor, pc_bench_http and pc_bench_http_better_auth');
  process.exit(0);
}
const redis = new Redis(REDIS_URL, {
  connectTimeout: 3000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  lazyConnect: true,
  retryStrategy: () => null,
});
redis.on('error', () => undefined);
let redisVersion;
try {
  await redis.connect();
  redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
} catch (error) {
  throw new Error(`Redis is unreachable at ${REDIS_URL}: ${error}`);
}

/** Removes every key of the bench from Redis. */
async function clearRedis() {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

await clearRedis();
await prepare(pool, ROWS, log);
if (rows.some((row) => row.route.startsWith('better-auth'))) {
  const { prepareBetterAuth } = await import('./better-auth.mjs');
  await prepareBetterAuth(pool, ROWS, log);
}

// ---------------------------------------------------------------------------------------------
// Measurement.

/** @type {import('node:child_process').ChildProcess | undefined} */
let child;
process.on('exit', () => child?.kill('SIGKILL'));
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    child?.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * @typedef {{ method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string }} BenchRequest
 * @typedef {{ rps: number, p50: number, p99: number, meanLatency: number, requests: number }} Figures
 * @typedef {{ p50: number, p99: number, max: number }} Delay
 */

/** Asks the current server for its event-loop delay since 'delay-start'. @returns {Promise<Delay>} */
function delayOf() {
  const server = child;
  if (server === undefined) return Promise.reject(new Error('no server'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no event-loop delay after 5 s')), 5000);
    const onMessage = (/** @type {{ delay?: Delay }} */ message) => {
      if (message.delay === undefined) return;
      clearTimeout(timer);
      server.off('message', onMessage);
      resolve(message.delay);
    };
    server.on('message', onMessage);
    server.send('delay-stop');
  });
}

/**
 * Starts `node server.mjs <route>` and resolves once it listens, with its port and request.
 * @param {string} route
 * @returns {Promise<{ port: number } & BenchRequest>}
 */
function start(route) {
  const server = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [route], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child = server;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${route}: not ready after 60 s`)), 60_000);
    server.on(
      'message',
      (/** @type {{ ready?: { port: number } & BenchRequest, failed?: string }} */ message) => {
        clearTimeout(timer);
        if (message.ready) resolve(message.ready);
        else reject(new Error(`${route} failed to start: ${message.failed}`));
      },
    );
    server.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${route} exited (${code}) before it was ready`));
    });
  });
}

/** Asks the current server to stop; kills it after 5 s. */
async function stop() {
  const server = child;
  if (server === undefined) return;
  child = undefined;
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.send('stop');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * autocannon against the route for `seconds` with `connections` connections.
 * @param {string} url
 * @param {BenchRequest} request
 * @param {number} connections
 * @param {number} seconds
 * @returns {Promise<Figures>}
 */
async function cannon(url, request, connections, seconds) {
  const result = await autocannon({
    url,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections,
    duration: seconds,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ` +
        `${result.timeouts} timeouts in ${result.requests.total} requests`,
    );
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanLatency: result.latency.average,
    requests: result.requests.total,
  };
}

/**
 * The machine's CPU counters (Linux `/proc/stat`, all cores, in clock ticks): busy (user,
 * nice, system, irq, softirq), idle (idle, iowait) and steal (time a hypervisor gave away).
 * `undefined` elsewhere.
 * @returns {{ busy: number, idle: number, steal: number } | undefined}
 */
function cpuTicks() {
  try {
    const [, ...fields] =
      readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/) ?? [];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
    return {
      busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0),
      idle: (idle ?? 0) + (iowait ?? 0),
      steal: steal ?? 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * One round of one row: a fresh server, a sanity request, the warm-up, the measured run.
 * @param {(typeof rows)[number]} row
 * @returns {Promise<Figures & { delay: Delay, machine?: { busyShare: number, stealShare: number, cpuMicrosPerRequest: number }, floodSignIns?: number }>}
 */
async function measure(row) {
  const ready = await start(row.server ?? row.route);
  try {
    const { port, ...request } = ready;
    const url = `http://127.0.0.1:${port}${request.path}`;
    const check = await fetch(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    if (check.status !== 200) {
      throw new Error(
        `${row.route}: the first request answered ${check.status} ${await check.text()}`,
      );
    }
    const connections = row.signIn ? LOGIN_CONNECTIONS : CONNECTIONS;
    const floodUrl = `http://127.0.0.1:${port}${FLOOD_REQUEST.path}`;
    await Promise.all([
      cannon(url, request, connections, WARMUP),
      row.flood ? cannon(floodUrl, FLOOD_REQUEST, FLOOD_CONNECTIONS, WARMUP) : undefined,
    ]);
    child?.send('delay-start');
    const before = cpuTicks();
    const [figures, flood] = await Promise.all([
      cannon(url, request, connections, DURATION),
      row.flood ? cannon(floodUrl, FLOOD_REQUEST, FLOOD_CONNECTIONS, DURATION) : undefined,
    ]);
    const after = cpuTicks();
    const delay = await delayOf();
    // The whole machine's CPU per answered request (server, load generator, PostgreSQL,
    // Redis): a route that costs more anywhere shows here, where req/s only shows the sum.
    const machine =
      before === undefined || after === undefined
        ? undefined
        : (() => {
            const busy = after.busy - before.busy;
            const total = busy + after.idle - before.idle + after.steal - before.steal;
            return {
              busyShare: total > 0 ? busy / total : 0,
              stealShare: total > 0 ? (after.steal - before.steal) / total : 0,
              // Clock ticks are 10 ms on Linux (USER_HZ 100).
              cpuMicrosPerRequest: (busy * 10_000) / Math.max(1, figures.requests),
            };
          })();
    return {
      ...figures,
      delay,
      ...(machine === undefined ? {} : { machine }),
      ...(flood === undefined ? {} : { floodSignIns: flood.rps }),
    };
  } finally {
    await stop();
  }
}

const loadBefore = loadavg();
const startedAt = new Date();
/** @type {Map<string, (Figures & { delay: Delay, machine?: { busyShare: number, stealShare: number, cpuMicrosPerRequest: number }, floodSignIns?: number })[]>} */
const rounds = new Map(rows.map((row) => [row.route, []]));
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const row of rows) {
    const figures = await measure(row);
    rounds.get(row.route)?.push(figures);
    log(
      `round ${round}/${ROUNDS} ${row.route}: ${Math.round(figures.rps)} req/s, ` +
        `p50 ${figures.p50} ms, p99 ${figures.p99} ms, loop delay p99 ` +
        `${figures.delay.p99.toFixed(1)} ms` +
        (figures.machine === undefined
          ? ''
          : `, machine ${Math.round(figures.machine.cpuMicrosPerRequest)} µs CPU/request, ` +
            `busy ${(figures.machine.busyShare * 100).toFixed(0)}%, steal ` +
            `${(figures.machine.stealShare * 100).toFixed(0)}%`) +
        (figures.floodSignIns === undefined
          ? ''
          : `, ${Math.round(figures.floodSignIns)} sign-ins/s alongside`),
    );
  }
}
const loadAfter = loadavg();

// ---------------------------------------------------------------------------------------------
// Report.

/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
/** @type {Map<string, { rps: number, p50: number, p99: number, delayP99: number, cpuMicros?: number, floodSignIns?: number }>} */
const medians = new Map();
for (const [route, runs] of rounds) {
  const flood = runs.flatMap((r) => (r.floodSignIns === undefined ? [] : [r.floodSignIns]));
  const cpu = runs.flatMap((r) => (r.machine === undefined ? [] : [r.machine.cpuMicrosPerRequest]));
  medians.set(route, {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    delayP99: median(runs.map((r) => r.delay.p99)),
    ...(cpu.length === 0 ? {} : { cpuMicros: median(cpu) }),
    ...(flood.length === 0 ? {} : { floodSignIns: median(flood) }),
  });
}
const noAuth = medians.get('no-auth');
const results = rows.map((row) => {
  const m = medians.get(row.route) ?? { rps: 0, p50: 0, p99: 0, delayP99: 0 };
  const connections = row.signIn ? LOGIN_CONNECTIONS : CONNECTIONS;
  // A share of the no-auth route only where it ran with as many connections.
  const share =
    noAuth !== undefined && connections === CONNECTIONS ? m.rps / noAuth.rps : undefined;
  const floor = row.floor === undefined ? undefined : medians.get(row.floor);
  return {
    route: row.route,
    label: row.label,
    connections,
    ...m,
    shareOfNoAuth: share,
    floor: floor === undefined ? undefined : row.floor,
    ofFloor: floor === undefined ? undefined : m.rps / floor.rps,
    // The same ratio by the whole machine's CPU per request (floor ÷ row): steadier than req/s
    // on a shared machine, where the load generator's share moves the rates.
    ofFloorByCpu:
      floor?.cpuMicros === undefined || m.cpuMicros === undefined
        ? undefined
        : floor.cpuMicros / m.cpuMicros,
    rounds: rounds.get(row.route),
  };
});

const int = (/** @type {number} */ n) => Math.round(n).toLocaleString('en-US');
// autocannon's latency histogram holds whole milliseconds: 0 is "under 1 ms".
const ms = (/** @type {number} */ n) => (n < 1 ? '<1' : String(Math.round(n)));
const ratio = (/** @type {number | undefined} */ n) => (n === undefined ? '' : n.toFixed(2));
const header = [
  'route',
  'c',
  'req/s',
  'p50 ms',
  'p99 ms',
  'loop p99 ms',
  'CPU µs/req',
  'share of no-auth',
  'floor',
  'of its floor',
  'by CPU',
];
const lines = results.map((r) => [
  `${r.label} (\`${r.route}\`)`,
  String(r.connections),
  int(r.rps),
  ms(r.p50),
  ms(r.p99),
  r.delayP99.toFixed(1),
  r.cpuMicros === undefined ? '' : int(r.cpuMicros),
  ratio(r.shareOfNoAuth),
  r.floor ?? '',
  ratio(r.ofFloor),
  ratio(r.ofFloorByCpu),
]);
for (const label of NOT_YET) lines.push([label, '', 'not yet', '', '', '', '', '', '', '', '']);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
const format = (/** @type {string[]} */ cells) =>
  `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const date = startedAt.toISOString().slice(0, 10);
const environment =
  `${date}; ${availableParallelism()} cores (${cpu}); Node ${process.version}, ` +
  `PostgreSQL ${pgVersion}, Redis ${redisVersion}; load average ${loadBefore[0]?.toFixed(2)} ` +
  `before, ${loadAfter[0]?.toFixed(2)} after`;
const settings =
  `autocannon -c ${CONNECTIONS} (sign-in rows -c ${LOGIN_CONNECTIONS}, floods -c ` +
  `${FLOOD_CONNECTIONS}) -d ${DURATION}, ` +
  `${WARMUP} s warm-up, ${ROUNDS} interleaved round(s), medians; ${count(ROWS)} rows`;
console.log(`HTTP routes: ${settings}\n${environment}\n`);
console.log(format(header));
console.log(format(widths.map((w) => '-'.repeat(w))));
for (const line of lines) console.log(format(line));

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = `${resultsDir}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: startedAt.toISOString(),
      machine: {
        cores: availableParallelism(),
        cpu,
        node: process.version,
        postgres: pgVersion,
        redis: redisVersion,
        loadAverage: { before: loadBefore, after: loadAfter },
      },
      settings: {
        rows: ROWS,
        durationSeconds: DURATION,
        warmupSeconds: WARMUP,
        connections: CONNECTIONS,
        loginConnections: LOGIN_CONNECTIONS,
        floodConnections: FLOOD_CONNECTIONS,
        rounds: ROUNDS,
      },
      results,
      notYet: NOT_YET,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${file}`);

await clearRedis();
redis.disconnect();
await pool.end();
