import { memoryStorage } from '@portcullis/core';
import type { SessionWithUser, Storage } from '@portcullis/core/storage';
import { describeStorageConformance } from '@portcullis/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedStorage } from '../src/index.js';
import {
  connect,
  deleteKeys,
  HOUR,
  newSession,
  newUser,
  recordCommands,
  startTime,
  testPrefix,
} from './helpers.js';
import { heldStorage, type ReadKind } from './inner-storage.js';

const prefix = testPrefix('cached-storage');
let redis: Redis;
let counted: Redis;
let connected = false;

beforeAll(async () => {
  [redis, counted] = await Promise.all([connect(), connect()]);
  connected = true;
});
afterAll(async () => {
  if (!connected) return;
  await deleteKeys(redis, prefix);
  redis.disconnect();
  counted.disconnect();
});

// The cached storage must keep the whole contract, sessionWithUser's checks included (they run
// through the cache): once in front of a storage that joins, once in front of one that doesn't.
for (const joined of [true, false]) {
  describeStorageConformance(
    `cachedStorage in front of memory storage (${joined ? 'with' : 'without'} sessionWithUser)`,
    () => cachedStorage(redis, heldStorage({ joined }).storage, { prefix }),
  );
}

const pairKey = (id: string) => `${prefix}cache:pair:${id}`;

/** A user with one live session, created through `storage`. */
async function signedIn(storage: Storage, t = startTime()) {
  const user = newUser(t);
  expect(await storage.users.create(user)).toBe('created');
  const session = newSession(user.id, t);
  await storage.sessions.create(session);
  return { user, session, t };
}

/** The storage's `sessionWithUser`, which cachedStorage always has. */
function finder(storage: Storage) {
  const find = storage.sessionWithUser?.bind(storage);
  if (find === undefined) throw new Error('no sessionWithUser');
  return find;
}

describe('cachedStorage', () => {
  it('answers a hit with exactly one GET and no read of the inner storage', async () => {
    const inner = heldStorage({ joined: true });
    const cache = cachedStorage(counted, inner.storage, { prefix });
    const find = finder(cache);
    const { user, session, t } = await signedIn(cache);
    expect(await find(session.id, t)).toEqual({ session, user });
    const reads = { ...inner.reads };
    const commands = recordCommands(counted);
    expect(await find(session.id, t + 1)).toEqual({ session, user });
    expect(commands.log).toEqual([['get', pairKey(session.id)]]);
    commands.clear();
    // sessions.get answers from the same entry.
    expect(await cache.sessions.get(session.id, t + 2)).toEqual(session);
    expect(commands.log).toEqual([['get', pairKey(session.id)]]);
    expect(inner.reads).toEqual(reads);
  });

  for (const joined of [true, false]) {
    it(`fills a miss ${joined ? 'through inner.sessionWithUser' : 'with sessions.get and users.getById'}`, async () => {
      const inner = heldStorage({ joined });
      const cache = cachedStorage(redis, inner.storage, { prefix });
      const { user, session, t } = await signedIn(cache);
      expect(await finder(cache)(session.id, t)).toEqual({ session, user });
      // The first read learns the user (to register the id with it), the second one is cached.
      expect(inner.reads).toEqual(
        joined ? { session: 1, user: 0, joined: 1 } : { session: 2, user: 1, joined: 0 },
      );
      expect(JSON.parse((await redis.get(pairKey(session.id))) ?? 'null')).toEqual({
        session,
        user,
      });
    });
  }

  it('caps a pair’s TTL at ttlSeconds and at the session’s remaining life', async () => {
    const cache = cachedStorage(redis, memoryStorage(), { prefix, ttlSeconds: 60 });
    const t = Date.now();
    const long = await signedIn(cache, t);
    const short = newSession(long.user.id, t, { idleExpiresAt: t + 10_000 });
    await cache.sessions.create(short);
    await finder(cache)(long.session.id, t);
    await finder(cache)(short.id, t);
    const longTtl = await redis.pttl(pairKey(long.session.id));
    expect(longTtl).toBeGreaterThan(50_000);
    expect(longTtl).toBeLessThanOrEqual(60_000);
    const shortTtl = await redis.pttl(pairKey(short.id));
    expect(shortTtl).toBeGreaterThan(0);
    expect(shortTtl).toBeLessThanOrEqual(10_000);
  });

  it('judges a cached pair by now: refused at the session’s idle expiry', async () => {
    const cache = cachedStorage(redis, memoryStorage(), { prefix });
    const { session, t } = await signedIn(cache);
    await finder(cache)(session.id, t);
    expect(await finder(cache)(session.id, t + HOUR)).toBeUndefined();
    expect(await cache.sessions.get(session.id, t + HOUR)).toBeUndefined();
  });

  it('caches no pair whose user is gone, and answers it without the user', async () => {
    const inner = memoryStorage();
    const cache = cachedStorage(redis, inner, { prefix });
    const { user, session, t } = await signedIn(cache);
    await inner.users.delete(user.id); // behind the cache's back: nothing cached yet anyway
    expect(await finder(cache)(session.id, t)).toEqual({ session, user: undefined });
    expect(await redis.exists(pairKey(session.id))).toBe(0);
  });

  it('passes the other stores through as the very objects of the inner storage', () => {
    const inner = memoryStorage();
    const cache = cachedStorage(redis, inner, { prefix });
    for (const name of [
      'accounts',
      'passkeys',
      'tokens',
      'twoFactor',
      'rateLimits',
      'audit',
    ] as const) {
      expect(cache[name]).toBe(inner[name]);
    }
    expect(cache.users).not.toBe(inner.users);
    expect(cache.sessions).not.toBe(inner.sessions);
    // Memory storage has no transactions, so neither has its cache.
    expect(cache.transaction).toBeUndefined();
  });

  it('passes users.list straight to the inner storage: no Redis command, never a stale page', async () => {
    const inner = heldStorage({ joined: true });
    const cache = cachedStorage(counted, inner.storage, { prefix });
    const { user, session, t } = await signedIn(cache);
    await finder(cache)(session.id, t); // the pair is cached now
    const query = { prefix: user.emailNormalized, limit: 2 };
    const commands = recordCommands(counted);
    expect(await cache.users.list(query)).toEqual([user]);
    expect(commands.log).toEqual([]);
    // A write through the inner storage shows at once: there is no copy of a page to drop.
    const roles = { roles: ['admin'], updatedAt: t + 1 };
    expect(await inner.storage.users.update(user.id, roles)).toBe('updated');
    expect(await cache.users.list({ ...query, role: 'admin' })).toEqual([{ ...user, ...roles }]);
    expect(commands.log).toEqual([]);
  });
});

/** A TOTP enrollment, so that advanceTotpStep has something to advance. */
const TOTP = {
  encryptedSecret: 'x',
  algorithm: 'sha1',
  digits: 6,
  periodSeconds: 30,
  t0: 0,
} as const;

/** A user write that must reach every cached pair of the user. */
const userWrites: Record<string, (s: Storage, id: string, t: number) => Promise<unknown>> = {
  'users.update (disabled)': (s, id, t) => s.users.update(id, { disabled: true, updatedAt: t }),
  'users.advanceTotpStep': (s, id) => s.users.advanceTotpStep(id, 42),
  'users.delete': (s, id) => s.users.delete(id),
};

describe('cachedStorage under racing writes', () => {
  // The fill's reads: the session first (to learn the user), then the pair, which is cached.
  const holds: { kind: ReadKind; joined: boolean; what: string }[] = [
    { kind: 'session', joined: true, what: 'first read held' },
    { kind: 'joined', joined: true, what: 'joined read held' },
    { kind: 'user', joined: false, what: 'user read held' },
  ];

  for (const [name, write] of Object.entries(userWrites)) {
    for (const { kind, joined, what } of holds) {
      it(`never leaves a stale pair when ${name} races a fill (${what})`, async () => {
        const inner = heldStorage({ joined });
        const cache = cachedStorage(redis, inner.storage, { prefix });
        const { user, session, t } = await signedIn(cache);
        await cache.users.update(user.id, { totp: TOTP, updatedAt: t });
        const hold = inner.hold(kind, 1);
        const reading = finder(cache)(session.id, t);
        await hold.reached;
        await write(cache, user.id, t + 1);
        hold.release();
        await reading;
        const truth = await inner.storage.users.getById(user.id);
        const cached = await redis.get(pairKey(session.id));
        if (cached !== null && !cached.startsWith('lease:')) {
          expect((JSON.parse(cached) as SessionWithUser).user).toEqual(truth);
        }
        expect((await finder(cache)(session.id, t + 2))?.user).toEqual(truth);
      });
    }
  }

  for (const nth of [1, 2]) {
    it(`never caches a session revoked while its fill was reading (sessions.get ${nth} held)`, async () => {
      const inner = heldStorage({ joined: false });
      const cache = cachedStorage(redis, inner.storage, { prefix });
      const { session, t } = await signedIn(cache);
      for (const revoke of [
        () => cache.sessions.delete(session.id),
        () => cache.sessions.deleteByUser(session.userId),
      ]) {
        await cache.sessions.create(session);
        const hold = inner.hold('session', nth);
        const reading = finder(cache)(session.id, t);
        await hold.reached;
        await revoke();
        hold.release();
        await reading;
        expect(await redis.exists(pairKey(session.id))).toBe(0);
        expect(await finder(cache)(session.id, t)).toBeUndefined();
      }
    });
  }

  it('drops the pair on every session write, so the next lookup sees it', async () => {
    const cache = cachedStorage(redis, memoryStorage(), { prefix });
    const find = finder(cache);
    const { session, t } = await signedIn(cache, startTime());
    const s = newSession(session.userId, t, { refreshHash: 'h0' });
    await cache.sessions.create(s);
    await find(s.id, t);
    await cache.sessions.touch(s.id, { now: t + 1, idleExpiresAt: t + 2 * HOUR });
    expect((await find(s.id, t))?.session).toMatchObject({ idleExpiresAt: t + 2 * HOUR });
    await cache.sessions.rotateRefresh(s.id, { expectedHash: 'h0', newHash: 'h1', now: t });
    expect((await find(s.id, t))?.session).toMatchObject({ refreshHash: 'h1' });
    await cache.sessions.markFresh(s.id, { freshUntil: t + 7, amr: ['pwd', 'otp'], now: t });
    expect((await find(s.id, t))?.session).toMatchObject({
      freshUntil: t + 7,
      amr: ['pwd', 'otp'],
    });
    const proven = { secondFactorAt: t + 8, credentialGeneration: 2 ** 52 + 3 };
    await cache.sessions.markFresh(s.id, { freshUntil: t + 9, ...proven, now: t });
    // The fill, then the copy: both carry the new fields exactly.
    expect((await find(s.id, t))?.session).toMatchObject({ freshUntil: t + 9, ...proven });
    expect(await redis.exists(pairKey(s.id))).toBe(1);
    expect((await find(s.id, t))?.session).toMatchObject({ freshUntil: t + 9, ...proven });
    expect(await cache.sessions.get(s.id, t)).toMatchObject(proven);
    await cache.sessions.deleteByUser(s.userId, { exceptId: s.id });
    expect(await find(session.id, t)).toBeUndefined();
    expect((await find(s.id, t))?.session.id).toBe(s.id);
  });

  it('drops the pairs of a user whose credential generation changes; the copy then carries it', async () => {
    const cache = cachedStorage(redis, memoryStorage(), { prefix });
    const find = finder(cache);
    const { user, session, t } = await signedIn(cache);
    expect(await find(session.id, t)).toEqual({ session, user });
    expect(await redis.exists(pairKey(session.id))).toBe(1);
    const next = { credentialGeneration: 2 ** 52 + 3, updatedAt: t + 1 };
    expect(await cache.users.update(user.id, next)).toBe('updated');
    expect(await redis.exists(pairKey(session.id))).toBe(0);
    // The fill and then the copy: the user's new generation, the session's old one, exactly.
    for (let i = 0; i < 2; i += 1) {
      expect(await find(session.id, t)).toEqual({ session, user: { ...user, ...next } });
    }
  });

  it('drops the pairs of every session of the user on a user write, and no one else’s', async () => {
    const cache = cachedStorage(redis, memoryStorage(), { prefix });
    const find = finder(cache);
    const mine = await signedIn(cache);
    const second = newSession(mine.user.id, mine.t + 1);
    await cache.sessions.create(second);
    const other = await signedIn(cache, mine.t);
    for (const id of [mine.session.id, second.id, other.session.id]) await find(id, mine.t);
    await cache.users.update(mine.user.id, { firstName: 'Ada', updatedAt: mine.t + 1 });
    expect(await redis.exists(pairKey(mine.session.id), pairKey(second.id))).toBe(0);
    expect(await redis.exists(pairKey(other.session.id))).toBe(1);
    expect((await find(second.id, mine.t))?.user?.firstName).toBe('Ada');
  });

  it('drops the pairs even when the user write fails half-way', async () => {
    const inner = memoryStorage();
    const failing: Storage = {
      ...inner,
      users: {
        ...inner.users,
        async update(id, patch) {
          await inner.users.update(id, patch);
          throw new Error('connection lost after the write');
        },
      },
    };
    const cache = cachedStorage(redis, failing, { prefix });
    const { user, session, t } = await signedIn(cache);
    await finder(cache)(session.id, t);
    await expect(cache.users.update(user.id, { disabled: true, updatedAt: t })).rejects.toThrow(
      /connection lost/,
    );
    expect((await finder(cache)(session.id, t))?.user?.disabled).toBe(true);
  });
});
