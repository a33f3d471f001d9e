import { copy } from '../../../src/storage/memory/copy.js';
import type { SessionWithUser, Storage } from '../../../src/storage/types.js';

/** The flaws a cache in front of `sessionWithUser` may have; none by default. */
export interface CacheFlaws {
  /** A cached session is checked against its idle expiry only. */
  readonly idleOnly?: boolean;
  /** Callers get the cached objects themselves, not copies. */
  readonly shared?: boolean;
  /** Writes that forget to drop the copies, as `store.method`. */
  readonly keepOn?: readonly string[];
  /** A fill is stored even when a write landed while it was reading. */
  readonly unguardedFill?: boolean;
}

const WRITES = {
  users: ['create', 'update', 'advanceTotpStep', 'delete'],
  sessions: ['create', 'touch', 'rotateRefresh', 'markFresh', 'delete', 'deleteByUser'],
} as const;

/**
 * `base` with an in-process read-through cache in front of `sessionWithUser`, the way a Redis
 * cache works: every user or session write drops the copies, a fill is written one round trip
 * after its reads and only if no write happened meanwhile. Without flaws it keeps the contract
 * (the kit test checks that); each flaw breaks one rule.
 */
export function withLookupCache(base: Storage, flaws: CacheFlaws = {}): Storage {
  const cache = new Map<string, SessionWithUser>();
  let writes = 0;

  function wrap<S extends object>(store: S, name: keyof typeof WRITES): S {
    const out: Record<string, unknown> = { ...(store as Record<string, unknown>) };
    for (const method of WRITES[name]) {
      const fn = Reflect.get(store, method) as (...args: unknown[]) => Promise<unknown>;
      out[method] = async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } finally {
          if (!flaws.keepOn?.includes(`${name}.${method}`)) {
            writes += 1;
            cache.clear();
          }
        }
      };
    }
    return out as S;
  }

  const hand = (pair: SessionWithUser) => (flaws.shared ? pair : copy(pair));

  return {
    ...base,
    users: wrap(base.users, 'users'),
    sessions: wrap(base.sessions, 'sessions'),
    async sessionWithUser(id, now) {
      const hit = cache.get(id);
      if (hit !== undefined) {
        const { idleExpiresAt, absoluteExpiresAt } = hit.session;
        const live = now < idleExpiresAt && (flaws.idleOnly === true || now < absoluteExpiresAt);
        return live ? hand(hit) : undefined;
      }
      const seen = writes;
      const session = await base.sessions.get(id, now);
      if (session === undefined) return undefined;
      const pair = { session, user: await base.users.getById(session.userId) };
      // The copy is written one round trip later, as to a remote cache.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (flaws.unguardedFill === true || writes === seen) cache.set(id, pair);
      return hand(pair);
    },
  };
}
