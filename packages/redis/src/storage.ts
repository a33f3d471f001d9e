import type { StorageStores } from '@portcullis/core/storage';
import type { RedisClient } from './client.js';
import { commands } from './commands.js';
import { DEFAULT_PREFIX, keyNames } from './keys.js';
import { redisRateLimitStore } from './rate-limits.js';
import { redisSessionStore } from './sessions.js';
import { redisTokenStore } from './tokens.js';

/** Options of {@link redisStorage}. */
export interface RedisStorageOptions {
  /**
   * Prepended to every key. Default `portcullis:`. Give each app (or each test run) its own
   * prefix to share one Redis database. Keep `{` and `}` out of it: on Redis Cluster a hash tag in
   * the prefix would put every key in one slot.
   */
  readonly prefix?: string;
  /**
   * How long after a record's own expiry Redis may delete it, in seconds (each key gets
   * `PEXPIREAT` at its expiry plus this). Default 300. TTLs only collect garbage: whether a record
   * is live is always decided by the `now` core passes in, so this only has to exceed the clock
   * difference between your app servers and Redis.
   */
  readonly ttlGraceSeconds?: number;
}

/** The ephemeral stores of a `Storage`, over Redis. Combine them with `composeStorage`. */
export type RedisStorage = Pick<StorageStores, 'sessions' | 'tokens' | 'rateLimits'>;

/**
 * Sessions, one-time tokens (links, codes, second-factor challenges) and rate limits over Redis,
 * for `composeStorage` next to a store of users (PostgreSQL, say). Every atomic step of the
 * contract (touch, refresh rotation, consume, recordFailure, hit, lock) is one Lua script on one
 * key, so it is exact across processes and works on Redis Cluster without hash tags. See
 * `docs/redis.md` for the keys, the scripts and their guarantees.
 *
 * The scripts are added to `redis` as ioredis commands named `portcullis_*`. Requires Redis 6.2
 * or later (or Valkey). Errors of the client (a dead server, a timeout) reject the call; core
 * turns them into `STORAGE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const redis = await createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const { sessions, tokens, rateLimits } = redisStorage(redis, { prefix: 'myapp:' });
 * const storage = composeStorage({ ...pg, sessions, tokens, rateLimits, transactionsFrom: pg });
 * ```
 */
export function redisStorage(redis: RedisClient, options: RedisStorageOptions = {}): RedisStorage {
  const context = {
    client: redis,
    run: commands(redis),
    keys: keyNames(options.prefix ?? DEFAULT_PREFIX),
    graceMs: Math.round((options.ttlGraceSeconds ?? 300) * 1000),
  };
  return Object.freeze({
    sessions: redisSessionStore(context),
    tokens: redisTokenStore(context),
    rateLimits: redisRateLimitStore(context),
  });
}
