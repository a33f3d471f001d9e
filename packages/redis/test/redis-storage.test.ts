import type { OneTimeTokenRecord } from '@portcullis/core/storage';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStorage } from '../src/index.js';
import {
  connect,
  deleteKeys,
  GENERATION,
  HOUR,
  newSession,
  recordCommands,
  startTime,
  testPrefix,
  uid,
} from './helpers.js';

// What the conformance kit cannot see: the keys, their TTLs, the indexes, and the guards that
// keep one key (or one user, or one app) from reaching another's records.
const prefix = testPrefix('redis-storage');
const GRACE = 300_000;
let redis: Redis;
let connected = false;
let store: ReturnType<typeof redisStorage>;

beforeAll(async () => {
  redis = await connect();
  connected = true;
  store = redisStorage(redis, { prefix });
});
afterAll(async () => {
  if (!connected) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const expireTime = async (key: string) => Number(await redis.call('PEXPIRETIME', key));

function newToken(userId: string, t: number, overrides: Partial<OneTimeTokenRecord> = {}) {
  return {
    purpose: 'password_reset',
    selector: uid('sel'),
    verifierHash: uid('verifier'),
    userId,
    expiresAt: t + HOUR,
    attempts: 0,
    ...overrides,
  } satisfies OneTimeTokenRecord;
}

describe('redisStorage keys and TTLs', () => {
  it('collects a session a grace period after it dies, and a touch moves that along', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    const key = `${prefix}session:${s.id}`;
    expect(await expireTime(key)).toBe(s.idleExpiresAt + GRACE);
    expect(await expireTime(`${prefix}user-sessions:${s.userId}`)).toBe(
      s.absoluteExpiresAt + GRACE,
    );
    await store.sessions.touch(s.id, { now: t + 1, idleExpiresAt: t + 2 * HOUR });
    expect(await expireTime(key)).toBe(t + 2 * HOUR + GRACE);
  });

  it('collects a token, a window and a lock a grace period after each ends', async () => {
    const t = startTime();
    const token = newToken(uid('user'), t);
    await store.tokens.create(token);
    const tokenKey = `${prefix}token:${token.purpose}:${token.selector}`;
    expect(await expireTime(tokenKey)).toBe(token.expiresAt + GRACE);
    const key = uid('rl');
    await store.rateLimits.hit(key, { limit: 3, windowMs: 60_000, now: t });
    expect(await expireTime(`${prefix}rate:${key}`)).toBe(t + 60_000 + GRACE);
    await store.rateLimits.lock(key, { untilMs: t + HOUR });
    expect(await expireTime(`${prefix}rate:${key}`)).toBe(t + HOUR + GRACE);
    // A new window inside the lock keeps the lock's collection time.
    await store.rateLimits.hit(key, { limit: 3, windowMs: 60_000, now: t + 120_000 });
    expect(await expireTime(`${prefix}rate:${key}`)).toBe(t + HOUR + GRACE);
  });

  it('decides by now, not by TTL: a session past its expiry is refused while its key lives', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    expect(await store.sessions.get(s.id, s.idleExpiresAt)).toBeUndefined();
    expect(await redis.exists(`${prefix}session:${s.id}`)).toBe(1);
  });

  it('keeps every replaced refresh hash in order, including ones a session was created with', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t, {
      refreshHash: 'h:2',
      previousRefreshHashes: ['h:0', 'h:1'],
    });
    await store.sessions.create(s);
    const rotate = (expectedHash: string, newHash: string) =>
      store.sessions.rotateRefresh(s.id, { expectedHash, newHash, now: t });
    expect(await rotate('h:0', 'x')).toBe('reused');
    expect(await rotate('h:2', 'h:3')).toBe('rotated');
    // Hashes that JSON has to escape survive the script's append to the JSON array.
    expect(await rotate('h:3', 'ü✓"\\/\n')).toBe('rotated');
    expect(await rotate('ü✓"\\/\n', 'h:5')).toBe('rotated');
    expect(await store.sessions.get(s.id, t)).toEqual({
      ...s,
      refreshHash: 'h:5',
      previousRefreshHashes: ['h:0', 'h:1', 'h:2', 'h:3', 'ü✓"\\/\n'],
    });
    expect(await rotate('ü✓"\\/\n', 'x')).toBe('reused');
  });

  it('stores a token payload exactly (no Lua JSON round trip)', async () => {
    const t = startTime();
    const payload = {
      empty: [],
      obj: {},
      big: 2 ** 53 - 1,
      frac: 0.1,
      text: 'ü\u0000"',
      nil: null,
    };
    const token = newToken(uid('user'), t, { payload });
    await store.tokens.create(token);
    expect(await store.tokens.get(token.purpose, token.selector, t)).toEqual(token);
    const consumed = await store.tokens.consume(token.purpose, token.selector, {
      verifierHash: token.verifierHash,
      now: t,
    });
    expect(consumed).toEqual({ status: 'ok', record: token });
  });
});

describe('redisStorage credential generations and secondFactorAt', () => {
  it('stores them exactly, and no secondFactorAt key when there is none', async () => {
    const t = startTime();
    const userId = uid('user');
    // Safe integers that Lua's number formatting (14 digits) or an int32 would change.
    const generations = [0, 1, 2 ** 31, 2 ** 52 + 3, 2 ** 53 - 2, GENERATION];
    const sessions = generations.map((credentialGeneration, i) =>
      newSession(userId, t + i, { credentialGeneration, secondFactorAt: t - i }),
    );
    for (const s of sessions) await store.sessions.create(s);
    for (const s of sessions) expect(await store.sessions.get(s.id, t)).toEqual(s);
    expect(await store.sessions.listByUser(userId, t)).toEqual([...sessions].reverse());
    const plain = newSession(userId, t);
    await store.sessions.create(plain);
    expect(plain).not.toHaveProperty('secondFactorAt');
    const read = await store.sessions.get(plain.id, t);
    expect(read).toEqual(plain);
    expect(read).not.toHaveProperty('secondFactorAt');
  });

  it('markFresh sets them when given, in one script call, and leaves them otherwise', async () => {
    const t = startTime();
    const own = await connect();
    try {
      const mine = redisStorage(own, { prefix });
      const s = newSession(uid('user'), t, { credentialGeneration: 0 });
      await mine.sessions.create(s);
      const { log, clear } = recordCommands(own);
      expect(await mine.sessions.markFresh(s.id, { freshUntil: t + 1, now: t })).toBe('updated');
      expect(await mine.sessions.get(s.id, t)).toEqual({ ...s, freshUntil: t + 1 });
      const changed = {
        freshUntil: t + 2,
        amr: ['pwd', 'otp'],
        secondFactorAt: t + 3,
        credentialGeneration: 2 ** 52 + 3,
      };
      clear();
      expect(await mine.sessions.markFresh(s.id, { ...changed, now: t })).toBe('updated');
      expect(log.map(([name]) => name)).toEqual(['evalsha']);
      expect(await mine.sessions.get(s.id, t)).toEqual({ ...s, ...changed });
      // Given alone, each field is set alone.
      expect(
        await mine.sessions.markFresh(s.id, {
          freshUntil: t + 4,
          credentialGeneration: GENERATION,
          now: t,
        }),
      ).toBe('updated');
      expect(await mine.sessions.get(s.id, t)).toEqual({
        ...s,
        ...changed,
        freshUntil: t + 4,
        credentialGeneration: GENERATION,
      });
    } finally {
      own.disconnect();
    }
  });

  it('markFresh writes nothing on a dead or deleted session, and never brings it back', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    const key = `${prefix}session:${s.id}`;
    const given = { freshUntil: t + 9, amr: ['otp'], secondFactorAt: t, credentialGeneration: 5 };
    expect(await store.sessions.markFresh(s.id, { ...given, now: s.idleExpiresAt })).toBe(
      'not_found',
    );
    expect(await store.sessions.get(s.id, t)).toEqual(s);
    await store.sessions.delete(s.id);
    expect(await store.sessions.markFresh(s.id, { ...given, now: t })).toBe('not_found');
    expect(await redis.exists(key)).toBe(0);
  });

  it('reads a session written before generations (no gen field) as generation 0', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    // What the previous version wrote: the same hash without `gen` and `second`.
    await redis.hdel(`${prefix}session:${s.id}`, 'gen', 'second');
    expect(await store.sessions.get(s.id, t)).toEqual({ ...s, credentialGeneration: 0 });
    // markFresh moves it to a generation.
    await store.sessions.markFresh(s.id, { freshUntil: t, credentialGeneration: 7, now: t });
    expect(await store.sessions.get(s.id, t)).toEqual({
      ...s,
      freshUntil: t,
      credentialGeneration: 7,
    });
  });
});

describe('redisStorage user indexes', () => {
  it('never prunes a session whose record is missing but not past its absolute expiry', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    // As if the record were still being written: the index entry exists, the record does not.
    const record = `${prefix}session:${s.id}`;
    const saved = await redis.hgetall(record);
    await redis.del(record);
    expect(await store.sessions.listByUser(s.userId, t + 1)).toEqual([]);
    expect(await redis.zscore(`${prefix}user-sessions:${s.userId}`, s.id)).not.toBeNull();
    // The record lands; "log out everywhere" still finds it.
    await redis.hset(record, saved);
    await store.sessions.deleteByUser(s.userId);
    expect(await store.sessions.get(s.id, t)).toBeUndefined();
  });

  it('prunes a session from the index once now reaches its absolute expiry', async () => {
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    expect(await store.sessions.listByUser(s.userId, s.absoluteExpiresAt)).toEqual([]);
    expect(await redis.zscore(`${prefix}user-sessions:${s.userId}`, s.id)).toBeNull();
  });

  it('never lets a user’s deleteByUser delete another user’s token with a colliding selector', async () => {
    const t = startTime();
    const victim = newToken(uid('victim'), t);
    const attacker = uid('attacker');
    expect(await store.tokens.create(victim)).toBe('created');
    expect(await store.tokens.create({ ...victim, userId: attacker })).toBe('conflict');
    await store.tokens.deleteByUser(attacker);
    expect(await store.tokens.get(victim.purpose, victim.selector, t)).toEqual(victim);
  });

  it('keeps purposes containing ":" apart from selectors containing ":"', async () => {
    const t = startTime();
    const userId = uid('user');
    const a = newToken(userId, t, { purpose: 'a:b', selector: 'c' });
    const b = newToken(userId, t, { purpose: 'a', selector: 'b:c' });
    expect(await store.tokens.create(a)).toBe('created');
    expect(await store.tokens.create(b)).toBe('created');
    // Not one of core's purposes (the type refuses it): the store must still keep keys apart.
    await store.tokens.deleteByUser(userId, { purpose: 'a' as never });
    expect(await store.tokens.get(a.purpose, a.selector, t)).toEqual(a);
    expect(await store.tokens.get(b.purpose, b.selector, t)).toBeUndefined();
  });
});

describe('redisStorage prefixes', () => {
  it('keeps two prefixes on one server apart', async () => {
    const other = redisStorage(redis, { prefix: `${prefix}other:` });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await store.sessions.create(s);
    expect(await other.sessions.get(s.id, t)).toBeUndefined();
    expect(await other.sessions.listByUser(s.userId, t)).toEqual([]);
    const key = uid('rl');
    await store.rateLimits.hit(key, { limit: 1, windowMs: 60_000, now: t });
    expect(await other.rateLimits.peek(key, t)).toBeUndefined();
    expect(await other.rateLimits.hit(key, { limit: 1, windowMs: 60_000, now: t })).toMatchObject({
      count: 1,
    });
  });

  it('uses portcullis: when no prefix is given', async () => {
    const plain = redisStorage(redis);
    const key = uid('rl');
    await plain.rateLimits.hit(key, { limit: 1, windowMs: 1000, now: startTime() });
    expect(await redis.exists(`portcullis:rate:${key}`)).toBe(1);
    await plain.rateLimits.reset(key);
    expect(await redis.exists(`portcullis:rate:${key}`)).toBe(0);
  });
});
