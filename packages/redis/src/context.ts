import type { RedisClient } from './client.js';
import type { Commands } from './commands.js';
import type { KeyNames } from './keys.js';

/** What every store is built from: the client, its scripts, the key names, the TTL grace. */
export interface StoreContext {
  readonly client: RedisClient;
  readonly run: Commands;
  readonly keys: KeyNames;
  /** Milliseconds Redis keeps a record after its own expiry before collecting it. */
  readonly graceMs: number;
}

/** Epoch ms (or any integer) as a script argument. */
export const arg = (n: number): string => String(n);

/** A number read from Redis, where a missing field reads as `undefined`. */
export function num(value: string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}
