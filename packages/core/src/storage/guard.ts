import { AuthError, isAuthError } from '../errors/auth-error.js';
import { storeMethods } from './methods.js';
import { STORE_NAMES, type Storage, type StoreName } from './types.js';

/** Storages that are already guarded; guarding twice would only add a layer. */
const guarded = new WeakSet<Storage>();

/**
 * What core throws for a failure inside a store: an {@link AuthError} passes through (a store
 * may throw one on purpose), anything else becomes `STORAGE_UNAVAILABLE` with the original as
 * `cause`, so driver errors (and the SQL or connection strings in their messages) never reach
 * a caller, while the logger still sees them. `operation` (`sessions.rotateRefresh`) names the
 * failed call for logs and events.
 */
export function toStorageError(error: unknown, operation?: string): AuthError {
  if (isAuthError(error)) return error;
  return new AuthError('STORAGE_UNAVAILABLE', {
    cause: error,
    ...(operation === undefined ? {} : { operation }),
  });
}

/**
 * Wraps every method of every store (and `transaction`) so that a rejection or throw that is
 * not an `AuthError` becomes `AuthError('STORAGE_UNAVAILABLE', { cause })`. Core calls stores
 * only through this wrapper. Methods are called with their store as `this`, so class-based
 * stores work.
 *
 * @throws {AuthError} `CONFIG_INVALID` when a store or one of its methods is missing; the
 * error's `details` name each one (`storage.sessions.touch`).
 */
export function guardStorage(storage: Storage): Storage {
  if (guarded.has(storage)) return storage;
  assertComplete(storage);
  const result: Storage = {
    users: guardStore(storage, 'users'),
    accounts: guardStore(storage, 'accounts'),
    passkeys: guardStore(storage, 'passkeys'),
    sessions: guardStore(storage, 'sessions'),
    tokens: guardStore(storage, 'tokens'),
    twoFactor: guardStore(storage, 'twoFactor'),
    rateLimits: guardStore(storage, 'rateLimits'),
    audit: guardStore(storage, 'audit'),
    ...(storage.transaction === undefined
      ? {}
      : { transaction: guardTransaction(storage.transaction.bind(storage)) }),
    ...(storage.sessionWithUser === undefined
      ? {}
      : {
          sessionWithUser: guardCall(storage.sessionWithUser.bind(storage), 'sessionWithUser'),
        }),
  };
  guarded.add(result);
  return Object.freeze(result);
}

function guardStore<S extends StoreName>(storage: Storage, name: S): Storage[S] {
  const store: object = storage[name];
  const wrapped: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of storeMethods(name)) {
    const fn: unknown = Reflect.get(store, method);
    if (typeof fn !== 'function') continue; // assertComplete has already refused this
    wrapped[method] = async (...args) => {
      try {
        return await Reflect.apply(fn, store, args);
      } catch (error) {
        throw toStorageError(error, `${name}.${method}`);
      }
    };
  }
  // Every contract method of the store is in `wrapped`, with the same parameters.
  return Object.freeze(wrapped) as unknown as Storage[S];
}

/** `fn` with its failures turned into {@link toStorageError}. */
function guardCall<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  operation: string,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw toStorageError(error, operation);
    }
  };
}

function guardTransaction(
  run: NonNullable<Storage['transaction']>,
): NonNullable<Storage['transaction']> {
  return async <T>(fn: (tx: Storage) => Promise<T>): Promise<T> => {
    // Errors thrown by `fn` are core's own (already guarded store errors, or a flow's
    // AuthError): they pass through unchanged. Only the transaction machinery is wrapped.
    let fromFn: { error: unknown } | undefined;
    try {
      return await run(async (tx) => {
        try {
          return await fn(guardStorage(tx));
        } catch (error) {
          fromFn = { error };
          throw error;
        }
      });
    } catch (error) {
      if (fromFn !== undefined && fromFn.error === error) throw error;
      throw toStorageError(error, 'transaction');
    }
  };
}

function assertComplete(storage: Storage): void {
  const missing: string[] = [];
  for (const name of STORE_NAMES) {
    const store: unknown = (storage as Partial<Storage>)[name];
    if (typeof store !== 'object' || store === null) {
      missing.push(`storage.${name}`);
      continue;
    }
    for (const method of storeMethods(name)) {
      if (typeof Reflect.get(store, method) !== 'function')
        missing.push(`storage.${name}.${method}`);
    }
  }
  for (const optional of ['transaction', 'sessionWithUser'] as const) {
    if (storage[optional] !== undefined && typeof storage[optional] !== 'function') {
      missing.push(`storage.${optional}`);
    }
  }
  if (missing.length === 0) return;
  throw new AuthError('CONFIG_INVALID', {
    message: `Storage is incomplete: ${missing.join(', ')}.`,
    details: missing.map((path) => ({ path, message: 'Missing or not a function.' })),
  });
}
