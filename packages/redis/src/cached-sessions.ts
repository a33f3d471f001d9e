import { randomUUID } from 'node:crypto';
import type { SessionRecord, SessionStore } from '@portcullis/core';
import type { RedisClient } from './client.js';
import { commands } from './commands.js';
import { arg } from './context.js';
import { DEFAULT_PREFIX, keyNames } from './keys.js';
import { isSessionLive } from './sessions.js';

/** Options of {@link cachedSessions}. */
export interface CachedSessionsOptions {
  /** Prepended to the cache's keys. Default `portcullis:` (the keys start `portcullis:cache:`). */
  readonly prefix?: string;
  /**
   * Longest time a copy stays cached, in seconds. Default 60. A copy never outlives the session
   * (its TTL is also capped at the session's remaining life), and every write through this store
   * removes it at once; the TTL only bounds how long a copy could outlive a write made behind
   * the cache's back (directly on the inner store, or when Redis failed during invalidation).
   */
  readonly ttlSeconds?: number;
}

/** How long a reader holds the right to fill a missing entry, in milliseconds. */
const LEASE_MS = 5000;
/** Lease values start with this; cached copies are JSON objects, so they never do. */
const LEASE = 'lease:';

/**
 * A read-through cache of another store's sessions (PostgreSQL, say) in Redis, so that
 * validating a session costs one `GET`. `get` answers from Redis when it can and otherwise reads
 * `inner` and fills the cache; every write (`create`, `touch`, `rotateRefresh`, `markFresh`,
 * `delete`, `deleteByUser`) goes to `inner` first and then removes the cached copy, so a session
 * revoked through any process is refused at once by every other. `listByUser` reads `inner`.
 *
 * A fill never brings back a copy that a write removed in the meantime: the reader first takes
 * a lease on the entry (`SET NX`), and fills only if the lease is still there (a Lua
 * compare-and-set), while every invalidation deletes the entry, lease included. The user's set
 * of cached ids is written before the copy and the session is read again after it, so
 * `deleteByUser` finds every copy. Every Redis step touches one key (Cluster-safe).
 *
 * @example
 * ```ts
 * const pg = postgresStorage(pool);
 * const storage = composeStorage({
 *   users: pg.users,
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
  const run = commands(redis);
  const ttlMs = Math.round((options.ttlSeconds ?? 60) * 1000);

  const invalidate = async (id: string) => {
    await redis.del(keys.cachedSession(id));
  };
  /** Runs a write on `inner`, then drops the copy, even when the write failed half-way. */
  const write = async <T>(id: string, change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } finally {
      await invalidate(id);
    }
  };

  /** Reads `inner` while holding `lease`, and fills the entry if no write came in between. */
  const fill = async (id: string, now: number, lease: string) => {
    const key = keys.cachedSession(id);
    const found = await inner.get(id, now);
    if (found === undefined) return release(key, lease, undefined);
    // Register the id with its user before the copy exists, then read again: a deleteByUser
    // that ran before the registration has already deleted in `inner`, so the second read sees
    // it; one that runs after finds the id and deletes the lease or the copy.
    const hold = `+${LEASE_MS + ttlMs}`;
    await run.indexAdd(keys.cachedUserSessions(found.userId), id, hold, arg(LEASE_MS));
    const session = await inner.get(id, now);
    const ttl = session === undefined ? 0 : Math.min(ttlMs, lifeLeft(session, now));
    if (session === undefined || ttl <= 0) return release(key, lease, session);
    await run.cacheFill(key, lease, JSON.stringify(session), arg(ttl));
    return session;
  };
  const release = async (key: string, lease: string, answer: SessionRecord | undefined) => {
    await run.cacheFill(key, lease);
    return answer;
  };

  return {
    async get(id, now) {
      const key = keys.cachedSession(id);
      const cached = await redis.get(key);
      if (cached !== null && !cached.startsWith(LEASE)) {
        // The copy is the inner record as of its last write, so `now` decides as inner would.
        const session = JSON.parse(cached) as SessionRecord;
        return isSessionLive(session, now) ? session : undefined;
      }
      const lease = `${LEASE}${randomUUID()}`;
      // Someone else holds the lease (or filled it just now): read through without filling.
      if (cached !== null || (await redis.set(key, lease, 'PX', LEASE_MS, 'NX')) === null) {
        return inner.get(id, now);
      }
      try {
        return await fill(id, now, lease);
      } catch (error) {
        await run.cacheFill(key, lease).catch(() => undefined);
        throw error;
      }
    },

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
        // Every id ever cached for the user (entries stay until their copies have expired),
        // the kept one too: dropping a copy is always safe.
        const ids = await redis.zrange(keys.cachedUserSessions(userId), '0', '-1');
        await Promise.all(ids.map(invalidate));
      }
    },
  };
}

/** Milliseconds until the session dies at `now`'s pace. */
function lifeLeft(session: SessionRecord, now: number): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt) - now;
}
