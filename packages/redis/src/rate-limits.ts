import type { RateLimitStore } from '@portcullis/core/storage';
import { arg, num, type StoreContext } from './context.js';

/**
 * Rate limits over Redis: one hash per key, `rate:<key>`, holding the window (`count`, `reset`),
 * the ids of its allowed named hits (a field `i:<id>` each) and the lock (`lock`), collected a
 * grace period after the later of the window's and the lock's end. `hit`, `release` and `lock`
 * are one Lua script each; the window ends when `now` reaches `reset`, never by TTL (`INCR` +
 * `PEXPIRE` would let Redis's clock decide). A new window drops the previous window's ids.
 */
export function redisRateLimitStore({ client, run, keys, graceMs }: StoreContext): RateLimitStore {
  return {
    async hit(key, { limit, windowMs, now, id }) {
      const reply = await run.rateHit(
        keys.rateLimit(key),
        arg(now),
        arg(now + windowMs),
        arg(graceMs),
        arg(limit),
        ...(id === undefined ? [] : [id]),
      );
      const [count, resetAt] = (reply as [number | string, string]).map(Number) as [number, number];
      return { count, allowed: count <= limit, resetAt };
    },

    async peek(key, now) {
      const [count, reset] = await client.hmget(keys.rateLimit(key), 'count', 'reset');
      const resetAt = num(reset);
      if (resetAt === undefined || now >= resetAt) return undefined;
      return { count: num(count) ?? 0, resetAt };
    },

    async release(key, id, now) {
      // One script: the HDEL of `i:<id>` succeeds for exactly one caller, whatever the process.
      return (await run.rateRelease(keys.rateLimit(key), arg(now), id)) === 1;
    },

    async reset(key) {
      await client.del(keys.rateLimit(key));
    },

    async lock(key, { untilMs }) {
      await run.rateLock(keys.rateLimit(key), arg(untilMs), arg(graceMs));
    },

    async lockedUntil(key, now) {
      const until = num(await client.hget(keys.rateLimit(key), 'lock'));
      return until !== undefined && now < until ? until : undefined;
    },
  };
}
