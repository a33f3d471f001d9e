import type { SessionRecord, SessionWithUser, Storage, UserStore } from '@portcullis/core/storage';
import { type EntryCache, entryCache } from './cache-entries.js';
import { type CachedSessionsOptions, invalidatingSessions, ttlMsOf } from './cached-sessions.js';
import type { RedisClient } from './client.js';
import { DEFAULT_PREFIX, keyNames } from './keys.js';

/**
 * A read-through cache in Redis of another storage's sessions together with their users
 * (PostgreSQL's, say), so that validating a session costs one `GET`: one entry per session id
 * holds the pair, which `sessionWithUser` answers (and `sessions.get` from the same entry).
 * A miss fills through `inner.sessionWithUser` when it has one (one round trip, a join), else
 * through `sessions.get` and `users.getById`.
 *
 * Writes go to `inner` first and then remove the copies they may have changed, even when the
 * write failed half-way: a session write (`create`, `touch`, `rotateRefresh`, `markFresh`,
 * `delete`) its own entry, `sessions.deleteByUser` and the user writes (`users.update`,
 * `users.advanceTotpStep`, `users.delete`) every entry of the user. So a session revoked, or a
 * user disabled, through any process is refused at once by every other. A fill never brings
 * back a copy that such a write removed (a lease per fill, a compare-and-set fill, and the id
 * registered with its user before the pair is read); every Redis step touches one key, so it
 * runs on Redis Cluster as is. User lookups by email or username, `users.list` (never
 * cached), `listByUser` and the other six stores (`accounts`, `passkeys`, `tokens`,
 * `twoFactor`, `rateLimits`, `audit`: the very objects of `inner`, so `composeStorage`
 * recognizes them) go straight to `inner`.
 *
 * `transaction` (when `inner` has one) runs `inner`'s with the same wrapping over its stores;
 * reads inside it skip the cache (they must see the transaction's own writes), and once the
 * transaction has committed, or rolled back, the copies of every user and session it wrote
 * are removed again, since a reader outside may have cached the data as it was before the
 * commit.
 *
 * Write users and sessions only through this storage: a change made behind its back (an SQL
 * `UPDATE`) shows only once the copy expires, after at most `ttlSeconds`. Redis errors reject
 * the call (core answers `STORAGE_UNAVAILABLE`); after a write to `inner`, a copy may then
 * survive until its TTL.
 *
 * @example
 * ```ts
 * const pg = postgresStorage(pool);
 * const cached = cachedStorage(redis, pg, { prefix: 'myapp:' });
 * const ephemeral = redisStorage(redis, { prefix: 'myapp:' });
 * const storage = composeStorage({
 *   users: cached.users,
 *   accounts: cached.accounts,
 *   passkeys: cached.passkeys,
 *   sessions: cached.sessions,
 *   twoFactor: cached.twoFactor,
 *   audit: cached.audit,
 *   tokens: ephemeral.tokens,
 *   rateLimits: ephemeral.rateLimits,
 *   transactionsFrom: cached, // transactions, and its one-GET sessionWithUser
 * });
 * ```
 */
export function cachedStorage(
  redis: RedisClient,
  inner: Storage,
  options: CachedSessionsOptions = {},
): Storage {
  const keys = keyNames(options.prefix ?? DEFAULT_PREFIX);
  const cache = entryCache<SessionWithUser>(
    redis,
    { entry: keys.cachedPair, user: keys.cachedUserPairs },
    ttlMsOf(options),
    {
      session: (id, now) => inner.sessions.get(id, now),
      load: pairOf(inner),
      sessionOf: (pair) => pair.session,
      // A session left without its user is refused by core; nothing worth keeping.
      cacheable: (pair) => pair.user !== undefined,
    },
  );
  return layer(inner, cache, undefined);
}

/** The ids a transaction wrote, to drop again once it has ended. */
interface Written {
  readonly users: Set<string>;
  readonly sessions: Set<string>;
}

/**
 * The storage `base` wrapped: writes drop copies (and, inside a transaction, are noted in
 * `written`); reads use the cache outside a transaction and go straight to `base` inside one.
 */
function layer(
  base: Storage,
  cache: EntryCache<SessionWithUser>,
  written: Written | undefined,
): Storage {
  const drops = {
    drop: (id: string) => {
      written?.sessions.add(id);
      return cache.drop(id);
    },
    dropUser: (userId: string) => {
      written?.users.add(userId);
      return cache.dropUser(userId);
    },
  };
  // Inside a transaction, reads must see its own writes, which the cache cannot know of.
  const find = written === undefined ? cache.read : pairOf(base);
  const get =
    written === undefined
      ? async (id: string, now: number): Promise<SessionRecord | undefined> => {
          const session = (await cache.read(id, now))?.session;
          if (session === undefined) return undefined;
          if ('previousRefreshHashes' in session) return session as SessionRecord;
          // A pair from a `sessionWithUser` that leaves the replaced refresh hashes out: a
          // cookie session has none (only a rotation replaces one, and it needs a current
          // hash); a jwt session's come from the store.
          if (session.refreshHash === undefined) return { ...session, previousRefreshHashes: [] };
          return base.sessions.get(id, now);
        }
      : (id: string, now: number) => base.sessions.get(id, now);
  const storage: Storage = {
    users: invalidatingUsers(base.users, drops.dropUser),
    sessions: invalidatingSessions(base.sessions, get, drops),
    accounts: base.accounts,
    passkeys: base.passkeys,
    tokens: base.tokens,
    twoFactor: base.twoFactor,
    rateLimits: base.rateLimits,
    audit: base.audit,
    sessionWithUser: find,
  };
  const run = base.transaction?.bind(base);
  if (run === undefined) return Object.freeze(storage);
  return Object.freeze({
    ...storage,
    async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
      // A nested transaction (a savepoint) commits nothing others can read: the outermost
      // one drops what all of them wrote.
      if (written !== undefined) return run((tx) => fn(layer(tx, cache, written)));
      const mine: Written = { users: new Set(), sessions: new Set() };
      const dropAll = () =>
        Promise.all([
          ...[...mine.users].map(cache.dropUser),
          ...[...mine.sessions].map(cache.drop),
        ]);
      let result: T;
      try {
        result = await run((tx) => fn(layer(tx, cache, mine)));
      } catch (error) {
        // Rolled back, or the commit's outcome is unknown (the connection died during COMMIT):
        // drop all the same, since dropping is always safe; the failure is what the caller sees.
        await dropAll().catch(() => undefined);
        throw error;
      }
      await dropAll();
      return result;
    },
  });
}

/** `base`'s session and user: its own `sessionWithUser` when it has one, else two reads. */
function pairOf(base: Storage): (id: string, now: number) => Promise<SessionWithUser | undefined> {
  const joined = base.sessionWithUser?.bind(base);
  if (joined !== undefined) return joined;
  return async (id, now) => {
    const session = await base.sessions.get(id, now);
    return session && { session, user: await base.users.getById(session.userId) };
  };
}

/** `inner` whose writes drop the user's cached pairs afterwards, even when they failed. */
function invalidatingUsers(
  inner: UserStore,
  dropUser: (userId: string) => Promise<void>,
): UserStore {
  const write = async <T>(userId: string, change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } finally {
      await dropUser(userId);
    }
  };
  return {
    // A new user has no sessions, so nothing of it is cached.
    create: (user) => inner.create(user),
    getById: (id) => inner.getById(id),
    getByEmail: (emailNormalized) => inner.getByEmail(emailNormalized),
    getByUsername: (usernameNormalized) => inner.getByUsername(usernameNormalized),
    update: (id, patch) => write(id, () => inner.update(id, patch)),
    advanceTotpStep: (userId, step) => write(userId, () => inner.advanceTotpStep(userId, step)),
    delete: (id) => write(id, () => inner.delete(id)),
    // A page of many users, read rarely (an admin's list): never cached.
    list: (query) => inner.list(query),
  };
}
