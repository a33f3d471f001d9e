import { memoryStorage } from '@portcullis/core';
import type { Storage, StorageStores } from '@portcullis/core/storage';
import { deferred } from './helpers.js';

/** Which inner read: `sessions.get`, `users.getById`, or the joined `sessionWithUser`. */
export type ReadKind = 'session' | 'user' | 'joined';

/** A storage whose reads are counted and can be held. */
export interface HeldStorage {
  readonly storage: Storage;
  /** Reads of each kind so far. */
  readonly reads: Record<ReadKind, number>;
  /**
   * Holds the `nth` read of `kind` from now: it reads, then waits for `release` before it
   * answers. `reached` resolves once it has read.
   */
  hold(kind: ReadKind, nth: number): { reached: Promise<void>; release: () => void };
}

/** The seven stores of a memory storage, without its `sessionWithUser` and `purgeExpired`. */
function storesOf(memory: StorageStores): StorageStores {
  const { users, accounts, passkeys, sessions, tokens, twoFactor, rateLimits, audit } = memory;
  return { users, accounts, passkeys, sessions, tokens, twoFactor, rateLimits, audit };
}

/**
 * Memory storage (the stand-in for PostgreSQL) whose reads are counted and can be held. With
 * `joined`, it has a `sessionWithUser` (as PostgreSQL's join); without, a cache must make the
 * two reads.
 */
export function heldStorage(options: { joined: boolean }): HeldStorage {
  const memory = memoryStorage();
  const reads: Record<ReadKind, number> = { session: 0, user: 0, joined: 0 };
  let held: { kind: ReadKind; at: number; reached: () => void; release: Promise<void> } | undefined;
  const answer = async <T>(kind: ReadKind, value: T): Promise<T> => {
    reads[kind] += 1;
    const hold = held;
    if (hold !== undefined && hold.kind === kind && hold.at === reads[kind]) {
      held = undefined;
      hold.reached();
      await hold.release;
    }
    return value;
  };
  const storage: Storage = {
    ...storesOf(memory),
    users: {
      ...memory.users,
      getById: async (id) => answer('user', await memory.users.getById(id)),
    },
    sessions: {
      ...memory.sessions,
      get: async (id, now) => answer('session', await memory.sessions.get(id, now)),
    },
    ...(options.joined
      ? {
          async sessionWithUser(id: string, now: number) {
            return answer('joined', await memory.sessionWithUser?.(id, now));
          },
        }
      : {}),
  };
  return {
    storage,
    reads,
    hold(kind, nth) {
      const reached = deferred();
      const release = deferred();
      held = { kind, at: reads[kind] + nth, reached: reached.resolve, release: release.promise };
      return { reached: reached.promise, release: () => release.resolve() };
    },
  };
}

/**
 * Memory storage with a `transaction` that isolates as far as these tests need: the writes of
 * `tx.users` (update, advanceTotpStep, delete) and `tx.sessions` (delete, deleteByUser) are
 * queued and applied at commit, so readers outside see the data as it was until then, and a
 * rejection drops them (a rollback). Reads inside see committed data (no read-your-writes).
 * `tx.transaction` runs in the same transaction, as a savepoint would. The other stores of `tx`
 * are copies, so that a swap into them shows.
 */
export function stagedStorage(): Storage {
  const memory = memoryStorage();
  const stores = storesOf(memory);
  return {
    ...stores,
    ...(memory.sessionWithUser === undefined ? {} : { sessionWithUser: memory.sessionWithUser }),
    async transaction(fn) {
      const queue: (() => Promise<unknown>)[] = [];
      const later =
        <A extends unknown[], R>(write: (...args: A) => Promise<unknown>, result: R) =>
        async (...args: A): Promise<R> => {
          queue.push(() => write(...args));
          return result;
        };
      // Stores of their own (copies), as a real transaction's would be.
      const tx: Storage = {
        accounts: { ...stores.accounts },
        passkeys: { ...stores.passkeys },
        tokens: { ...stores.tokens },
        twoFactor: { ...stores.twoFactor },
        rateLimits: { ...stores.rateLimits },
        audit: { ...stores.audit },
        users: {
          ...memory.users,
          update: later(memory.users.update, 'updated' as const),
          advanceTotpStep: later(memory.users.advanceTotpStep, 'advanced' as const),
          delete: later(memory.users.delete, undefined),
        },
        sessions: {
          ...memory.sessions,
          delete: later(memory.sessions.delete, undefined),
          deleteByUser: later(memory.sessions.deleteByUser, undefined),
        },
        transaction: (inner) => inner(tx),
      };
      const result = await fn(tx);
      for (const write of queue) await write();
      return result;
    },
  };
}
