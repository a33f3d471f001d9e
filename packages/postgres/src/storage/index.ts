import type { Storage } from '@portcullis/core/storage';
import { type PostgresDatabase, toSqlClient } from '../client/detect.js';
import { DEFAULT_SCHEMA, quoteSchemaName } from '../schema-name.js';
import { pgAccounts } from './accounts.js';
import { pgAudit } from './audit.js';
import { type Db, rootDb, statementNames, tablesOf } from './db.js';
import { pgPasskeys } from './passkeys.js';
import { type PurgeOptions, type PurgeResult, purgeExpired } from './purge.js';
import { pgRateLimits } from './rate-limits.js';
import { pgSessionWithUser } from './session-with-user.js';
import { pgSessions } from './sessions.js';
import { pgTokens } from './tokens.js';
import { pgTwoFactor } from './two-factor.js';
import { pgUsers } from './users.js';

/** Options of {@link postgresStorage}. */
export interface PostgresStorageOptions {
  /**
   * The schema that `migrate` created. Default `'portcullis'`. A plain identifier only
   * (letters, digits, underscores), case kept.
   */
  readonly schema?: string;
  /**
   * Sends the hot reads (a session by id, a user by id, email or username) and the session
   * touch as named statements, which node-postgres prepares once per connection so PostgreSQL
   * plans them once instead of on every call. Default `true`. Set `false` behind a pooler that
   * cannot keep prepared statements across transactions: PgBouncer in transaction mode before
   * 1.21, or without `max_prepared_statements`. PGlite ignores it.
   */
  readonly prepare?: boolean;
}

/** A {@link Storage} over PostgreSQL, with transactions and garbage collection. */
export interface PostgresStorage extends Storage {
  /**
   * Runs `fn` in one transaction: every store of `tx` runs its statements on one connection
   * inside it. Commits when `fn` resolves; rolls back and rethrows when it rejects, or when the
   * connection dies on the way (nothing is half-written). Inside a transaction this nests as a
   * savepoint. Call the stores of `tx` one after another, not concurrently, and never the root
   * storage from inside `fn` (with PGlite that waits for the transaction to end: a deadlock).
   */
  transaction<T>(fn: (tx: PostgresStorage) => Promise<T>): Promise<T>;
  /**
   * Deletes expired sessions, one-time tokens (second-factor challenges included), trusted
   * devices and dead rate-limit rows, in batches of `batchSize` (default 1000), and resolves to
   * the counts. For a cron job (`portcullis-postgres purge`); never needed for correctness.
   */
  purgeExpired(options?: PurgeOptions): Promise<PurgeResult>;
  /**
   * The live session with this id and its user, in one statement (a join): what core's
   * session validation uses, so it costs one round trip. See `Storage.sessionWithUser`.
   */
  sessionWithUser(id: string, now: number): ReturnType<NonNullable<Storage['sessionWithUser']>>;
}

/**
 * Every store of `Storage` over PostgreSQL, in the tables that {@link migrate} creates. `db`
 * is a node-postgres `Pool` (configure it to fail fast: {@link createPool}), a PGlite
 * instance, or a {@link SqlClient} of your own. Compare-and-set methods are single
 * conditional statements or short transactions, so the contract holds across any number of
 * processes sharing the database. Driver errors are thrown as they are; core reports them as
 * `STORAGE_UNAVAILABLE`.
 *
 * @throws {AuthError} `CONFIG_INVALID` for a schema name that is not a plain identifier.
 *
 * @example
 * ```ts
 * const pool = await createPool(process.env.DATABASE_URL ?? '');
 * await migrate(pool);
 * const auth = createAuth({ storage: postgresStorage(pool), ... });
 * ```
 */
export function postgresStorage(
  db: PostgresDatabase,
  options: PostgresStorageOptions = {},
): PostgresStorage {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const tables = tablesOf(quoteSchemaName(schema));
  const prepared = statementNames(schema, options.prepare ?? true);
  return storageOver(rootDb(toSqlClient(db), tables, prepared));
}

function storageOver(db: Db): PostgresStorage {
  const users = pgUsers(db);
  const sessions = pgSessions(db);
  const separately = async (id: string, now: number) => {
    const session = await sessions.get(id, now);
    return session && { session, user: await users.getById(session.userId) };
  };
  return {
    users,
    accounts: pgAccounts(db),
    passkeys: pgPasskeys(db),
    sessions,
    tokens: pgTokens(db),
    twoFactor: pgTwoFactor(db),
    rateLimits: pgRateLimits(db),
    audit: pgAudit(db),
    sessionWithUser: pgSessionWithUser(db, separately),
    transaction: (fn) => db.atomic((tx) => fn(storageOver(tx))),
    purgeExpired: (options) => purgeExpired(db, options),
  };
}
