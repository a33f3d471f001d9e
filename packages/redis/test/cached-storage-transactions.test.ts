import { composeStorage, type Storage } from '@portcullis/core/storage';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedStorage, redisStorage } from '../src/index.js';
import {
  connect,
  deleteKeys,
  newSession,
  newUser,
  recordCommands,
  startTime,
  testPrefix,
} from './helpers.js';
import { stagedStorage } from './inner-storage.js';

// Transactions of the inner storage (stood in for by a memory storage whose transactional
// writes only land at commit), seen through the cache.
const prefix = testPrefix('cached-storage-tx');
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

const pairKey = (id: string) => `${prefix}cache:pair:${id}`;

/** The storage's `sessionWithUser` and `transaction`, which these storages have. */
function parts(storage: Storage) {
  const { sessionWithUser, transaction } = storage;
  if (sessionWithUser === undefined || transaction === undefined) throw new Error('incomplete');
  return {
    find: sessionWithUser.bind(storage),
    transaction: transaction.bind(storage) as <T>(fn: (tx: Storage) => Promise<T>) => Promise<T>,
  };
}

/** A cached storage over a transactional inner one, with a signed-in user whose pair is cached. */
async function setup() {
  const inner = stagedStorage();
  const cache = cachedStorage(redis, inner, { prefix });
  const t = startTime();
  const user = newUser(t);
  expect(await cache.users.create(user)).toBe('created');
  const session = newSession(user.id, t);
  await cache.sessions.create(session);
  const { find, transaction } = parts(cache);
  expect(await find(session.id, t)).toEqual({ session, user });
  return { inner, cache, find, transaction, user, session, t };
}

describe('cachedStorage transactions', () => {
  it('drops again after the commit the pair a reader cached from pre-commit data', async () => {
    const { find, transaction, user, session, t } = await setup();
    const result = await transaction(async (tx) => {
      expect(await tx.users.update(user.id, { disabled: true, updatedAt: t + 1 })).toBe('updated');
      // Another request, outside the transaction, misses and caches what is committed so far.
      expect((await find(session.id, t))?.user?.disabled).toBe(false);
      expect(await redis.exists(pairKey(session.id))).toBe(1);
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(await redis.exists(pairKey(session.id))).toBe(0);
    expect((await find(session.id, t))?.user?.disabled).toBe(true);
  });

  it('drops after the commit the pairs of sessions revoked inside it', async () => {
    const { find, transaction, session, t } = await setup();
    await transaction(async (tx) => {
      await tx.sessions.deleteByUser(session.userId);
      await find(session.id, t);
      expect(await redis.exists(pairKey(session.id))).toBe(1);
    });
    expect(await find(session.id, t)).toBeUndefined();
    const other = await setup();
    await other.transaction(async (tx) => {
      await tx.sessions.delete(other.session.id);
      await other.find(other.session.id, other.t);
    });
    expect(await other.find(other.session.id, other.t)).toBeUndefined();
  });

  it('drops after the outermost commit what a nested transaction wrote', async () => {
    const { find, transaction, user, session, t } = await setup();
    await transaction(async (tx) => {
      await parts(tx).transaction((nested) => nested.users.advanceTotpStep(user.id, 9));
      await tx.users.update(user.id, { firstName: 'Grace', updatedAt: t + 1 });
      await find(session.id, t);
      expect(await redis.exists(pairKey(session.id))).toBe(1);
    });
    expect((await find(session.id, t))?.user?.firstName).toBe('Grace');
  });

  it('rethrows a rollback as it was, and drops the pairs it touched all the same', async () => {
    const { find, transaction, user, session, t } = await setup();
    const failure = new Error('roll back');
    const run = transaction(async (tx) => {
      await tx.users.update(user.id, { disabled: true, updatedAt: t + 1 });
      await find(session.id, t);
      throw failure;
    });
    await expect(run).rejects.toBe(failure);
    expect(await redis.exists(pairKey(session.id))).toBe(0);
    // Rolled back: the user was never disabled.
    expect((await find(session.id, t))?.user?.disabled).toBe(false);
  });

  it('reads inside a transaction from the transaction, never from or into the cache', async () => {
    const counted = await connect();
    try {
      const cache = cachedStorage(counted, stagedStorage(), { prefix });
      const t = startTime();
      const user = newUser(t);
      await cache.users.create(user);
      const session = newSession(user.id, t);
      await cache.sessions.create(session);
      await parts(cache).find(session.id, t); // cached
      const commands = recordCommands(counted);
      await parts(cache).transaction(async (tx) => {
        expect(await parts(tx).find(session.id, t)).toEqual({ session, user });
        expect(await tx.sessions.get(session.id, t)).toEqual(session);
      });
      expect(commands.log).toEqual([]);
    } finally {
      counted.disconnect();
    }
  });

  it('composes: transactionsFrom the cache keeps its transaction, its one-GET lookup and the swap of passed-through stores', async () => {
    const { inner, cache, user, session, t } = await setup();
    const ephemeral = redisStorage(redis, { prefix });
    const storage = composeStorage({
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
    const { find, transaction } = parts(storage);
    expect(await find(session.id, t)).toEqual({ session, user });
    await transaction(async (tx) => {
      // The passed-through stores are inner's own, so composeStorage swaps in the tx's.
      expect(cache.twoFactor).toBe(inner.twoFactor);
      expect(tx.twoFactor).not.toBe(inner.twoFactor);
      expect(tx.tokens).toBe(ephemeral.tokens);
      await tx.users.update(user.id, { disabled: true, updatedAt: t + 1 });
      await find(session.id, t);
    });
    expect((await find(session.id, t))?.user?.disabled).toBe(true);
  });
});
