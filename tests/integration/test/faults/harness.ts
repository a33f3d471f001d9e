/**
 * The fault harness of issue 16: one Auth pair (cookie and jwt strategies) over breakable
 * servers, a flow description, and the loop that breaks a server at each store step of a flow
 * and checks the invariants of "Storage faults lose nothing and sign no one out".
 */
import { randomBytes } from 'node:crypto';
import {
  type Auth,
  createAuth,
  type LogFields,
  type Logger,
  type MemoryMailer,
  memoryMailer,
} from '@portcullis/core';
import { createHttpHandler, type HttpHandler } from '@portcullis/core/http';
import { createPasswordHasher } from '@portcullis/core/password';
import { composeStorage, type Storage, type StoreName } from '@portcullis/core/storage';
import { settleCompensations } from '@portcullis/core/testing';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { createRedis, redisStorage } from '@portcullis/redis';
import {
  type PgProxy,
  startPgProxy,
  type ThrowawayRedis,
  throwawayRedis,
} from '@portcullis-tests/support';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import {
  type Backend,
  type FaultInjector,
  type FaultPoint,
  faultInjector,
  isWrite,
  type StoreCall,
} from './injector.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const APP = 'https://app.example.com';
export const PASSWORD = 'violet tangerine orbit';
const SECRET = 'fault-tests-secret-0123456789abcdef0123';

/** Short limits, so a dead server fails each call well under a second. */
const PG_FAST = {
  connectionTimeoutMillis: 200,
  queryTimeoutMillis: 250,
  statementTimeoutMillis: 200,
  max: 4,
};
const REDIS_FAST = { connectTimeoutMs: 200, commandTimeoutMs: 250 };

/** One line the Auth logged. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** A clock that runs with real time, plus an offset tests move (TOTP steps, touch intervals). */
export function offsetClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      offset += ms;
      return Date.now() + offset;
    },
  };
}

/** Everything a flow needs: both Auth instances, their handlers, and the servers. */
export interface World {
  readonly cookie: { readonly auth: Auth; readonly handler: HttpHandler };
  readonly jwt: { readonly auth: Auth; readonly handler: HttpHandler };
  readonly mailer: MemoryMailer;
  readonly clock: ReturnType<typeof offsetClock>;
  /** The composed storage without the injector, for checks. */
  readonly direct: Storage;
  readonly injector: FaultInjector;
  readonly log: LogLine[];
  /** The Redis key prefix of this file. */
  readonly prefix: string;
  /** The app's own Redis client (for the checks' reads of rate-limit hashes). */
  readonly redis: Redis;
  /** Breaks a server now (outside the injector: "down before the request"). */
  down(backend: Backend): Promise<void>;
  /** Brings both servers back and waits until the app's clients work again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Which server each store lives on: users, accounts, passkeys, 2FA and audit in PostgreSQL, the
 * rest in Redis.
 */
const BACKENDS: Record<StoreName, Backend> = {
  users: 'postgres',
  accounts: 'postgres',
  passkeys: 'postgres',
  twoFactor: 'postgres',
  audit: 'postgres',
  sessions: 'redis',
  tokens: 'redis',
  rateLimits: 'redis',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until it resolves (at most `limitMs`). */
async function until(check: () => Promise<unknown>, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(10);
    }
  }
}

/** Starts the breakable servers, migrates a schema of its own, builds both Auth instances. */
export async function createWorld(): Promise<World> {
  const schema = `pc_faults_${randomBytes(6).toString('hex')}`;
  const prefix = `portcullis-test:faults:${randomBytes(6).toString('hex')}:`;
  const admin = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000, max: 1 });
  let proxy: PgProxy | undefined;
  let redisServer: ThrowawayRedis | undefined;
  let pool: Pool | undefined;
  let redis: Redis | undefined;
  try {
    await admin.query('SELECT 1').catch((error: unknown) => {
      throw new Error(
        `PostgreSQL is unreachable at ${DATABASE_URL} (start it with .ci/run or scripts/test-env.sh): ${String(error)}`,
        { cause: error },
      );
    });
    await migrate(admin, { schema });
    proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
    // Saved before each kill: the fault under test is the outage, not data loss.
    redisServer = await throwawayRedis({ saveOnStop: true });
    pool = await createPool(proxy.url, PG_FAST);
    redis = await createRedis(redisServer.url, {
      ...REDIS_FAST,
      // Reconnect every 20 ms, so a restarted server is usable again at once.
      redis: { retryStrategy: () => 20 },
    });
  } catch (error) {
    await pool?.end();
    redis?.disconnect();
    await redisServer?.dispose();
    await proxy?.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
    throw error;
  }
  const livePool = pool;
  const liveRedis = redis;
  const liveProxy = proxy;
  const liveRedisServer = redisServer;

  const pg = postgresStorage(livePool, { schema });
  const ephemeral = redisStorage(liveRedis, { prefix });
  const direct = composeStorage({
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

  let redisDown = false;
  const breakers = {
    postgres: {
      break: async () => liveProxy.blackhole(),
      probe: () => livePool.query('SELECT 1'),
    },
    redis: {
      break: async () => {
        if (redisDown) return;
        redisDown = true;
        await liveRedisServer.stop();
      },
      probe: () => liveRedis.ping(),
    },
  };
  const injector = faultInjector(direct, BACKENDS, breakers);

  const log: LogLine[] = [];
  const line =
    (level: LogLine['level']) =>
    (message: string, fields?: LogFields): void => {
      log.push({ level, message, fields });
    };
  const logger: Logger = {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
  const clock = offsetClock();
  const mailer = memoryMailer({ appUrl: APP });
  const hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
  const make = (strategy: 'cookie' | 'jwt') => {
    const auth = createAuth({
      storage: injector.storage,
      mailer,
      appUrl: APP,
      secret: SECRET,
      password: { hasher },
      logger,
      clock,
      emailVerification: { required: false },
      session: { strategy },
    });
    return { auth, handler: createHttpHandler(auth) };
  };
  const cookie = make('cookie');
  const jwt = make('jwt');

  return {
    cookie,
    jwt,
    mailer,
    clock,
    direct,
    injector,
    log,
    prefix,
    redis: liveRedis,
    down: (backend) => breakers[backend].break(),
    async restore() {
      // Disarm first, then let a break that an undo step (run after the answer) fired finish
      // before the servers come back, or the restart would race it.
      injector.reset();
      await injector.quiesce();
      liveProxy.restore();
      if (redisDown) {
        await liveRedisServer.start();
        redisDown = false;
      }
      await until(async () => {
        await livePool.query('SELECT 1');
        await liveRedis.ping();
      });
    },
    async close() {
      await Promise.all([cookie.auth.close(), jwt.auth.close()]);
      liveRedis.disconnect();
      await livePool.end();
      await liveRedisServer.dispose();
      await liveProxy.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Flows and the loop

/** What a flow's request came back with, as a Response (Bearer `authenticate` is mapped). */
export interface Flow<S> {
  readonly name: string;
  /** Also break each write after it is applied (reply lost): the sign-in and refresh flows. */
  readonly afterWrites: boolean;
  /** Whether its 5xx answers go through the handler (and so must be logged once). */
  readonly logged: boolean;
  /** The success status. */
  readonly success: number;
  /** Sets up a fresh client state with every server up (never faulted). */
  prepare(world: World, ip: string): Promise<S>;
  /** The request under test; sent again, unchanged, as the retry. */
  send(world: World, state: S): Promise<Response>;
  /**
   * After a success answer (the first, or the retry's): the client's new credential works and
   * nothing it held was lost. Resolves to the problems found.
   */
  verify(world: World, state: S, answer: Response): Promise<string[]>;
  /** Ids that the flow's rate-limit keys contain (email, user id, IP), for invariant 4. */
  subjects(state: S): string[];
  /** The user, for invariant 3 (sessions) and the audit check; undefined when none. */
  userId(state: S): string;
  /** Session ids the client holds after a success answer (invariant 3), or undefined: skip. */
  held?(world: World, state: S, answer: Response): Promise<string[]> | string[];
}

/** One fault point of a flow. */
export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'down'; readonly backend: Backend }
  | { readonly kind: 'armed'; readonly point: FaultPoint };

export const faultLabel = (fault: Fault): string =>
  fault.kind === 'none'
    ? 'no fault'
    : fault.kind === 'down'
      ? `${fault.backend === 'postgres' ? 'PostgreSQL' : 'Redis'} down before the request`
      : `${fault.point.when} ${fault.point.store}.${fault.point.method}#${fault.point.nth}${
          fault.point.when === 'after' ? ' (applied, reply lost)' : ''
        }`;

/** One row of the report: a flow, a fault point, the first answer, the invariants broken. */
export interface Row {
  readonly flow: string;
  readonly fault: string;
  readonly answer: string;
  readonly violations: string[];
}

let ipCounter = 0;
/** A client address of its own per fault point: no rate-limit key is shared between points. */
const nextIp = () => {
  ipCounter += 1;
  return `10.16.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};

const CREDENTIAL_COOKIES = /(portcullis\.(session|refresh|device))=[^;]*;.*Max-Age=0/i;

/** Rate-limit hashes whose key names one of `subjects`: key → {count, lock}. */
async function counters(world: World, subjects: readonly string[]) {
  const found = new Map<string, { count: number; lock: number }>();
  let cursor = '0';
  const keys: string[] = [];
  do {
    const [next, batch] = await world.redis.scan(
      cursor,
      'MATCH',
      `${world.prefix}rate:*`,
      'COUNT',
      5000,
    );
    cursor = next;
    keys.push(...batch.filter((k) => subjects.some((s) => k.includes(s))));
  } while (cursor !== '0');
  for (const key of keys) {
    const [count, lock] = await world.redis.hmget(key, 'count', 'lock');
    found.set(key.slice(world.prefix.length), {
      count: Number(count ?? 0),
      lock: Number(lock ?? 0),
    });
  }
  return found;
}

/** The store calls one fault-free run of `flow` makes. */
export async function recordCalls<S>(world: World, flow: Flow<S>): Promise<StoreCall[]> {
  const state = await flow.prepare(world, nextIp());
  world.injector.reset();
  await flow.send(world, state);
  const calls = [...world.injector.calls];
  world.injector.reset();
  return calls;
}

/** Every fault point of `flow`: each server down, then before each call, and after each write. */
export function faultPoints(flow: Flow<unknown>, calls: readonly StoreCall[]): Fault[] {
  const faults: Fault[] = [{ kind: 'none' }];
  for (const backend of ['postgres', 'redis'] as const) {
    if (calls.some((c) => c.backend === backend)) faults.push({ kind: 'down', backend });
  }
  for (const call of calls) {
    const at = { store: call.store, method: call.method, nth: call.nth };
    faults.push({ kind: 'armed', point: { ...at, when: 'before' } });
    // An audit row's lost reply is the next PostgreSQL call's outage (events never fail a
    // flow): left out, to keep the file's run short.
    if (flow.afterWrites && isWrite(call) && call.store !== 'audit') {
      faults.push({ kind: 'armed', point: { ...at, when: 'after' } });
    }
  }
  return faults;
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.clone().text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const codeOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null) return undefined;
  const error: unknown = Reflect.get(body, 'error');
  if (typeof error !== 'object' || error === null) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
};

/** The rules that lock an account: only answers given on a checked secret may count there. */
const LOCKOUTS = new Set(['loginPerAccount', 'secondFactorPerAccount']);

/** Runs `flow` once with `fault`, restores the servers and checks the five invariants. */
export async function runFault<S>(world: World, flow: Flow<S>, fault: Fault): Promise<Row> {
  const violations: string[] = [];
  const t0 = Date.now();
  const state = await flow.prepare(world, nextIp());
  const preparedMs = Date.now() - t0;
  const before = await counters(world, flow.subjects(state));
  world.injector.reset();
  world.log.length = 0;
  if (fault.kind === 'down') await world.down(fault.backend);
  if (fault.kind === 'armed') world.injector.arm(fault.point);
  const started = Date.now();
  const answer = await flow
    .send(world, state)
    .catch((error: unknown) => new Response(`thrown: ${String(error)}`, { status: 599 }));
  const tookMs = Date.now() - started;
  const logged = world.log.splice(0);
  const failedCalls = world.injector.calls
    .filter((c) => c.failed !== undefined)
    .sort((x, y) => (x.failed ?? 0) - (y.failed ?? 0));
  const fired = fault.kind !== 'armed' || world.injector.fired;
  await world.restore();
  // Undo steps that waited for the store (deleting an undelivered session, putting back a
  // used-up link or challenge, giving back a counted attempt) run once it is back.
  await settleCompensations();
  // The counters as the first answer left them (the retry and the checks below count too).
  const after = await counters(world, flow.subjects(state));

  const body = await bodyOf(answer);
  const code = codeOf(body);
  const summary = `${answer.status}${code === undefined ? '' : ` ${code}`}`;
  if (!fired) violations.push('harness: the armed fault never fired (the flow changed?)');
  if (tookMs > 3000) violations.push(`harness: the answer took ${tookMs} ms`);

  // 1. Success, or the contract's clean 503; a 5xx clears no credential cookie.
  const is5xx = answer.status >= 500;
  if (answer.status !== flow.success) {
    if (answer.status !== 503 || code !== 'STORAGE_UNAVAILABLE') {
      violations.push(
        `I1: answered ${summary} (expected ${flow.success} or 503 STORAGE_UNAVAILABLE)`,
      );
    }
  }
  if (is5xx) {
    for (const cookie of answer.headers.getSetCookie()) {
      const cleared = CREDENTIAL_COOKIES.exec(cookie);
      if (cleared !== null) violations.push(`I1: a ${answer.status} clears ${cleared[1]}`);
    }
  }

  // 2. The retry of the same request works (or the new credential does), nothing burnt.
  let success: Response | undefined = answer.status === flow.success ? answer : undefined;
  if (success === undefined) {
    const retry = await flow.send(world, state);
    if (retry.status === flow.success) success = retry;
    else {
      const retryBody = await bodyOf(retry);
      violations.push(
        `I2: the retry answered ${retry.status} ${codeOf(retryBody) ?? JSON.stringify(retryBody).slice(0, 80)}`,
      );
    }
  }
  if (success !== undefined) violations.push(...(await flow.verify(world, state, success)));
  const userId = flow.userId(state);
  const events = (await world.cookie.auth.audit.list(userId)).map((e) => e.type);
  if (events.includes('refresh.reuse_detected')) {
    violations.push('I2: refresh.reuse_detected was recorded (a refresh token was burnt)');
  }

  // 3. No session the client does not hold.
  if (flow.held !== undefined && success !== undefined) {
    const holds = new Set(await flow.held(world, state, success));
    const live = (await world.cookie.auth.sessions.list(userId)).map((s) => s.id);
    const orphans = live.filter((id) => !holds.has(id));
    if (orphans.length > 0) {
      violations.push(`I3: ${orphans.length} session(s) the client does not hold`);
    }
  }

  // 4. No lockout counter moved for an answer not given. (Budgets of requests, per IP or per
  // address, count requests made, answered or not: that is what they limit.)
  if (is5xx) {
    for (const [key, now] of after) {
      const was = before.get(key) ?? { count: 0, lock: 0 };
      const rule = key.split(':')[1] ?? '';
      if (!LOCKOUTS.has(rule)) continue;
      if (now.lock > was.lock) violations.push(`I4: ${rule} locked`);
      else if (now.count > was.count) {
        violations.push(`I4: ${rule} counted the 5xx (${was.count} → ${now.count})`);
      }
    }
  }

  // 5. One log line per 5xx, naming the store and operation that failed.
  if (is5xx && flow.logged) {
    // The request's own line; other failures it met on the way (an audit row lost) have
    // their own lines, kept to their own budget.
    const errors = logged.filter((l) => l.level === 'error' && l.message === 'request failed');
    // The first failure, or the one that reached the answer (an audit write fails quietly,
    // then the flow's next PostgreSQL call fails the request).
    const failed = failedCalls[0];
    if (errors.length !== 1) {
      violations.push(
        `I5: ${errors.length} error lines (${errors.map((l) => l.message).join(' | ')})`,
      );
    }
    if (failed === undefined) {
      violations.push('I5: a 5xx without a failed store call');
    } else if (
      errors.length > 0 &&
      !errors.some((line) => failedCalls.some((call) => names(line, call)))
    ) {
      const seen = errors.map(
        (l) => `store=${String(l.fields?.store)}, operation=${String(l.fields?.operation)}`,
      );
      violations.push(`I5: no line names ${failed.store}.${failed.method} (${seen.join(' | ')})`);
    }
  }
  if (process.env.FAULTS_TIMING === '1') {
    const total = Date.now() - t0;
    console.log(
      `${flow.name} | ${faultLabel(fault)}: prepare ${preparedMs}, send ${tookMs}, total ${total} ms`,
    );
  }
  return { flow: flow.name, fault: faultLabel(fault), answer: summary, violations };
}

/** Whether a log line names the failed call: `store` and `operation` (`method` or `store.method`). */
function names(line: LogLine, call: StoreCall): boolean {
  const store = line.fields?.store;
  const operation = line.fields?.operation;
  if (call.store === 'transaction') {
    return (
      store === 'transaction' ||
      (typeof operation === 'string' && operation.includes('transaction'))
    );
  }
  // `operation: 'users.getById'` names both; so do `store: 'users'` and `operation: 'getById'`.
  if (operation === `${call.store}.${call.method}`)
    return store === undefined || store === call.store;
  return store === call.store && operation === call.method;
}

/** Every fault point of `flow`, run in turn; the rows of the report. */
export async function runFlow<S>(world: World, flow: Flow<S>): Promise<Row[]> {
  const calls = await recordCalls(world, flow);
  const rows: Row[] = [];
  for (const fault of faultPoints(flow as Flow<unknown>, calls)) {
    rows.push(await runFault(world, flow, fault));
  }
  return rows;
}

/** `name=value` of the `Set-Cookie` of `response` whose name ends with `kind`. */
export function cookiePair(response: Response, kind: string): string | undefined {
  for (const cookie of response.headers.getSetCookie()) {
    const pair = cookie.split(';')[0] ?? '';
    const name = pair.split('=')[0] ?? '';
    if (name.endsWith(`portcullis.${kind}`) && !/Max-Age=0/i.test(cookie)) return pair;
  }
  return undefined;
}
