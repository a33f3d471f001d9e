import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeMethods } from '../../storage/methods.js';
import { STORE_NAMES, type Storage, type StoreName } from '../../storage/types.js';
import { describeAudit } from './audit.js';
import { type ConformanceContext, newUser, startTime, uid } from './fixtures.js';
import { describeRateLimits } from './rate-limits.js';
import { describeSessionWithUser } from './session-with-user.js';
import { describeSessions } from './sessions.js';
import { describeTokens } from './tokens.js';
import { describeTwoFactor } from './two-factor.js';
import { describeUsers } from './users.js';

export type { StoreName } from '../../storage/types.js';

/** Options of {@link describeStorageConformance}. */
export interface StorageConformanceOptions {
  /**
   * The stores to check; default all six. A Redis adapter that implements only the ephemeral
   * stores passes `['sessions', 'tokens', 'rateLimits']` (the others may then be anything).
   * With `users` among them, the kit creates the user that owns each record it writes; without
   * it, records name user ids that no store holds.
   */
  readonly stores?: readonly StoreName[];
  /** Called once after the last check with the storage under test: close pools, drop schemas. */
  readonly cleanup?: (storage: Storage) => Promise<void> | void;
}

const DESCRIBE = {
  users: describeUsers,
  sessions: describeSessions,
  tokens: describeTokens,
  twoFactor: describeTwoFactor,
  rateLimits: describeRateLimits,
  audit: describeAudit,
} satisfies Record<StoreName, (ctx: ConformanceContext) => void>;

/**
 * Registers vitest `describe`/`it` blocks that check a {@link Storage} against the contract of
 * the architecture's storage table: results, expiry boundaries (`now === expiresAt` is dead),
 * copies, and atomicity under concurrency (20 parallel consumes of one token: one `ok`). Call it
 * at the top level of a test file of your own suite; vitest must be installed.
 *
 * `makeStorage` runs once, before the first check; every check uses fresh random ids and
 * explicit `now` values near the real time, so a real, shared database works and nothing
 * sleeps. When `users` is among the checked stores, each record owned by a user (session,
 * token, recovery code, trusted device, audit event) is written after its user was created
 * with `users.create`, so foreign keys to `users` are welcome. Records the checks create are
 * left in place (they are dead or unique); drop them in `cleanup` if you like.
 *
 * @example
 * ```ts
 * // test/storage.test.ts
 * import { describeStorageConformance } from '@portcullis/core/testing';
 * describeStorageConformance('my adapter', () => myStorage(pool), {
 *   cleanup: () => pool.end(),
 * });
 * ```
 */
export function describeStorageConformance(
  name: string,
  makeStorage: () => Storage | Promise<Storage>,
  options: StorageConformanceOptions = {},
): void {
  const selected = STORE_NAMES.filter((store) => (options.stores ?? STORE_NAMES).includes(store));
  let storage: Storage | undefined;
  const current = () => {
    if (storage === undefined) throw new Error('describeStorageConformance: no storage yet');
    return storage;
  };
  const ctx: ConformanceContext = {
    storage: current,
    // Without `users` under test, its store may be anything (a Redis adapter's suite fills it
    // with memory): the owner is then only an id, as user ids are to stores that hold no users.
    owner: selected.includes('users') ? () => createOwner(current()) : async () => uid('user'),
  };

  describe(`storage conformance: ${name}`, () => {
    beforeAll(async () => {
      storage = await makeStorage();
    });
    afterAll(async () => {
      if (storage !== undefined) await options.cleanup?.(storage);
    });

    it(`has the checked stores (${selected.join(', ')}) with every method of the contract`, () => {
      const s = ctx.storage();
      for (const store of selected) {
        for (const method of storeMethods(store)) {
          expect(typeof Reflect.get(s[store], method), `${store}.${method}`).toBe('function');
        }
      }
      expect(['undefined', 'function']).toContain(typeof s.transaction);
    });

    if (selected.includes('users')) describeTransaction(ctx);
    for (const store of selected) DESCRIBE[store](ctx);
    if (selected.includes('users') && selected.includes('sessions')) describeSessionWithUser(ctx);
  });
}

/** Creates a user with a unique id, email and username; resolves to its id. */
async function createOwner(storage: Storage): Promise<string> {
  const user = newUser(startTime());
  const result = await storage.users.create(user);
  if (result !== 'created') {
    throw new Error(
      `describeStorageConformance: users.create of a record owner answered ${result}`,
    );
  }
  return user.id;
}

/** Checks `transaction` when the storage has one: it commits on resolve, rolls back on reject. */
function describeTransaction(ctx: ConformanceContext): void {
  it('commits a transaction that resolves and rolls back one that rejects (when offered)', async () => {
    const storage = ctx.storage();
    if (storage.transaction === undefined) {
      // Nothing to check: core then relies on the safe order of its multi-step flows.
      expect(storage.transaction).toBeUndefined();
      return;
    }
    const kept = newUser(startTime());
    const result = await storage.transaction(async (tx) => {
      expect(await tx.users.create(kept)).toBe('created');
      expect(await tx.users.getById(kept.id)).toEqual(kept);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await storage.users.getById(kept.id)).toEqual(kept);

    const dropped = newUser(startTime());
    const failure = new Error('conformance: roll back');
    const run = storage.transaction(async (tx) => {
      await tx.users.create(dropped);
      throw failure;
    });
    await expect(run).rejects.toBe(failure);
    expect(await storage.users.getById(dropped.id)).toBeUndefined();
  });
}
