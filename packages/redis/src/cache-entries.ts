import { randomUUID } from 'node:crypto';
import type { LiveSessionRecord } from '@portcullis/core/storage';
import type { RedisClient } from './client.js';
import { commands } from './commands.js';
import { arg } from './context.js';
import { isSessionLive } from './sessions.js';

/** How long a reader holds the right to fill a missing entry, in milliseconds. */
const LEASE_MS = 5000;
/** Lease values start with this; cached copies are JSON objects, so they never do. */
const LEASE = 'lease:';

/** Where a cache of per-session entries reads what it caches. */
export interface EntrySource<T> {
  /** The live session, read first: only its user id is used, to register the entry. */
  session(id: string, now: number): Promise<LiveSessionRecord | undefined>;
  /** The value to cache (and answer), read after the entry is registered with its user. */
  load(id: string, now: number): Promise<T | undefined>;
  /** The session a value is about: its liveness and life left decide the answer and the TTL. */
  sessionOf(value: T): LiveSessionRecord;
  /** Whether a value may be cached at all (a pair without its user is answered, not kept). */
  cacheable(value: T): boolean;
}

/** Where the entries live: one string key per session id, one sorted set per user. */
export interface EntryKeys {
  /** The entry of a session id: the cached JSON value, or a fill lease. */
  entry(id: string): string;
  /** The ids cached for a user, scored by when their copies have certainly expired. */
  user(userId: string): string;
}

/** A cache of one value per session id, with the invalidations writes call. */
export interface EntryCache<T> {
  /** The value for a session live at `now`: one `GET` on a hit, else a guarded fill. */
  read(id: string, now: number): Promise<T | undefined>;
  /** Drops the entry of one session id (its copy or a fill's lease). */
  drop(id: string): Promise<void>;
  /** Drops the entry of every id ever registered for the user. */
  dropUser(userId: string): Promise<void>;
}

/**
 * The machinery shared by `cachedSessions` and `cachedStorage`. A fill never brings back a copy
 * that a write removed in the meantime: the reader takes a lease on the entry (`SET NX`) and
 * fills only if the lease is still there (the `cacheFill` compare-and-set), while every
 * invalidation deletes the entry, lease included. The id is registered in the user's set
 * before the value is read, so an invalidation by user that comes later finds it, and one that
 * came earlier had already written `inner`. Every Redis step touches one key.
 */
export function entryCache<T>(
  redis: RedisClient,
  keys: EntryKeys,
  ttlMs: number,
  source: EntrySource<T>,
): EntryCache<T> {
  const run = commands(redis);
  const release = (key: string, lease: string) => run.cacheFill(key, lease);

  /** Reads `source` while holding `lease`, and fills the entry if no write came in between. */
  const fill = async (id: string, now: number, key: string, lease: string) => {
    const first = await source.session(id, now);
    if (first === undefined) {
      await release(key, lease);
      return undefined;
    }
    // Register the id with its user before reading what gets cached: an invalidation by user
    // whose write ran before the registration is seen by the read below; one that runs after
    // finds the id and deletes the lease (or the copy).
    const hold = `+${LEASE_MS + ttlMs}`;
    await run.indexAdd(keys.user(first.userId), id, hold, arg(LEASE_MS));
    const value = await source.load(id, now);
    const ttl = value === undefined ? 0 : Math.min(ttlMs, lifeLeft(source.sessionOf(value), now));
    if (value === undefined || ttl <= 0 || !source.cacheable(value)) {
      await release(key, lease);
      return value;
    }
    await run.cacheFill(key, lease, JSON.stringify(value), arg(ttl));
    return value;
  };

  return {
    async read(id, now) {
      const key = keys.entry(id);
      const cached = await redis.get(key);
      if (cached !== null && !cached.startsWith(LEASE)) {
        // The copy is the inner record as of its last write, so `now` decides as inner would.
        const value = JSON.parse(cached) as T;
        return isSessionLive(source.sessionOf(value), now) ? value : undefined;
      }
      const lease = `${LEASE}${randomUUID()}`;
      // Someone else holds the lease (or filled it just now): read through without filling.
      if (cached !== null || (await redis.set(key, lease, 'PX', LEASE_MS, 'NX')) === null) {
        return source.load(id, now);
      }
      try {
        return await fill(id, now, key, lease);
      } catch (error) {
        await release(key, lease).catch(() => undefined);
        throw error;
      }
    },

    async drop(id) {
      await redis.del(keys.entry(id));
    },

    async dropUser(userId) {
      // Every id ever cached for the user: entries stay until their copies have expired, and
      // dropping a copy is always safe.
      const ids = await redis.zrange(keys.user(userId), '0', '-1');
      await Promise.all(ids.map((id) => redis.del(keys.entry(id))));
    },
  };
}

/** Milliseconds until the session dies at `now`'s pace. */
function lifeLeft(session: LiveSessionRecord, now: number): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt) - now;
}
