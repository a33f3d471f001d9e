import { fromPGlite, type PGliteLike } from './pglite.js';
import { fromPool, type PgPoolLike } from './pool.js';
import type { SqlClient } from './types.js';

/**
 * What `postgresStorage` and `migrate` accept: a node-postgres `Pool`, a `PGlite` instance,
 * or a {@link SqlClient} of your own (for another driver).
 */
export type PostgresDatabase = SqlClient | PgPoolLike | PGliteLike;

/**
 * The {@link SqlClient} for `db`: {@link fromPool} for anything with a `connect` method (a
 * node-postgres `Pool`), {@link fromPGlite} for a PGlite instance (it has `waitReady`), and a
 * `SqlClient` as it is.
 */
export function toSqlClient(db: PostgresDatabase): SqlClient {
  if ('connect' in db && typeof db.connect === 'function') return fromPool(db);
  if ('waitReady' in db) return fromPGlite(db as PGliteLike);
  return db as SqlClient;
}
