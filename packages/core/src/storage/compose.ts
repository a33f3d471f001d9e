import { AuthError } from '../errors/auth-error.js';
import { STORE_NAMES, type Storage, type StorageStores, type StoreName } from './types.js';

/** The parts of {@link composeStorage}: one store of each kind, from any backends. */
export interface ComposeStorageParts extends StorageStores {
  /**
   * The storage whose `transaction` the composition offers (typically the PostgreSQL one).
   * Inside a transaction, the stores taken from it (compared by identity: pass `pg.users`, not
   * a copy) are replaced by its transactional ones; stores from other backends (Redis) stay
   * as they are. Omit it and the composition has no `transaction`. Its `sessionWithUser`
   * (session and user in one round trip) is offered too, when `users` and `sessions` are both
   * its own.
   */
  readonly transactionsFrom?: Storage;
}

/**
 * `source.sessionWithUser` when the composition's users and sessions are both `source`'s own
 * (its join or cache would otherwise answer from other stores than the ones core writes to).
 */
function joinedLookup(stores: StorageStores, source: Storage | undefined): Partial<Storage> {
  if (source?.sessionWithUser === undefined) return {};
  if (stores.users !== source.users || stores.sessions !== source.sessions) return {};
  return { sessionWithUser: source.sessionWithUser.bind(source) };
}

/**
 * A {@link Storage} whose stores come from different backends, e.g. users, linked accounts,
 * passkeys, two-factor and audit in PostgreSQL, sessions, tokens and rate limits in Redis. Every
 * store is named explicitly; none is inferred from another. Take `accounts` and `passkeys` from
 * the backend that holds `users` (`pg.accounts` and `pg.passkeys` beside `pg.users`): every link
 * and passkey belongs to a user, and only there do the user row's foreign key and an account
 * deletion's transaction (`transactionsFrom`) cover them.
 *
 * @example
 * ```ts
 * const pg = postgresStorage(pool);
 * const redis = redisStorage(client);
 * const storage = composeStorage({
 *   users: pg.users, accounts: pg.accounts, passkeys: pg.passkeys,
 *   twoFactor: pg.twoFactor, audit: pg.audit,
 *   sessions: redis.sessions, tokens: redis.tokens, rateLimits: redis.rateLimits,
 *   transactionsFrom: pg,
 * });
 * ```
 *
 * @throws {AuthError} `CONFIG_INVALID` when a store is missing (the message and `details` name
 * it), or when `transactionsFrom` has no `transaction` or shares no store with the parts.
 */
export function composeStorage(parts: ComposeStorageParts): Storage {
  const missing = STORE_NAMES.filter((name) => {
    const store: unknown = (parts as Partial<ComposeStorageParts>)[name];
    return typeof store !== 'object' || store === null;
  });
  if (missing.length > 0) {
    throw configInvalid(
      `composeStorage is missing the ${missing.join(', ')} store${missing.length > 1 ? 's' : ''}.`,
      missing,
    );
  }
  const stores: StorageStores = {
    users: parts.users,
    accounts: parts.accounts,
    passkeys: parts.passkeys,
    sessions: parts.sessions,
    tokens: parts.tokens,
    twoFactor: parts.twoFactor,
    rateLimits: parts.rateLimits,
    audit: parts.audit,
  };
  const source = parts.transactionsFrom;
  if (source === undefined) return Object.freeze(stores);
  const joined = joinedLookup(stores, source);

  const shared = STORE_NAMES.filter((name) => stores[name] === source[name]);
  if (typeof source.transaction !== 'function' || shared.length === 0) {
    throw configInvalid(
      'composeStorage: transactionsFrom must have a transaction and provide at least one store.',
      ['transactionsFrom' as const],
    );
  }
  // Bound, so a class-based storage keeps its `this`.
  const run = source.transaction.bind(source);
  return Object.freeze({
    ...stores,
    ...joined,
    transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
      return run((tx) => fn(Object.freeze(swapIn(stores, tx, shared))));
    },
  });
}

/** `stores` with the `shared` ones taken from the transaction's storage. */
function swapIn(stores: StorageStores, tx: Storage, shared: readonly StoreName[]): Storage {
  const out: Record<StoreName, unknown> = { ...stores };
  for (const name of shared) out[name] = tx[name];
  // Each entry is the store of its own name, from `stores` or from `tx`.
  return out as unknown as Storage;
}

function configInvalid(message: string, paths: readonly string[]): AuthError {
  return new AuthError('CONFIG_INVALID', {
    message,
    details: paths.map((path) => ({ path, message: 'Missing or invalid.' })),
  });
}
