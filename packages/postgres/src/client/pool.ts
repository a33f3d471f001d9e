import type { QueryOptions, SqlClient, SqlQueryable, SqlResult } from './types.js';

/** The result of a node-postgres query, as {@link fromPool} reads it. */
export interface PgResultLike {
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

/** A named statement, as node-postgres takes it (`QueryConfig`): prepared once per connection. */
export interface PgQueryConfigLike {
  readonly name?: string;
  readonly text: string;
  readonly values?: unknown[];
}

/** A checked-out node-postgres client (`PoolClient`), as {@link fromPool} uses it. */
export interface PgPoolClientLike {
  /** Runs one parameterized statement: its text, or a named statement. */
  query(textOrConfig: string | PgQueryConfigLike, values?: unknown[]): Promise<PgResultLike>;
  /** Gives the client back; an error (or `true`) destroys the connection instead. */
  release(error?: Error | boolean): void;
  /** Listens for connection errors. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening for connection errors. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * The part of a node-postgres `Pool` that {@link fromPool} needs. `pg.Pool` fits, and so do
 * pools with the same API (for example `@neondatabase/serverless`).
 */
export interface PgPoolLike {
  /** Runs one parameterized statement: its text, or a named statement. */
  query(textOrConfig: string | PgQueryConfigLike, values?: unknown[]): Promise<PgResultLike>;
  /** Checks out a dedicated connection (transactions). */
  connect(): Promise<PgPoolClientLike>;
}

/**
 * A {@link SqlClient} over a node-postgres `Pool`. Plain statements run on any pooled
 * connection (`pool.query`); a statement given a `name` runs as `{ name, text, values }`,
 * which node-postgres prepares once per connection and then reuses. Each transaction checks
 * out one connection of its own, and a connection that failed during a transaction is
 * destroyed rather than returned to the pool (PostgreSQL rolls back whatever it held).
 *
 * Configure the pool to fail fast (see {@link createPool}): node-postgres waits forever for a
 * connection by default. Listen to the pool's `error` event: an idle connection that the
 * server drops is reported there, and an `error` event without a listener ends the process.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 5000, query_timeout: 10000 });
 * pool.on('error', (error) => logger.warn('idle PostgreSQL connection lost', error));
 * const storage = postgresStorage(fromPool(pool));
 * ```
 */
export function fromPool(pool: PgPoolLike): SqlClient {
  return {
    query: (text, params = [], options) => run(pool, text, params, options),
    exec: async (script) => {
      // Without parameters node-postgres uses the simple protocol: several statements at once
      // (the result is then one per statement, which a script does not need).
      await pool.query(script);
    },
    async transaction(fn) {
      const client = await pool.connect();
      // Set when the connection itself failed: it must not go back to the pool, and a
      // ROLLBACK on it would only wait for another timeout.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken ??= error;
      };
      const note = (error: unknown) => {
        if (isConnectionFailure(error)) broken ??= toError(error);
      };
      // A checked-out client has no listener of the pool's: without ours, a connection lost
      // between two statements (pg_terminate_backend, a restart) would be an uncaught error.
      client.on('error', onError);
      const tx: SqlQueryable = {
        query: async <R>(text: string, params: readonly unknown[] = [], options?: QueryOptions) => {
          try {
            return await run<R>(client, text, params, options);
          } catch (error) {
            note(error);
            throw error;
          }
        },
        exec: async (script) => {
          try {
            await client.query(script);
          } catch (error) {
            note(error);
            throw error;
          }
        },
      };
      try {
        await tx.query('BEGIN');
        const result = await fn(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error) {
        if (broken === undefined) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken ??= toError(rollbackError);
          });
        }
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken ?? false);
      }
    },
  };
}

async function run<R>(
  target: PgPoolLike | PgPoolClientLike,
  text: string,
  params: readonly unknown[],
  options: QueryOptions | undefined,
): Promise<SqlResult<R>> {
  const values = [...params];
  const name = options?.name;
  const result = await (name === undefined
    ? target.query(text, values)
    : target.query({ name, text, values }));
  // node-postgres returns rows as `any`; each store maps the columns it selected.
  return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
}

/**
 * True for failures of the connection rather than of a statement: a timeout, a socket error,
 * or a FATAL error from the server (such as `57P01` when the backend is terminated). Errors
 * that PostgreSQL reports for a statement carry a `severity` of `ERROR`.
 */
function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const severity: unknown = Reflect.get(error, 'severity');
  return severity !== 'ERROR';
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
