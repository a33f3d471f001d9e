import type { SessionRecord, SessionStore } from '@portcullis/core/storage';
import { type EntryCache, entryCache } from './cache-entries.js';
import type { RedisClient } from './client.js';
import { DEFAULT_PREFIX, keyNames } from './keys.js';

/** Options of {@link cachedSessions} and {@link cachedStorage}. */
export interface CachedSessionsOptions {
  /**
   * Prepended to the cache's keys. Default `portcullis:` (the keys start `portcullis:cache:`).
   * Use the same prefix in every process that shares the cache.
   */
  readonly prefix?: string;
  /**
   * Longest time a copy stays cached, in seconds. Default 60. A copy never outlives the session
   * (its TTL is also capped at the session's remaining life), and every write through the
   * cache removes it at once; the TTL only bounds how long a copy could outlive a write made
   * behind the cache's back (directly on the inner store, or when Redis failed during
   * invalidation).
   */
  readonly ttlSeconds?: number;
}

/** The longest life of a copy, in milliseconds. */
export const ttlMsOf = (options: CachedSessionsOptions): number =>
  Math.round((options.ttlSeconds ?? 60) * 1000);

/**
 * A read-through cache of another store's sessions (PostgreSQL, say) in Redis: `get` costs one
 * `GET` when the session is cached. It caches sessions only, so core still reads the user from
 * the users store on every validation (two round trips in all); {@link cachedStorage} caches
 * the session with its user, for validation in one `GET`.
 *
 * `get` answers from Redis when it can and otherwise reads `inner` and fills the cache; every
 * write (`create`, `touch`, `rotateRefresh`, `markFresh`, `delete`, `deleteByUser`) goes to
 * `inner` first and then removes the cached copy, so a session revoked through any process is
 * refused at once by every other. `listByUser` reads `inner`.
 *
 * A fill never brings back a copy that a write removed in the meantime: the reader first takes
 * a lease on the entry (`SET NX`), and fills only if the lease is still there (a Lua
 * compare-and-set), while every invalidation deletes the entry, lease included. The user's set
 * of cached ids is written before the copy and the session is read again after it, so
 * `deleteByUser` finds every copy. Every Redis step touches one key (Cluster-safe). Redis
 * errors reject the call (core answers `STORAGE_UNAVAILABLE`); the cache never falls back to
 * `inner` silently.
 *
 * @example
 * ```ts
 * const pg = postgresStorage(pool);
 * const storage = composeStorage({
 *   users: pg.users,
 *   accounts: pg.accounts,
 *   passkeys: pg.passkeys,
 *   twoFactor: pg.twoFactor,
 *   audit: pg.audit,
 *   tokens: pg.tokens,
 *   rateLimits: pg.rateLimits,
 *   sessions: cachedSessions(redis, pg.sessions),
 *   transactionsFrom: pg,
 * });
 * ```
 */
export function cachedSessions(
  redis: RedisClient,
  inner: SessionStore,
  options: CachedSessionsOptions = {},
): SessionStore {
  const keys = keyNames(options.prefix ?? DEFAULT_PREFIX);
  const cache = entryCache<SessionRecord>(
    redis,
    { entry: keys.cachedSession, user: keys.cachedUserSessions },
    ttlMsOf(options),
    {
      session: (id, now) => inner.get(id, now),
      load: (id, now) => inner.get(id, now),
      sessionOf: (session) => session,
      cacheable: () => true,
    },
  );
  return invalidatingSessions(inner, cache.read, cache);
}

/** How a session store in front of a cache drops copies after its writes. */
export type Invalidations = Pick<EntryCache<unknown>, 'drop' | 'dropUser'>;

/**
 * `inner` with `get` answered by `read`, and every write followed by the invalidation of the
 * copies it may have changed, even when the write failed half-way.
 */
export function invalidatingSessions(
  inner: SessionStore,
  read: (id: string, now: number) => Promise<SessionRecord | undefined>,
  drops: Invalidations,
): SessionStore {
  const write = async <T>(id: string, change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } finally {
      await drops.drop(id);
    }
  };

  return {
    get: read,
    create: (session) => write(session.id, () => inner.create(session)),
    touch: (id, options) => write(id, () => inner.touch(id, options)),
    rotateRefresh: (id, options) => write(id, () => inner.rotateRefresh(id, options)),
    markFresh: (id, options) => write(id, () => inner.markFresh(id, options)),
    delete: (id) => write(id, () => inner.delete(id)),
    listByUser: (userId, now) => inner.listByUser(userId, now),

    async deleteByUser(userId, options = {}) {
      try {
        await inner.deleteByUser(userId, options);
      } finally {
        // The kept session's copy goes too: dropping a copy is always safe.
        await drops.dropUser(userId);
      }
    },
  };
}
