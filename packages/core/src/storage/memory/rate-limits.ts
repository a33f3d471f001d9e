import type { RateLimitStore } from '../types/rate-limits.js';
import type { Purgeable } from './copy.js';

/**
 * The rate-limit store of `memoryStorage()`: one fixed window and one lock per key. `hit`
 * reads and writes without an `await` in between, so counts are exact in one process.
 */
export function memoryRateLimitStore(): RateLimitStore & Purgeable {
  // `ids`: the named hits of the window that were allowed (release() takes them back).
  const windows = new Map<string, { count: number; resetAt: number; ids: Set<string> }>();
  const locks = new Map<string, number>();

  return {
    async hit(key, { limit, windowMs, now, id }) {
      let window = windows.get(key);
      // A window ends at resetAt; the first hit at or after it starts a new one.
      if (window !== undefined && now < window.resetAt) window.count += 1;
      else {
        window = { count: 1, resetAt: now + windowMs, ids: new Set() };
        windows.set(key, window);
      }
      const allowed = window.count <= limit;
      if (allowed && id !== undefined) window.ids.add(id);
      return { count: window.count, allowed, resetAt: window.resetAt };
    },

    async peek(key, now) {
      const window = windows.get(key);
      return window !== undefined && now < window.resetAt
        ? { count: window.count, resetAt: window.resetAt }
        : undefined;
    },

    async release(key, id, now) {
      const window = windows.get(key);
      if (window === undefined || now >= window.resetAt || !window.ids.delete(id)) return false;
      window.count -= 1;
      return true;
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
