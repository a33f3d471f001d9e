/**
 * A deep copy of a stored value. The memory stores copy on the way in and on the way out, as a
 * database would: a caller that mutates a record it passed or received never changes the store.
 */
export function copy<T>(value: T): T {
  // Records are JSON-shaped (strings, numbers, booleans, arrays, plain objects). A direct copy
  // is several times faster than structuredClone, which matters on the session-validation
  // path (two record reads per request).
  return copyJson(value) as T;
}

function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (Object.hasOwn(value, key)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  }
  return out;
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
