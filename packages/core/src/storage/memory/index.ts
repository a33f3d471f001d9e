import type { Storage } from '../types.js';
import { memoryAccountStore } from './accounts.js';
import { memoryAuditStore } from './audit.js';
import type { Purgeable } from './copy.js';
import { memoryPasskeyStore } from './passkeys.js';
import { memoryRateLimitStore } from './rate-limits.js';
import { memorySessionStore } from './sessions.js';
import { memoryTokenStore } from './tokens.js';
import { memoryTwoFactorStore } from './two-factor.js';
import { memoryUserStore } from './users.js';

/** A {@link Storage} held in this process's memory, with a way to drop dead records. */
export interface MemoryStorage extends Storage, Purgeable {}

/**
 * Storage in this process's memory: for tests, development and single-process apps. Everything
 * is lost on restart, and nothing is shared between processes (use PostgreSQL and Redis for
 * that). Every compare-and-set runs without an `await` inside, so the contract's atomicity
 * holds within the process; records are copied in and out. It has no `transaction`.
 *
 * Dead sessions, tokens, trusted devices and rate-limit windows stay in memory until
 * `purgeExpired(now)` drops them; call it now and then in a long-running process.
 *
 * @example
 * ```ts
 * const auth = createAuth({ storage: memoryStorage(), ... });
 * ```
 */
export function memoryStorage(): MemoryStorage {
  const sessions = memorySessionStore();
  const tokens = memoryTokenStore();
  const twoFactor = memoryTwoFactorStore();
  const rateLimits = memoryRateLimitStore();
  const users = memoryUserStore();
  return {
    users,
    accounts: memoryAccountStore(),
    passkeys: memoryPasskeyStore(),
    sessions,
    tokens,
    twoFactor,
    rateLimits,
    audit: memoryAuditStore(),
    async sessionWithUser(id, now) {
      const session = await sessions.get(id, now);
      return session === undefined
        ? undefined
        : { session, user: await users.getById(session.userId) };
    },
    purgeExpired(now) {
      sessions.purgeExpired(now);
      tokens.purgeExpired(now);
      twoFactor.purgeExpired(now);
      rateLimits.purgeExpired(now);
    },
  };
}
