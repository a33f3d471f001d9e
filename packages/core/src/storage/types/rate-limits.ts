/**
 * The outcome of one {@link RateLimitStore.hit}: the count in the current window, including
 * this hit.
 */
export interface RateLimitHit {
  /** Hits in the current window, this one included (denied hits count too). */
  readonly count: number;
  /** `count <= limit`. */
  readonly allowed: boolean;
  /** When the current window ends, epoch ms: its first hit's `now` plus `windowMs`. */
  readonly resetAt: number;
}

/** The state of a window, as {@link RateLimitStore.peek} reads it. */
export interface RateLimitWindow {
  /** Hits counted in the window. */
  readonly count: number;
  /** When the window ends, epoch ms. */
  readonly resetAt: number;
}

/** Options of {@link RateLimitStore.hit}. */
export interface RateLimitHitOptions {
  /** Hits allowed in one window. */
  readonly limit: number;
  /** Length of a window in milliseconds, counted from its first hit. */
  readonly windowMs: number;
  /** Current time, epoch ms. */
  readonly now: number;
  /**
   * Names this hit (a random id, unique per hit) so that {@link RateLimitStore.release} can take
   * it back. Remembered with the window only when the hit is allowed (`count <= limit`): at most
   * `limit` ids per window, whatever an attacker sends. Core names the hits that reserve a
   * secret's check (`loginPerAccount`, `secondFactorPerAccount`).
   */
  readonly id?: string;
}

/**
 * Fixed-window counters and lockouts, per key (core builds keys such as `login:ip:203.0.113.7`).
 * A window is live while `now < resetAt`, a lock while `now < untilMs`.
 */
export interface RateLimitStore {
  /**
   * Counts one hit, atomically and exactly under concurrency (across processes for a shared
   * store: 50 concurrent hits see the counts 1 to 50, each once). If no window is live at `now`,
   * a new one starts with this hit: `count` 1, `resetAt = now + windowMs`. Every hit counts,
   * denied ones too.
   */
  hit(key: string, options: RateLimitHitOptions): Promise<RateLimitHit>;
  /** The window live at `now`, without counting; `undefined` when none is. */
  peek(key: string, now: number): Promise<RateLimitWindow | undefined>;
  /**
   * Takes back the allowed hit named `id` in the window live at `now`: the count drops by one
   * and the id is forgotten (a lock stays). Resolves `true` when it took a hit back, `false`
   * when there was none to take: the hit was never written (its store failed before the write),
   * was denied, was already taken back, or its window ended. Exactly once however many
   * concurrent calls name it, and a hit whose reply was lost can be taken back safely, which a
   * plain decrement could not (issue 16: no counter moves for an answer not given).
   */
  release(key: string, id: string, now: number): Promise<boolean>;
  /** Forgets the key's window and its lock (after a success, or an admin's unlock). */
  reset(key: string): Promise<void>;
  /**
   * Locks the key until `untilMs` (epoch ms), independently of its window: hits and window
   * expiry do not end a lock. A shorter lock never shortens a longer one already in place.
   */
  lock(key: string, options: { readonly untilMs: number }): Promise<void>;
  /** The end of the lock live at `now` (epoch ms), or `undefined` when the key is not locked. */
  lockedUntil(key: string, now: number): Promise<number | undefined>;
}
