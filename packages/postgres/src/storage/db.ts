import type { SqlClient, SqlQueryable } from '../client/types.js';

/** Qualified names of the tables, in the configured schema. */
export interface Tables {
  readonly users: string;
  readonly sessions: string;
  readonly refreshHashes: string;
  readonly tokens: string;
  readonly recoveryCodes: string;
  readonly trustedDevices: string;
  readonly rateLimits: string;
  readonly audit: string;
}

/** What the stores run statements on: the root client, or one transaction of it. */
export interface Db {
  readonly query: SqlQueryable['query'];
  /** The tables, qualified with the schema. */
  readonly t: Tables;
  /** Runs `fn` all or nothing: in a transaction of its own at the root, in a savepoint inside one. */
  atomic<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs a statement that may fail on purpose (a unique violation), so the caller can turn
   * the failure into a result: as is at the root; inside a transaction, in a savepoint, since
   * a failed statement would otherwise abort the whole transaction.
   */
  guarded<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

/** The tables of `quotedSchema` (already quoted). */
export function tablesOf(quotedSchema: string): Tables {
  const q = (name: string) => `${quotedSchema}.${name}`;
  return {
    users: q('users'),
    sessions: q('sessions'),
    refreshHashes: q('session_refresh_hashes'),
    tokens: q('tokens'),
    recoveryCodes: q('recovery_codes'),
    trustedDevices: q('trusted_devices'),
    rateLimits: q('rate_limits'),
    audit: q('audit_events'),
  };
}

/** The root {@link Db} over `client`. */
export function rootDb(client: SqlClient, t: Tables): Db {
  const db: Db = {
    query: (text, params) => client.query(text, params),
    t,
    atomic: (fn) => client.transaction((tx) => fn(txDb(tx, t))),
    guarded: (fn) => fn(db),
  };
  return db;
}

/** A {@link Db} bound to the transaction `tx`; nested atomic blocks are savepoints. */
function txDb(tx: SqlQueryable, t: Tables): Db {
  let savepoints = 0;
  const savepoint = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    savepoints += 1;
    const name = `portcullis_sp_${savepoints}`;
    await tx.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(db);
      await tx.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      // Undo the block only. If even that fails the connection is gone, and the transaction
      // fails at its next statement: the original error is the one worth reporting.
      await tx.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
  };
  const db: Db = {
    query: (text, params) => tx.query(text, params),
    t,
    atomic: savepoint,
    guarded: savepoint,
  };
  return db;
}
