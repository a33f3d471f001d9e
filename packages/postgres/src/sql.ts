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

/**
 * A `bigint` column as text, which every driver returns as a string: exact whatever the
 * driver's `int8` parser, and unlike `float8` (whose text form has 15 significant digits when
 * `extra_float_digits` is 0, the default before PostgreSQL 12) never rounded. Read it with
 * {@link int}.
 */
export function int8(column: string, as: string): string {
  return `${column}::text AS ${as}`;
}

/**
 * The number of a `bigint` selected with {@link int8}, or of one that came as a JSON number
 * (`row_to_json`): exact for every safe integer.
 */
export function int(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/**
 * A credential generation as a `bigint` parameter (`$n::bigint`): its decimal text, exact for
 * every safe integer. A record without one (written by code that predates generations) gets
 * 0, the generation core's `generationOf` reads for it.
 */
export function generationParam(generation: number | undefined): string {
  return String(generation ?? 0);
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
