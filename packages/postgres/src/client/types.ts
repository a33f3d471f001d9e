/** What one statement returns: its rows and how many rows it touched. */
export interface SqlResult<R> {
  /** The rows the statement returned (`SELECT`, or `RETURNING`). */
  readonly rows: R[];
  /** Rows returned, inserted, updated or deleted, as the command tag reports them. */
  readonly rowCount: number;
}

/** Options of one {@link SqlQueryable.query} call. */
export interface QueryOptions {
  /**
   * A name for the statement. A driver that supports it (node-postgres, {@link fromPool})
   * prepares the statement once per connection under this name and reuses its plan on every
   * later call, instead of parsing and planning it each time; others ignore it (PGlite,
   * {@link fromPGlite}). One name must always stand for the same text: on one connection,
   * node-postgres refuses a known name with a different text.
   */
  readonly name?: string;
}

/**
 * A connection that runs statements: the root client, or one transaction of it. The storage
 * only ever talks to PostgreSQL through this, so a node-postgres `Pool` ({@link fromPool}),
 * PGlite ({@link fromPGlite}) or any driver you wrap yourself works the same.
 */
export interface SqlQueryable {
  /**
   * Runs one statement with `$1`-style parameters (extended protocol). Rejects with the
   * driver's error (its `code` is the SQLSTATE, such as `23505`) when the statement or the
   * connection fails. `options.name` asks for a named (prepared) statement, where the driver
   * supports it.
   */
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<SqlResult<R>>;
  /** Runs a script of several statements without parameters (simple protocol): migrations. */
  exec(script: string): Promise<void>;
}

/** One transaction of a {@link SqlClient}: statements run inside it, on one connection. */
export type SqlTransaction = SqlQueryable;

/** A client that can also open transactions. */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `fn` in one transaction on one connection: `BEGIN`, then `COMMIT` when `fn`
   * resolves, `ROLLBACK` (and the rejection rethrown) when it rejects. If the connection dies
   * on the way, the promise rejects and PostgreSQL discards the whole transaction.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}
