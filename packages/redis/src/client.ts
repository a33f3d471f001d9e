import type { Cluster } from 'ioredis';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * The client the Redis stores run on: an ioredis `Redis` (one server, or Sentinel) or an ioredis
 * `Cluster`. Every atomic step touches one key, so a Cluster needs no hash tags.
 */
export type RedisClient = Redis | Cluster;

/** Options of {@link createRedis}. */
export interface CreateRedisOptions {
  /**
   * How long to wait for a connection, in milliseconds: each TCP connection attempt (ioredis's
   * `connectTimeout`, which waits 10 s by default) and, in {@link createRedis}, the whole first
   * connection up to ready. Default 2000.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long one command may wait for its reply before it rejects with `Command timed out`, in
   * milliseconds. Default 2000. Bounds a call when the server is alive but stuck (or a network
   * path drops packets without closing the connection). ioredis waits forever by default.
   */
  readonly commandTimeoutMs?: number;
  /**
   * The longest wait between two reconnection attempts after the connection is lost, in
   * milliseconds. Default 250. Attempts start 50 ms after the loss and double (50, 100, 200)
   * up to this cap, so calls work again at most about this long (plus one connection) after
   * the server is back. ioredis's own backoff doubles up to 5 s, and the first success came
   * 2 s or more after a restart (issue 16). It does not hammer a dead server: one process
   * makes at most 1000 / `reconnectMaxDelayMs` attempts a second (see docs/redis.md,
   * "Reconnection"). A `retryStrategy` in `redis` replaces it.
   */
  readonly reconnectMaxDelayMs?: number;
  /**
   * Called with each connection error the client reports once it is connected (a dropped
   * connection, each failed reconnection attempt). Default: ignore them; the calls made while
   * Redis is unreachable reject, and core reports those as `STORAGE_UNAVAILABLE`. Without any
   * listener ioredis would print each one as an "Unhandled error event".
   */
  readonly onError?: (error: Error) => void;
  /**
   * Other ioredis options (TLS, password, `enableAutoPipelining`, ...), applied last, so they
   * may also override the fail-fast defaults. Use with care.
   */
  readonly redis?: RedisOptions;
}

/** The ioredis options {@link failFastOptions} sets. */
export type FailFastOptions = Required<
  Pick<
    RedisOptions,
    | 'enableOfflineQueue'
    | 'maxRetriesPerRequest'
    | 'autoResendUnfulfilledCommands'
    | 'connectTimeout'
    | 'commandTimeout'
  >
>;

/**
 * The ioredis options that make a dead or unreachable server fail fast instead of queueing
 * commands until it returns. {@link createRedis} uses them; pass them yourself to a client you
 * build (`new Cluster(nodes, { enableOfflineQueue: false, redisOptions: failFastOptions() })`).
 * - `enableOfflineQueue: false`: a command sent while disconnected rejects at once (ioredis
 *   otherwise holds it until the connection is back, so a login would hang).
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight
 *   when the connection drops rejects; it is never sent again after a reconnect, because it may
 *   already have run (a refresh rotation replayed after it succeeded would answer `reused` and
 *   revoke the session; a rate-limit hit would count twice).
 * - `connectTimeout` and `commandTimeout`: see {@link CreateRedisOptions}.
 * - Reconnection is left to the client you build (ioredis's default backoff doubles up to 5 s
 *   apart; {@link createRedis} sets a shorter one, `reconnectMaxDelayMs`). It is not set
 *   here so that spreading these options after your own `retryStrategy` keeps yours.
 */
export function failFastOptions(
  options: Pick<CreateRedisOptions, 'connectTimeoutMs' | 'commandTimeoutMs'> = {},
): FailFastOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
  };
}

/**
 * The `retryStrategy` {@link createRedis} gives ioredis: the wait before reconnection attempt
 * `times` (counted from 1 since the connection was lost), 50, 100, 200 ms and then
 * `maxDelayMs` each time. Calls then work again within about `maxDelayMs` (plus one connection)
 * after the server is back: with ioredis's default, which doubles up to 5 s, the first success
 * came 2 s or more after a restart (issue 16).
 *
 * A short cap does not hammer a dead server: each process holds one connection, so the server
 * sees at most 1000 / `maxDelayMs` attempts a second per process (four at the default; a refused
 * one costs a SYN and a RST), and against a server that accepts but never answers each attempt
 * first waits out `connectTimeout`. No jitter: attempts this cheap need no spreading, and it
 * would only delay the recovery.
 */
function reconnectDelay(maxDelayMs: number): (times: number) => number {
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) {
    throw new RangeError('reconnectMaxDelayMs must be a finite number of at least 0.');
  }
  return (times) => Math.min(25 * 2 ** Math.min(times, 10), maxDelayMs);
}

/**
 * Connects an ioredis client with fail-fast options ({@link failFastOptions}) and a reconnection
 * backoff capped at `reconnectMaxDelayMs` (50, 100, 200 ms, then 250 ms apart by default), and
 * resolves once it is ready. With the offline queue off, commands sent before the connection is
 * ready would reject, which is why this waits for it.
 *
 * @param url A Redis URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS.
 * @throws RangeError when `reconnectMaxDelayMs` is not a finite number of at least 0.
 * @throws The connection error when the server cannot be reached, or `Error('Redis was not
 * ready within … ms.')` when it is not ready within `connectTimeoutMs` (a server that accepts
 * the connection but never answers). The client is then disconnected, with no retry left.
 *
 * @example
 * ```ts
 * const redis = await createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const { sessions, tokens, rateLimits } = redisStorage(redis);
 * ```
 */
export async function createRedis(url: string, options: CreateRedisOptions = {}): Promise<Redis> {
  const settings = {
    ...failFastOptions(options),
    retryStrategy: reconnectDelay(options.reconnectMaxDelayMs ?? 250),
    ...options.redis,
    lazyConnect: true,
  };
  // The default reply mapping: the stores read replies in ioredis's classic shapes.
  const client = new Redis(url, settings as RedisOptions & { replyMapping?: 'legacy' });
  // The failure reaches the caller as the rejection (the socket's error when there was one,
  // rather than ioredis's "Connection is closed."); without a listener ioredis would also print
  // it as an unhandled 'error' event.
  let socketError: unknown;
  const onError = (error: unknown) => {
    socketError = error;
  };
  client.on('error', onError);
  // connectTimeout covers the TCP connection only; this also bounds the handshake after it,
  // without waiting for the socket to close (a frozen server never acknowledges that).
  const limitMs = settings.connectTimeout ?? 2000;
  const connecting = client.connect();
  let deadline: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    deadline = setTimeout(() => {
      reject(new Error(`Redis was not ready within ${limitMs} ms.`, { cause: socketError }));
    }, limitMs);
  });
  try {
    await Promise.race([connecting, late]);
    client.off('error', onError);
    client.on('error', options.onError ?? (() => undefined));
    return client;
  } catch (error) {
    // The listener stays: the discarded client may still report its handshake's end.
    connecting.catch(() => undefined);
    client.disconnect();
    throw socketError ?? error;
  } finally {
    clearTimeout(deadline);
  }
}
