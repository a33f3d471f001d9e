import type { Storage } from '@portcullis/core/storage';
import { type PostgresDatabase, toSqlClient } from '../client/detect.js';
import { DEFAULT_SCHEMA, quoteSchemaName } from '../schema-name.js';
import { pgAccounts } from './accounts.js';
import { pgAudit } from './audit.js';
import { type Db, rootDb, statementNames, tablesOf } from './db.js';
import {
  type FieldColumns,
  fieldColumnsCheck,
  resolveFieldColumns,
  type UserFields,
} from './field-columns.js';
import { pgPasskeys } from './passkeys.js';
import { type PurgeOptions, type PurgeResult, purgeExpired } from './purge.js';
import { pgRateLimits } from './rate-limits.js';
import { pgSessionWithUser } from './session-with-user.js';
import { pgSessions } from './sessions.js';
import { pgTokens } from './tokens.js';
import { pgTwoFactor } from './two-factor.js';
import { pgUsers } from './users.js';
import { USER_COLUMN_NAMES } from './users-row.js';

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
  /**
   * The app's own user fields (`createAuth({ user: { fields } })`, which core keeps in
   * `metadata`) to store in columns of their own: metadata key → column of the users table,
   * `'bio'` for a `text` column or `{ column: 'address', type: 'jsonb' }`. Default none: every
   * key stays in the `metadata` jsonb. Add each column with a migration of your own first,
   * nullable (`ALTER TABLE portcullis.users ADD COLUMN bio text`); a NULL column is an absent
   * key. Writes take the mapped keys out of the metadata JSON and into their columns; reads put
   * them back, so core and the stores see the same `metadata` either way.
   *
   * A `text` column takes strings only (give the field a `v.string()` schema): another value is
   * refused with `AuthError` `VALIDATION_FAILED` naming the key, before any statement is sent.
   * A `jsonb` column takes any JSON value. A JSON `null` is stored as NULL, so it reads back
   * absent. Columns are plain identifiers (letters, digits, `_`), quoted, so their case is
   * kept; none may be one of Portcullis's own columns. The columns are checked on the first
   * call that reads or writes users ({@link PostgresStorage.checkFieldColumns} to check at
   * startup): a missing column, another type or `NOT NULL` fails with `CONFIG_INVALID` naming
   * it, never with a driver error per request.
   *
   * @example
   * ```ts
   * postgresStorage(pool, { fieldColumns: { bio: 'bio', profilePicture: 'profile_picture' } })
   * ```
   */
  readonly fieldColumns?: FieldColumns;
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
  /**
   * Checks that the users table has the columns of the `fieldColumns` option, nullable and of
   * their types. Every method that reads or writes users checks this once anyway, on its first
   * call; call it at startup to fail there instead. Resolves at once without `fieldColumns`,
   * and after one pass.
   *
   * @throws {AuthError} `CONFIG_INVALID` naming each missing or mismatched column, with the
   * `ALTER TABLE` that fixes it; the driver's error when the database cannot be reached.
   */
  checkFieldColumns(): Promise<void>;
}

/**
 * Every store of `Storage` over PostgreSQL, in the tables that {@link migrate} creates. `db`
 * is a node-postgres `Pool` (configure it to fail fast: {@link createPool}), a PGlite
 * instance, or a {@link SqlClient} of your own. Compare-and-set methods are single
 * conditional statements or short transactions, so the contract holds across any number of
 * processes sharing the database. Driver errors are thrown as they are; core reports them as
 * `STORAGE_UNAVAILABLE`.
 *
 * @throws {AuthError} `CONFIG_INVALID` for a schema name that is not a plain identifier, or a
 * `fieldColumns` mapping that is not usable (a column that is not a plain identifier, one of
 * Portcullis's own, or mapped twice; a type other than `text` or `jsonb`).
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
  const fields = resolveFieldColumns(options.fieldColumns, USER_COLUMN_NAMES);
  const prepared = statementNames(schema, options.prepare ?? true);
  const root = rootDb(toSqlClient(db), tables, prepared);
  return storageOver(root, { fields, ready: fieldColumnsCheck(root, fields, tables.users) });
}

/** The stores over `db` (the root, or a transaction: the same `mapped` either way). */
function storageOver(db: Db, mapped: UserFields): PostgresStorage {
  const users = pgUsers(db, mapped);
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
    sessionWithUser: pgSessionWithUser(db, separately, mapped),
    transaction: (fn) => db.atomic((tx) => fn(storageOver(tx, mapped))),
    purgeExpired: (options) => purgeExpired(db, options),
    checkFieldColumns: () => mapped.ready(db),
  };
}
