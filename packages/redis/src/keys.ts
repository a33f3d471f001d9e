/** The key prefix when none is configured. */
export const DEFAULT_PREFIX = 'portcullis:';

/**
 * The names of every key the stores use, under one prefix. Each atomic step touches exactly one
 * of them, so they need no hash tags on Redis Cluster: a session is found by its id, a token by
 * its purpose and selector, a counter by its key, and each lands in its own slot.
 */
export interface KeyNames {
  /** Hash of one session. */
  session(id: string): string;
  /** Sorted set of a user's session ids, scored by their absolute expiry. */
  userSessions(userId: string): string;
  /** Hash of one one-time token. */
  token(purpose: string, selector: string): string;
  /** Sorted set of a user's tokens (`["purpose","selector"]`), scored by their expiry. */
  userTokens(userId: string): string;
  /** Hash of one rate-limit key: its window and its lock. */
  rateLimit(key: string): string;
  /** String: a cached copy of another store's session (or a fill lease). */
  cachedSession(id: string): string;
  /** Sorted set of the session ids cached for a user, scored by when their copies expire. */
  cachedUserSessions(userId: string): string;
  /** String: a cached copy of another storage's session with its user (or a fill lease). */
  cachedPair(id: string): string;
  /** Sorted set of the session ids whose pairs are cached for a user, scored like the above. */
  cachedUserPairs(userId: string): string;
}

/** The key names under `prefix`. */
export function keyNames(prefix: string = DEFAULT_PREFIX): KeyNames {
  return {
    session: (id) => `${prefix}session:${id}`,
    userSessions: (userId) => `${prefix}user-sessions:${userId}`,
    // The purpose is encoded, so `:` inside it cannot make two pairs share a key.
    token: (purpose, selector) => `${prefix}token:${encodeURIComponent(purpose)}:${selector}`,
    userTokens: (userId) => `${prefix}user-tokens:${userId}`,
    rateLimit: (key) => `${prefix}rate:${key}`,
    cachedSession: (id) => `${prefix}cache:session:${id}`,
    cachedUserSessions: (userId) => `${prefix}cache:user-sessions:${userId}`,
    cachedPair: (id) => `${prefix}cache:pair:${id}`,
    cachedUserPairs: (userId) => `${prefix}cache:user-pairs:${userId}`,
  };
}
