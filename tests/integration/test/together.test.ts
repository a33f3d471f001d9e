/**
 * Issue #5, "Together": users (with two-factor data and the audit trail) in PostgreSQL,
 * sessions, one-time tokens and rate limits in Redis, and two `createAuth` instances sharing
 * them as two app processes would: each has its own pg pool, its own Redis connection and its
 * own stores, and they share nothing but the two servers and the secret.
 *
 * Needs the machine's PostgreSQL (127.0.0.1:5432, db `test`) and Redis (127.0.0.1:6379);
 * `DATABASE_URL` and `REDIS_URL` override them. When either is down the suite fails in
 * `beforeAll` with what to do: it never skips.
 */
import { randomBytes } from 'node:crypto';
import {
  type Auth,
  createAuth,
  isAuthError,
  type MemoryMailer,
  memoryMailer,
  type SessionConfig,
  silentLogger,
} from '@portcullis/core';
import { createPasswordHasher, type PasswordHasher } from '@portcullis/core/password';
import { composeStorage, type Storage } from '@portcullis/core/storage';
import { softwareAuthenticator } from '@portcullis/core/testing';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { cachedSessions, cachedStorage, createRedis, redisStorage } from '@portcullis/redis';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'integration-tests-secret-0123456789abcdef';
const PASSWORD = 'violet tangerine orbit';
const CTX = { ip: '203.0.113.7', userAgent: 'vitest (integration)' };

/** A schema and a key prefix of this file's own, dropped and deleted afterwards. */
const schema = `pc_int_${randomBytes(6).toString('hex')}`;
const prefix = `portcullis-test:integration:${randomBytes(6).toString('hex')}:`;

/** One app process's connections: its own pool and its own Redis client. */
interface Process {
  readonly pool: Pool;
  readonly redis: Redis;
}
let a: Process | undefined;
let b: Process | undefined;
let hasher: PasswordHasher;
const auths: Auth[] = [];

async function connectPool(): Promise<Pool> {
  const pool = await createPool(DATABASE_URL, { connectionTimeoutMillis: 3000, max: 5 });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is unreachable at ${DATABASE_URL} (start it with .ci/run or scripts/test-env.sh): ${String(error)}`,
      { cause: error },
    );
  }
  return pool;
}

async function connectRedis(): Promise<Redis> {
  try {
    return await createRedis(REDIS_URL, { connectTimeoutMs: 3000, commandTimeoutMs: 5000 });
  } catch (error) {
    throw new Error(
      `Redis is unreachable at ${REDIS_URL} (start it with .ci/run or scripts/test-env.sh): ${String(error)}`,
      { cause: error },
    );
  }
}

async function connectProcess(): Promise<Process> {
  const pool = await connectPool();
  try {
    return { pool, redis: await connectRedis() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Deletes every key under `prefix` (SCAN + DEL); resolves to how many. */
async function deleteKeys(redis: Redis): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

beforeAll(async () => {
  a = await connectProcess();
  b = await connectProcess();
  // Both processes migrate at startup, as replicas would: the advisory lock serializes them.
  await Promise.all([migrate(a.pool, { schema }), migrate(b.pool, { schema })]);
  hasher = await createPasswordHasher({
    backend: 'inline',
    params: { memoryKiB: 1024, iterations: 1 },
  });
});

afterAll(async () => {
  await Promise.all(auths.map((auth) => auth.close()));
  if (a !== undefined) {
    await deleteKeys(a.redis);
    await a.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
  for (const p of [a, b]) {
    if (p === undefined) continue;
    await p.redis.quit();
    await p.pool.end();
  }
});

type SessionLayout =
  | 'sessions in Redis'
  | 'sessions in PostgreSQL, cached in Redis'
  | 'sessions with users in PostgreSQL, cached together in Redis';

/**
 * One process's storage: users, two-factor data and audit in PostgreSQL; tokens and rate limits
 * in Redis; sessions in Redis, or in PostgreSQL behind `cachedSessions`, or sessions and users
 * in PostgreSQL behind `cachedStorage` (one GET per validation).
 */
function storageOf(p: Process, layout: SessionLayout): Storage {
  const pg = postgresStorage(p.pool, { schema });
  const ephemeral = redisStorage(p.redis, { prefix });
  if (layout === 'sessions with users in PostgreSQL, cached together in Redis') {
    const cache = cachedStorage(p.redis, pg, { prefix });
    return composeStorage({
      users: cache.users,
      accounts: cache.accounts,
      passkeys: cache.passkeys,
      sessions: cache.sessions,
      twoFactor: cache.twoFactor,
      audit: cache.audit,
      tokens: ephemeral.tokens,
      rateLimits: ephemeral.rateLimits,
      transactionsFrom: cache,
    });
  }
  return composeStorage({
    users: pg.users,
    accounts: pg.accounts,
    passkeys: pg.passkeys,
    twoFactor: pg.twoFactor,
    audit: pg.audit,
    sessions:
      layout === 'sessions in Redis'
        ? ephemeral.sessions
        : cachedSessions(p.redis, pg.sessions, { prefix }),
    tokens: ephemeral.tokens,
    rateLimits: ephemeral.rateLimits,
    transactionsFrom: pg,
  });
}

/** One process's Auth over `storage`, with its own inbox. Every instance has the same secret. */
function authOf(storage: Storage, session: Partial<SessionConfig> = {}) {
  const mailer = memoryMailer({ appUrl: 'https://app.example.com' });
  const auth = createAuth({
    storage,
    mailer,
    appUrl: 'https://app.example.com',
    secret: SECRET,
    password: { hasher },
    logger: silentLogger,
    session,
    magicLink: {},
  });
  auths.push(auth);
  return { auth, mailer };
}

/** The two processes' Auth instances, A and B, over `layout`. */
function twoInstances(layout: SessionLayout, session: Partial<SessionConfig> = {}) {
  if (a === undefined || b === undefined) throw new Error('not connected');
  return { A: authOf(storageOf(a, layout), session), B: authOf(storageOf(b, layout), session) };
}

/** The token of the last mail of `kind` to `email` (waiting for it: mails go in the background). */
async function mailedToken(mailer: MemoryMailer, email: string, kind: 'verify-email') {
  const mail = await mailer.waitFor(email, kind).catch(() => undefined);
  const token = mail === undefined ? undefined : mailer.extractToken(mail);
  if (token === undefined) throw new Error(`no ${kind} mail with a token for ${email}`);
  return token;
}

/** What a call answered: `ok`, or the AuthError's code. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isAuthError(e) ? e.code : `thrown: ${String(e)}`),
  );

const email = (what: string) => `${what}-${randomBytes(4).toString('hex')}@example.com`;

/** Rows of a table of the test schema that match `where`. */
async function count(table: string, where: string, params: unknown[]): Promise<number> {
  if (a === undefined) throw new Error('not connected');
  const { rows } = await a.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}".${table} WHERE ${where}`,
    params,
  );
  return Number(rows[0]?.n);
}

/** Whether Redis holds `key` (under this file's prefix). */
async function exists(key: string): Promise<boolean> {
  if (a === undefined) throw new Error('not connected');
  return (await a.redis.exists(`${prefix}${key}`)) === 1;
}

describe.each<SessionLayout>([
  'sessions in Redis',
  'sessions in PostgreSQL, cached in Redis',
  'sessions with users in PostgreSQL, cached together in Redis',
])('two Auth instances, users in PostgreSQL, %s', (layout) => {
  const cached = layout !== 'sessions in Redis';
  const cacheKey = (id: string) =>
    layout === 'sessions in PostgreSQL, cached in Redis'
      ? `cache:session:${id}`
      : `cache:pair:${id}`;

  /**
   * Registers on A, verifies the mailed link on B (the token lives in Redis), signs in on A.
   * Resolves to the user id and A's cookie login.
   */
  async function signUpAndIn(
    A: ReturnType<typeof authOf>,
    B: ReturnType<typeof authOf>,
    address: string,
  ) {
    expect(await A.auth.register({ email: address, password: PASSWORD }, CTX)).toEqual({
      status: 'verification_sent',
    });
    // Not verified yet: the password is right, the address is not confirmed.
    expect(await outcome(B.auth.login({ identifier: address, password: PASSWORD }, CTX))).toBe(
      'EMAIL_NOT_VERIFIED',
    );
    // The link's token lives in Redis, under its selector, until B consumes it.
    const link = await mailedToken(A.mailer, address, 'verify-email');
    const tokenKey = `token:verify-email:${link.slice(0, 22)}`;
    expect(await exists(tokenKey)).toBe(true);
    const { user } = await B.auth.verifyEmail(link, CTX);
    expect(await exists(tokenKey)).toBe(false);
    expect(await outcome(A.auth.verifyEmail(link, CTX))).toBe('TOKEN_INVALID');
    const login = await A.auth.login({ identifier: address, password: PASSWORD }, CTX);
    if (login.status !== 'signed_in') throw new Error(`expected signed_in, got ${login.status}`);
    return { userId: user.id, login };
  }

  it('runs the lifecycle across both: register on A, verify on B, sign in on A, validate on B, log out on A', async () => {
    const { A, B } = twoInstances(layout);
    const address = email('ada');
    const { userId, login } = await signUpAndIn(A, B, address);
    if (login.tokens.strategy !== 'cookie') throw new Error('expected a cookie session');
    const token = login.tokens.sessionToken;
    const sessionId = login.session.id;

    // Where everything landed: the user in PostgreSQL; the session where the layout puts it.
    expect(await count('users', 'id = $1 AND email_verified_at IS NOT NULL', [userId])).toBe(1);
    expect(await count('sessions', 'id = $1', [sessionId])).toBe(cached ? 1 : 0);
    expect(await exists(`session:${sessionId}`)).toBe(!cached);

    // A session made by A is accepted by B, and by A.
    const onB = await B.auth.validateSession(token);
    expect(onB.user).toMatchObject({ id: userId, email: address, emailVerified: true });
    expect(onB.session.id).toBe(sessionId);
    expect((await A.auth.validateSession(token)).session.id).toBe(sessionId);
    if (cached) expect(await exists(cacheKey(sessionId))).toBe(true);
    expect((await B.auth.sessions.list(userId)).map((s) => s.id)).toEqual([sessionId]);

    // Revoked by A (logout), refused by B at once: no cache, no delay.
    await A.auth.logout(sessionId, CTX);
    expect(await outcome(B.auth.validateSession(token))).toBe('UNAUTHENTICATED');
    expect(await outcome(A.auth.validateSession(token))).toBe('UNAUTHENTICATED');
    expect(await count('sessions', 'id = $1', [sessionId])).toBe(0);
    expect(await exists(`session:${sessionId}`)).toBe(false);
    expect(await exists(cacheKey(sessionId))).toBe(false);

    // The audit trail of both instances is in PostgreSQL, in one sequence.
    const events = (await B.auth.audit.list(userId)).map((e) => e.type);
    expect(events).toEqual(
      expect.arrayContaining(['email.verified', 'login.succeeded', 'session.revoked']),
    );
    expect(await count('audit_events', 'user_id = $1', [userId])).toBe(events.length);
  });

  it('registers a passkey across both (options on A, verify on B), signs in with it once of two racing verifications, and keeps it in PostgreSQL', async () => {
    const { A, B } = twoInstances(layout);
    const address = email('pia');
    const { userId, login } = await signUpAndIn(A, B, address);
    const key = softwareAuthenticator({ origin: 'https://app.example.com' });
    const options = await A.auth.passkeys.registrationOptions(
      { userId, sessionId: login.session.id },
      CTX,
    );
    const passkey = await B.auth.passkeys.register(
      { userId, sessionId: login.session.id, response: await key.register(options) },
      CTX,
    );
    expect(await count('passkeys', 'user_id = $1', [userId])).toBe(1);
    const start = await B.auth.passkeys.loginOptions({}, CTX);
    const response = await key.authenticate(start.options);
    const input = { challengeId: start.challengeId, response };
    const outcomes = await Promise.all([
      outcome(A.auth.passkeys.signIn(input, CTX)),
      outcome(B.auth.passkeys.signIn(input, CTX)),
    ]);
    expect(outcomes.sort()).toEqual(['PASSKEY_INVALID', 'ok']);
    const [stored] = await A.auth.passkeys.list(userId);
    expect(stored).toMatchObject({ id: passkey.id });
    expect(stored?.lastUsedAt).toBeTypeOf('number');
    expect((await A.auth.storage.passkeys.get(passkey.id))?.counter).toBe(1);
  });

  it('signs in by magic link across both: requested on A, used on B, once', async () => {
    const { A, B } = twoInstances(layout);
    const address = email('mia');
    await signUpAndIn(A, B, address);
    await A.auth.magicLink.request(address, CTX);
    const mail = await A.mailer.waitFor(address, 'magic-link');
    const token = A.mailer.extractToken(mail) ?? '';
    const outcomes = await Promise.all([
      outcome(A.auth.magicLink.verify({ token }, CTX)),
      outcome(B.auth.magicLink.verify({ token }, CTX)),
    ]);
    expect(outcomes.sort()).toEqual(['TOKEN_INVALID', 'ok']);
  });

  it('refuses on B at once a user disabled through A, and accepts the profile A changed', async () => {
    const { A, B } = twoInstances(layout);
    const address = email('disabled');
    const { userId, login } = await signUpAndIn(A, B, address);
    if (login.tokens.strategy !== 'cookie') throw new Error('expected a cookie session');
    const token = login.tokens.sessionToken;
    // Both validate once, so a cache (if any) holds a copy in each process's view.
    await A.auth.validateSession(token);
    await B.auth.validateSession(token);
    await A.auth.users.update(userId, { firstName: 'Renamed' }, CTX);
    expect((await B.auth.validateSession(token)).user.firstName).toBe('Renamed');
    await A.auth.storage.users.update(userId, { disabled: true, updatedAt: Date.now() });
    expect(await outcome(B.auth.validateSession(token))).toBe('UNAUTHENTICATED');
    expect(await outcome(A.auth.validateSession(token))).toBe('UNAUTHENTICATED');
  });

  it('refuses on one instance a session revoked through the other (sessions.revoke, revokeAll)', async () => {
    const { A, B } = twoInstances(layout);
    const address = email('grace');
    const { userId, login } = await signUpAndIn(A, B, address);
    if (login.tokens.strategy !== 'cookie') throw new Error('expected a cookie session');
    const first = login.tokens.sessionToken;
    const second = await B.auth.login({ identifier: address, password: PASSWORD }, CTX);
    const third = await A.auth.login({ identifier: address, password: PASSWORD }, CTX);
    if (second.status !== 'signed_in' || second.tokens.strategy !== 'cookie') {
      throw new Error(`expected a cookie sign-in, got ${second.status}`);
    }
    if (third.status !== 'signed_in' || third.tokens.strategy !== 'cookie') {
      throw new Error(`expected a cookie sign-in, got ${third.status}`);
    }

    // Both instances read (and, with the cache, cache) every session.
    for (const auth of [A.auth, B.auth]) {
      for (const token of [first, second.tokens.sessionToken, third.tokens.sessionToken]) {
        expect((await auth.validateSession(token)).user.id).toBe(userId);
      }
    }
    expect(await A.auth.sessions.list(userId)).toHaveLength(3);

    // A revokes the session B made; B refuses it at once, the others live on.
    // (from the third session, fresh: it has just signed in)
    const caller = { sessionId: third.session.id, context: CTX };
    await A.auth.sessions.revoke(userId, second.session.id, caller);
    expect(await outcome(B.auth.validateSession(second.tokens.sessionToken))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await outcome(B.auth.validateSession(first))).toBe('ok');

    // B signs out everywhere but its own session; A refuses the rest at once.
    await B.auth.sessions.revokeAll(userId, { ...caller, exceptId: third.session.id });
    expect(await outcome(A.auth.validateSession(first))).toBe('UNAUTHENTICATED');
    expect(await outcome(A.auth.validateSession(third.tokens.sessionToken))).toBe('ok');
    await B.auth.sessions.revokeAll(userId, caller);
    expect(await outcome(A.auth.validateSession(third.tokens.sessionToken))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await A.auth.sessions.list(userId)).toEqual([]);
  });

  it('retries a refresh across instances, and detects reuse across them: rotated on A, replayed on B, gone on both', async () => {
    const { A, B } = twoInstances(layout, { strategy: 'jwt' });
    const address = email('linus');
    const { userId, login } = await signUpAndIn(A, B, address);
    if (login.tokens.strategy !== 'jwt') throw new Error('expected jwt tokens');
    const sessionId = login.session.id;

    // The access token A issued verifies on B (same secret), checked against the shared store.
    const claims = await B.auth.verifyAccessToken(login.tokens.accessToken, {
      checkSession: true,
    });
    expect(claims).toMatchObject({ sub: userId, sid: sessionId });

    const rotated = await A.auth.refresh(login.tokens.refreshToken, CTX);
    // Both read the rotated session (with the cache: both now hold a copy of it).
    for (const auth of [A.auth, B.auth]) {
      expect(
        await outcome(auth.verifyAccessToken(rotated.accessToken, { checkSession: true })),
      ).toBe('ok');
    }
    // A retry of that refresh on the other instance (its answer was lost): the same new token.
    expect((await B.auth.refresh(login.tokens.refreshToken, CTX)).refreshToken).toBe(
      rotated.refreshToken,
    );
    // The new token used (on B), the old one presented again on A: reuse, session revoked.
    const onwards = await B.auth.refresh(rotated.refreshToken, CTX);
    expect(await outcome(A.auth.refresh(login.tokens.refreshToken, CTX))).toBe(
      'REFRESH_TOKEN_REUSED',
    );
    // The session is gone for both, at once: the newest access token no longer passes a
    // session check anywhere, and the newest refresh token fails too.
    for (const auth of [A.auth, B.auth]) {
      expect(
        await outcome(auth.verifyAccessToken(rotated.accessToken, { checkSession: true })),
      ).toBe('UNAUTHENTICATED');
    }
    for (const auth of [A.auth, B.auth]) {
      expect(
        await outcome(auth.verifyAccessToken(onwards.accessToken, { checkSession: true })),
      ).toBe('UNAUTHENTICATED');
      expect(await outcome(auth.refresh(onwards.refreshToken, CTX))).toBe('REFRESH_TOKEN_INVALID');
      expect(await auth.sessions.list(userId)).toEqual([]);
    }
    expect(await count('sessions', 'id = $1', [sessionId])).toBe(0);
    expect(await exists(`session:${sessionId}`)).toBe(false);
    expect(await exists(cacheKey(sessionId))).toBe(false);
    expect((await A.auth.audit.list(userId)).map((e) => e.type)).toContain(
      'refresh.reuse_detected',
    );
  });
});

describe('rate limits shared by two Auth instances in Redis', () => {
  it('a lockout set through one instance holds on the other; 5 + 5 parallel failures lock once', async () => {
    const { A, B } = twoInstances('sessions in Redis');
    const address = email('lockout');
    await A.auth.register({ email: address, password: PASSWORD }, CTX);
    await B.auth.verifyEmail(await mailedToken(A.mailer, address, 'verify-email'), CTX);
    const wrong = { identifier: address, password: 'not the password at all' };
    const ctx = { ...CTX, ip: '198.51.100.23' };
    const outcomes = await Promise.all([
      ...Array.from({ length: 5 }, () => outcome(A.auth.login(wrong, ctx))),
      ...Array.from({ length: 5 }, () => outcome(B.auth.login(wrong, ctx))),
    ]);
    expect(outcomes.every((o) => o === 'INVALID_CREDENTIALS' || o === 'RATE_LIMITED')).toBe(true);
    const mails = [...A.mailer.messages, ...B.mailer.messages];
    expect(mails.filter((m) => m.kind === 'account-locked')).toHaveLength(1);
    const right = { identifier: address, password: PASSWORD };
    expect(await outcome(A.auth.login(right, ctx))).toBe('RATE_LIMITED');
    expect(await outcome(B.auth.login(right, ctx))).toBe('RATE_LIMITED');
  });

  it('count hits through both instances on one key exactly: 30 + 30 parallel → 1 to 60', async () => {
    const { A, B } = twoInstances('sessions in Redis');
    const key = `login:ip:${randomBytes(6).toString('hex')}`;
    const now = Date.now();
    const options = { limit: 10, windowMs: 60_000, now };
    const results = await Promise.all([
      ...Array.from({ length: 30 }, () => A.auth.storage.rateLimits.hit(key, options)),
      ...Array.from({ length: 30 }, () => B.auth.storage.rateLimits.hit(key, options)),
    ]);
    expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(await B.auth.storage.rateLimits.peek(key, now)).toEqual({
      count: 60,
      resetAt: now + 60_000,
    });
    expect(await A.auth.storage.rateLimits.peek(key, now)).toEqual({
      count: 60,
      resetAt: now + 60_000,
    });
  });
});
