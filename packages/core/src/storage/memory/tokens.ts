import type { OneTimeTokenRecord, TokenStore } from '../types/tokens.js';
import { copy, type Purgeable } from './copy.js';

/** `(purpose, selector)` as one map key; JSON keeps any two pairs apart. */
const keyOf = (purpose: string, selector: string) => JSON.stringify([purpose, selector]);

/**
 * The one-time tokens store of `memoryStorage()`. `consume` and `recordFailure` read and write
 * without an `await` in between, so each is atomic in one process.
 */
export function memoryTokenStore(): TokenStore & Purgeable {
  const byKey = new Map<string, OneTimeTokenRecord>();

  return {
    async create(token) {
      const key = keyOf(token.purpose, token.selector);
      if (byKey.has(key)) return 'conflict';
      byKey.set(key, copy(token));
      return 'created';
    },

    async consume(purpose, selector, { verifierHash, now }) {
      const key = keyOf(purpose, selector);
      const token = byKey.get(key);
      // A wrong verifier leaves the token alone, so guessing cannot burn someone's link.
      if (token === undefined || token.verifierHash !== verifierHash)
        return { status: 'not_found' };
      byKey.delete(key);
      return now < token.expiresAt ? { status: 'ok', record: copy(token) } : { status: 'expired' };
    },

    async recordFailure(purpose, selector, { maxAttempts }) {
      const key = keyOf(purpose, selector);
      const token = byKey.get(key);
      if (token === undefined) return 0;
      const attempts = token.attempts + 1;
      if (attempts >= maxAttempts) {
        byKey.delete(key);
        return 0;
      }
      byKey.set(key, { ...token, attempts });
      return maxAttempts - attempts;
    },

    async get(purpose, selector, now) {
      const token = byKey.get(keyOf(purpose, selector));
      return token !== undefined && now < token.expiresAt ? copy(token) : undefined;
    },

    async delete(purpose, selector) {
      byKey.delete(keyOf(purpose, selector));
    },

    async deleteByUser(userId, options = {}) {
      for (const [key, token] of byKey) {
        // A token of no user (userId absent) is never one of them.
        if (token.userId !== userId) continue;
        if (options.purpose === undefined || token.purpose === options.purpose) byKey.delete(key);
      }
    },

    purgeExpired(now) {
      for (const [key, token] of byKey) if (now >= token.expiresAt) byKey.delete(key);
    },
  };
}
