import type { AuthEventType } from './types.js';

/**
 * Security events that a client can cause at will, as fast as it can send requests (a
 * cross-site form, a malformed body, a throttled sign-in, a wrong password on a stolen
 * session, someone else's session id). Each is logged at `warn` and kept to a budget per type
 * ({@link createEventBudget}) so that a flood of bad requests cannot flood the log, the
 * listeners or the audit store.
 */
export const BUDGETED_EVENT_TYPES: ReadonlySet<AuthEventType> = new Set<AuthEventType>([
  'login.throttled',
  'reauth.failed',
  'session.foreign_access',
  'trusted_device.foreign_access',
  'request.csrf_refused',
  'request.invalid',
  'oauth.failed',
  'passkey.failed',
]);

/** Events of one budgeted type that may pass per minute, per Auth instance (and the burst). */
export const EVENTS_PER_MINUTE = 60;

/** What {@link EventBudget.take} decided for one event. */
export type BudgetDecision =
  | { readonly admitted: false }
  /** `suppressed`: events of this type dropped since the last admitted one. */
  | { readonly admitted: true; readonly suppressed: number };

/** The per-type event budget of one Auth instance. */
export interface EventBudget {
  /**
   * Spends one event of `type` (an event type, or any key that gets a bucket of its own) at
   * `now` (epoch ms); refused when the bucket is empty.
   */
  take(type: AuthEventType | (string & {}), now: number): BudgetDecision;
}

/**
 * A token bucket per event type, in memory: `perMinute` tokens at most (the burst), refilled
 * continuously at `perMinute` a minute. An event without a token is dropped and counted; the
 * next admitted event of its type reports the count (`data.suppressed`), so the total stays
 * known. Per process: with N processes the log holds up to N times the budget.
 */
export function createEventBudget(options: { perMinute: number }): EventBudget {
  const { perMinute } = options;
  const buckets = new Map<string, { tokens: number; at: number; suppressed: number }>();
  return {
    take(type, now) {
      const bucket = buckets.get(type) ?? { tokens: perMinute, at: now, suppressed: 0 };
      buckets.set(type, bucket);
      // A clock that steps back refills nothing (and takes nothing away).
      const elapsed = Math.max(0, now - bucket.at);
      bucket.tokens = Math.min(perMinute, bucket.tokens + (elapsed * perMinute) / 60_000);
      bucket.at = Math.max(bucket.at, now);
      if (bucket.tokens < 1) {
        bucket.suppressed++;
        return { admitted: false };
      }
      bucket.tokens -= 1;
      const suppressed = bucket.suppressed;
      bucket.suppressed = 0;
      return { admitted: true, suppressed };
    },
  };
}
