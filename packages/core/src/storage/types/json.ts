/** A JSON value, as stores keep `metadata` and `payload` fields: no functions, dates or `undefined`. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. Stores return it as stored: same keys, same values, a fresh copy. */
export type JsonObject = { readonly [key: string]: JsonValue };
