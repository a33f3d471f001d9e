import type { Pool, PoolConfig } from 'pg';

/** Options of {@link createPool}. Every time is in milliseconds. */
export interface CreatePoolOptions {
  /**
   * How long to wait for a new connection (TCP, TLS and startup) before failing. Default
   * `5000`. node-postgres's own default, `0`, waits forever: a dead server would hang logins.
   */
  readonly connectionTimeoutMillis?: number;
  /**
   * Client-side limit on one statement, from sending it to its last byte (node-postgres
   * `query_timeout`). Default `10000`. It catches a server or network that stopped answering;
   * the connection is then discarded.
   */
  readonly queryTimeoutMillis?: number;
  /**
   * Server-side limit on one statement (`statement_timeout`): PostgreSQL cancels it and the
   * connection stays usable. Default `5000`, below `queryTimeoutMillis` so the server cancels
   * first. The storage's statements take milliseconds; `migrate` lifts the limit for itself.
   */
  readonly statementTimeoutMillis?: number;
  /**
   * Ends a session whose transaction sits idle this long (`idle_in_transaction_session_timeout`),
   * so a process stuck between two statements does not hold row locks. Default `30000`.
   */
  readonly idleInTransactionTimeoutMillis?: number;
  /** Most connections. Default `10`. */
  readonly max?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, a proxy dropped it).
   * The pool has already discarded it and the next statement opens a new one, so this is for
   * logging. Default: ignore. Without a listener node-postgres would end the process.
   */
  readonly onError?: (error: Error) => void;
  /** Anything else node-postgres accepts (`ssl`, `application_name`, ...); wins over the above. */
  readonly pool?: Omit<PoolConfig, 'connectionString'>;
}

/**
 * A node-postgres `Pool` configured to fail fast, for `postgresStorage` and `migrate`: bounded connection and
 * statement times, and a listener for errors of idle connections. With these, a dead or
 * unreachable server makes each storage call reject within the timeouts, which core reports as
 * `STORAGE_UNAVAILABLE`, and calls work again once the server is back.
 *
 * Resolves once `pg` (an optional peer dependency, loaded on first use) is imported; it does
 * not connect yet. Call `pool.end()` on shutdown.
 *
 * @example
 * ```ts
 * const pool = await createPool(process.env.DATABASE_URL ?? '', { onError: (e) => log.warn(e) });
 * const storage = postgresStorage(pool);
 * ```
 */
export async function createPool(
  connectionString: string,
  options: CreatePoolOptions = {},
): Promise<Pool> {
  // Loaded on use, so that PGlite-only apps need not install `pg`. Its ES module wrapper has
  // the classes both as named exports and on the default export.
  const pg = (await import('pg')) as Partial<typeof import('pg')> & {
    default?: typeof import('pg');
  };
  const PoolClass = pg.Pool ?? pg.default?.Pool;
  if (PoolClass === undefined) throw new Error('createPool: the pg package has no Pool export.');
  const pool = new PoolClass({
    connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    query_timeout: options.queryTimeoutMillis ?? 10_000,
    statement_timeout: options.statementTimeoutMillis ?? 5_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMillis ?? 30_000,
    max: options.max ?? 10,
    keepAlive: true,
    ...options.pool,
  });
  pool.on('error', options.onError ?? (() => {}));
  return pool;
}
