import type { RateLimitStore, RateLimitWindow } from '../types/rate-limits.js';
import type { Purgeable } from './copy.js';

/**
 * The rate-limit store of `memoryStorage()`: one fixed window and one lock per key. `hit`
 * reads and writes without an `await` in between, so counts are exact in one process.
 */
export function memoryRateLimitStore(): RateLimitStore & Purgeable {
  const windows = new Map<string, RateLimitWindow>();
  const locks = new Map<string, number>();

  return {
    async hit(key, { limit, windowMs, now }) {
      const current = windows.get(key);
      // A window ends at resetAt; the first hit at or after it starts a new one.
      const next =
        current !== undefined && now < current.resetAt
          ? { count: current.count + 1, resetAt: current.resetAt }
          : { count: 1, resetAt: now + windowMs };
      windows.set(key, next);
      return { ...next, allowed: next.count <= limit };
    },

    async peek(key, now) {
      const current = windows.get(key);
      return current !== undefined && now < current.resetAt ? { ...current } : undefined;
    },

    async reset(key) {
      windows.delete(key);
      locks.delete(key);
    },

    async lock(key, { untilMs }) {
      locks.set(key, Math.max(locks.get(key) ?? Number.NEGATIVE_INFINITY, untilMs));
    },

    async lockedUntil(key, now) {
      const until = locks.get(key);
      return until !== undefined && now < until ? until : undefined;
    },

    purgeExpired(now) {
      for (const [key, w] of windows) if (now >= w.resetAt) windows.delete(key);
      for (const [key, until] of locks) if (now >= until) locks.delete(key);
    },
  };
}
