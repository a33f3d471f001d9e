/**
 * A deep copy of a stored value. The memory stores copy on the way in and on the way out, as a
 * database would: a caller that mutates a record it passed or received never changes the store.
 */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Dead records of a memory store can be dropped with `purgeExpired(now)`, the counterpart of a
 * TTL or of the PostgreSQL adapter's `purgeExpired()`. It only collects garbage: whether a
 * record is live is always decided by comparing the `now` of each call.
 */
export interface Purgeable {
  /** Drops the records that are dead at `now` (epoch ms). */
  purgeExpired(now: number): void;
}
