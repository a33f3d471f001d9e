import { memoryStorage } from '@portcullis/core';
import type { SessionStore } from '@portcullis/core/storage';
import { describeStorageConformance } from '@portcullis/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedSessions } from '../src/index.js';
import {
  connect,
  deferred,
  deleteKeys,
  HOUR,
  newSession,
  startTime,
  testPrefix,
  uid,
} from './helpers.js';

const prefix = testPrefix('cached-sessions');
let redis: Redis;
let connected = false;

beforeAll(async () => {
  redis = await connect();
  connected = true;
});
afterAll(async () => {
  if (!connected) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

// The cache must itself keep the sessions contract, in front of memory storage's sessions.
describeStorageConformance(
  'cachedSessions in front of memory sessions',
  () => ({
    ...memoryStorage(),
    sessions: cachedSessions(redis, memoryStorage().sessions, { prefix }),
  }),
  { stores: ['sessions'] },
);

/**
 * Memory sessions (the stand-in for PostgreSQL) whose reads are counted and can be held: the
 * nth read from now reads, then waits for `release` before it answers.
 */
function innerStore() {
  const memory = memoryStorage().sessions;
  let reads = 0;
  let held: { at: number; reached: () => void; release: Promise<void> } | undefined;
  const store: SessionStore = {
    ...memory,
    async get(id, now) {
      reads += 1;
      const found = await memory.get(id, now);
      const hold = held;
      if (hold !== undefined && reads === hold.at) {
        held = undefined;
        hold.reached();
        await hold.release;
      }
      return found;
    },
  };
  return {
    store,
    reads: () => reads,
    holdRead(nth: number) {
      const reached = deferred();
      const release = deferred();
      held = { at: reads + nth, reached: reached.resolve, release: release.promise };
      return { reached: reached.promise, release: () => release.resolve() };
    },
  };
}

const cacheKey = (id: string) => `${prefix}cache:session:${id}`;

describe('cachedSessions', () => {
  it('serves a cached session from Redis without reading the inner store', async () => {
    const inner = innerStore();
    const cache = cachedSessions(redis, inner.store, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    expect(await cache.get(s.id, t)).toEqual(s);
    const reads = inner.reads();
    expect(await cache.get(s.id, t + 1)).toEqual(s);
    expect(await cache.get(s.id, t + 2)).toEqual(s);
    expect(inner.reads()).toBe(reads);
  });

  it('caps a copy’s TTL at ttlSeconds and at the session’s remaining life', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix, ttlSeconds: 60 });
    const t = Date.now();
    const long = newSession(uid('user'), t);
    const short = newSession(uid('user'), t, { idleExpiresAt: t + 10_000 });
    for (const s of [long, short]) {
      await cache.create(s);
      await cache.get(s.id, t);
    }
    const longTtl = await redis.pttl(cacheKey(long.id));
    expect(longTtl).toBeGreaterThan(50_000);
    expect(longTtl).toBeLessThanOrEqual(60_000);
    const shortTtl = await redis.pttl(cacheKey(short.id));
    expect(shortTtl).toBeGreaterThan(0);
    expect(shortTtl).toBeLessThanOrEqual(10_000);
  });

  it('judges a cached copy by now: refused at its idle expiry', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    expect(await cache.get(s.id, t)).toEqual(s);
    expect(await cache.get(s.id, t + HOUR)).toBeUndefined();
  });

  it('refuses a deleted session at once, though a copy was cached', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    expect(await cache.get(s.id, t)).toEqual(s);
    await cache.delete(s.id);
    expect(await redis.exists(cacheKey(s.id))).toBe(0);
    expect(await cache.get(s.id, t)).toBeUndefined();
  });

  it('drops the copy on touch, rotation and markFresh, so the next read sees each write', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t, { refreshHash: 'h0' });
    await cache.create(s);
    await cache.get(s.id, t);
    await cache.touch(s.id, { now: t + 1, idleExpiresAt: t + 2 * HOUR });
    expect(await cache.get(s.id, t)).toMatchObject({ idleExpiresAt: t + 2 * HOUR });
    await cache.rotateRefresh(s.id, { expectedHash: 'h0', newHash: 'h1', now: t });
    expect(await cache.get(s.id, t)).toMatchObject({ refreshHash: 'h1' });
    await cache.markFresh(s.id, { freshUntil: t + 7, amr: ['pwd', 'otp'], now: t });
    expect(await cache.get(s.id, t)).toMatchObject({ freshUntil: t + 7, amr: ['pwd', 'otp'] });
    const proven = { secondFactorAt: t + 8, credentialGeneration: 2 ** 52 + 3 };
    await cache.markFresh(s.id, { freshUntil: t + 9, ...proven, now: t });
    // Read twice: the fill, then the copy; both exactly what was written.
    const expected = {
      ...s,
      refreshHash: 'h1',
      previousRefreshHashes: ['h0'],
      idleExpiresAt: t + 2 * HOUR,
      lastSeenAt: t + 1,
      freshUntil: t + 9,
      amr: ['pwd', 'otp'],
      ...proven,
    };
    expect(await cache.get(s.id, t)).toEqual(expected);
    expect(await cache.get(s.id, t)).toEqual(expected);
  });

  it('drops the copies of every session of a user on deleteByUser, and no one else’s', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const userId = uid('user');
    const mine = [newSession(userId, t), newSession(userId, t + 1), newSession(userId, t + 2)];
    const other = newSession(uid('other'), t);
    for (const s of [...mine, other]) {
      await cache.create(s);
      await cache.get(s.id, t);
    }
    const kept = mine[2] as (typeof mine)[number];
    await cache.deleteByUser(userId, { exceptId: kept.id });
    for (const s of mine.slice(0, 2)) expect(await cache.get(s.id, t)).toBeUndefined();
    expect(await cache.get(kept.id, t)).toEqual(kept);
    expect(await redis.exists(cacheKey(other.id))).toBe(1);
  });

  it('never caches a session deleted while its fill was reading (the delete voids the lease)', async () => {
    const inner = innerStore();
    const cache = cachedSessions(redis, inner.store, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    // Hold the fill's second read, which has seen the session live, until the delete is done.
    const hold = inner.holdRead(2);
    const reading = cache.get(s.id, t);
    await hold.reached;
    await cache.delete(s.id);
    hold.release();
    await reading;
    expect(await redis.exists(cacheKey(s.id))).toBe(0);
    expect(await cache.get(s.id, t)).toBeUndefined();
  });

  for (const nth of [1, 2]) {
    it(`never caches a session revoked by deleteByUser during its fill (read ${nth} held)`, async () => {
      const inner = innerStore();
      const cache = cachedSessions(redis, inner.store, { prefix });
      const t = startTime();
      const s = newSession(uid('user'), t);
      await cache.create(s);
      const hold = inner.holdRead(nth);
      const reading = cache.get(s.id, t);
      await hold.reached;
      await cache.deleteByUser(s.userId);
      hold.release();
      await reading;
      expect(await redis.exists(cacheKey(s.id))).toBe(0);
      expect(await cache.get(s.id, t)).toBeUndefined();
    });
  }

  it('never caches a session the inner store does not answer, and releases its lease', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    expect(await cache.get(s.id, t + HOUR)).toBeUndefined();
    expect(await cache.get(uid('missing'), t)).toBeUndefined();
    expect(await redis.exists(cacheKey(s.id))).toBe(0);
  });

  it('reads through a lease left by a crashed reader, without filling over it', async () => {
    const cache = cachedSessions(redis, memoryStorage().sessions, { prefix });
    const t = startTime();
    const s = newSession(uid('user'), t);
    await cache.create(s);
    await redis.set(cacheKey(s.id), 'lease:crashed-reader', 'PX', 5000);
    expect(await cache.get(s.id, t)).toEqual(s);
    expect(await redis.get(cacheKey(s.id))).toBe('lease:crashed-reader');
  });
});
