import type { QueryOptions, SqlClient, SqlQueryable } from '../client/types.js';

/** Qualified names of the tables, in the configured schema. */
export interface Tables {
  readonly users: string;
  readonly accounts: string;
  readonly passkeys: string;
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
  /**
   * The options that run `text` as a named (prepared) statement, `key` naming what it does
   * (`sessions_get`); `undefined` when preparing is off. Pass them to {@link Db.query} with the
   * same `text` every time.
   */
  prepared(key: string, text: string): QueryOptions | undefined;
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
    accounts: q('accounts'),
    passkeys: q('passkeys'),
    sessions: q('sessions'),
    refreshHashes: q('session_refresh_hashes'),
    tokens: q('tokens'),
    recoveryCodes: q('recovery_codes'),
    trustedDevices: q('trusted_devices'),
    rateLimits: q('rate_limits'),
    audit: q('audit_events'),
  };
}

/** Longest statement name PostgreSQL keeps (NAMEDATALEN - 1): a longer one is truncated. */
const MAX_NAME_BYTES = 63;

/**
 * {@link Db.prepared} for the schema `schema` (unquoted): `pc_<schema>_<key>_<hash of text>`,
 * at most 63 bytes (a long schema name is shortened). node-postgres keeps one statement per
 * name and connection, and refuses a known name with another text: the schema keeps two
 * storages with different schemas on one pool apart, and the hash of the text two versions of
 * a statement (another release of this package on the same pool). With `prepare` false, no
 * statement is named.
 */
export function statementNames(schema: string, prepare: boolean): Db['prepared'] {
  if (!prepare) return () => undefined;
  // Stores are built again for every transaction: hash each text once.
  const known = new Map<string, QueryOptions>();
  return (key, text) => {
    let options = known.get(text);
    if (options === undefined) {
      const hash = fnv1a(text);
      // The schema is a plain identifier and `key` a literal: ASCII, one byte a character.
      const room = MAX_NAME_BYTES - `pc__${key}_${hash}`.length;
      options = { name: `pc_${schema.slice(0, Math.max(room, 0))}_${key}_${hash}` };
      known.set(text, options);
    }
    return options;
  };
}

/** FNV-1a (32 bits) of `text`'s UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** The root {@link Db} over `client`; `prepared` names statements ({@link statementNames}). */
export function rootDb(client: SqlClient, t: Tables, prepared: Db['prepared']): Db {
  const db: Db = {
    query: (text, params, options) => client.query(text, params, options),
    t,
    prepared,
    atomic: (fn) => client.transaction((tx) => fn(txDb(tx, t, prepared))),
    guarded: (fn) => fn(db),
  };
  return db;
}

/** A {@link Db} bound to the transaction `tx`; nested atomic blocks are savepoints. */
function txDb(tx: SqlQueryable, t: Tables, prepared: Db['prepared']): Db {
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
    query: (text, params, options) => tx.query(text, params, options),
    t,
    prepared,
    atomic: savepoint,
    guarded: savepoint,
  };
  return db;
}
