/**
 * SQL fragments shared by the stores. Times cross the wire as epoch milliseconds (numbers)
 * and are stored as `timestamptz`; both conversions are exact for every millisecond a JS
 * `Date` can hold, and neither depends on the driver's type parsers or the session time zone.
 */

/** `timestamptz` from the epoch-ms parameter `$n` (integer microseconds, no float rounding). */
export function ts(n: number): string {
  return `(timestamptz 'epoch' + $${n}::bigint * interval '1 millisecond')`;
}

/**
 * Epoch ms of a `timestamptz` column as `float8`, which every driver returns as a JS number
 * (`NULL` stays `NULL`). `extract` is exact (`numeric`) from PostgreSQL 14 on; `round` keeps
 * older servers exact too.
 */
export function ms(column: string, as: string): string {
  return `round(extract(epoch from ${column}) * 1000)::float8 AS ${as}`;
}

/** A `jsonb` or array expression as JSON text, parsed in JS whatever the driver's parsers. */
export function json(expression: string, as: string): string {
  return `to_json(${expression})::text AS ${as}`;
}

/** Parses JSON text selected with {@link json}; `undefined` for SQL `NULL`. */
export function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** SQLSTATE `unique_violation`: the driver's error for a duplicate key. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && Reflect.get(error, 'code') === '23505';
}

/** `{ [key]: value }`, or `{}` when the column was NULL: SQL NULL is an absent optional field. */
export function opt<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  // A computed key always gives `{ [x: string]: V }`; this is the one-key object of K.
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}
