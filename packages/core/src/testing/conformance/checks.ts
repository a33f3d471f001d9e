import { STORE_NAMES, type Storage, type StoreName } from '../../storage/types.js';
import { accountChecks } from './accounts.js';
import { auditChecks } from './audit.js';
import { auditListAllChecks } from './audit-list-all.js';
import { type AddCheck, type ConformanceContext, newUser, startTime, uid } from './fixtures.js';
import { generationChecks } from './generations.js';
import { passkeyChecks } from './passkeys.js';
import { rateLimitChecks } from './rate-limits.js';
import { sessionWithUserChecks } from './session-with-user.js';
import { sessionWithUserCacheChecks } from './session-with-user-cache.js';
import { sessionChecks } from './sessions.js';
import { sessionFieldChecks } from './sessions-fields.js';
import { sessionWriteChecks } from './sessions-writes.js';
import { storageChecks, transactionChecks } from './storage.js';
import { throughAuthChecks } from './through-auth.js';
import { tokenChecks } from './tokens.js';
import { tokenFieldChecks } from './tokens-fields.js';
import { twoFactorChecks } from './two-factor.js';
import { twoFactorFieldChecks } from './two-factor-fields.js';
import { userChecks } from './users.js';
import { userFieldChecks } from './users-fields.js';
import { userListChecks } from './users-list.js';
import { userPageChecks } from './users-list-pages.js';
import { userRoleChecks } from './users-roles.js';

/** Options of {@link conformanceChecks}. */
export interface ConformanceChecksOptions {
  /**
   * The stores to check; default all eight. With `users` among them, each check creates the user
   * that owns the records it writes; without it, records name user ids that no store holds.
   */
  readonly stores?: readonly StoreName[];
}

/** What running one check found, when the storage kept the contract. */
export type ConformanceOutcome =
  | { readonly status: 'passed' }
  | {
      readonly status: 'skipped';
      /** Why: the check needs an optional method the storage does not offer. */
      readonly reason: string;
    };

/** One check of the kit, as a plain async function (the kit maps each onto a vitest `it`). */
export interface ConformanceCheck {
  /** What it is about: a store name, `storage`, `sessionWithUser (optional)` or `across stores`. */
  readonly group: string;
  /** What it checks, as the kit's `it` names it. */
  readonly name: string;
  /**
   * Runs the check against `storage`. Resolves to its outcome; rejects with the failed
   * assertion (vitest's `expect`) when the storage breaks the contract. Checks use fresh random
   * ids, so any number of them may run against one storage, one after another.
   */
  readonly run: (storage: Storage) => Promise<ConformanceOutcome>;
}

/** The checks of one group, registered when every store it needs is under test. */
interface Group {
  readonly title: string;
  readonly needs: readonly StoreName[];
  readonly add: (check: AddCheck) => void;
}

const GROUPS: readonly Group[] = [
  { title: 'storage', needs: [], add: storageChecks },
  { title: 'storage', needs: ['users'], add: transactionChecks },
  {
    title: 'users',
    needs: ['users'],
    add: all(userChecks, userFieldChecks, userRoleChecks, userListChecks, userPageChecks),
  },
  { title: 'accounts', needs: ['accounts'], add: accountChecks },
  { title: 'passkeys', needs: ['passkeys'], add: passkeyChecks },
  {
    title: 'sessions',
    needs: ['sessions'],
    add: all(sessionChecks, sessionFieldChecks, sessionWriteChecks),
  },
  { title: 'tokens', needs: ['tokens'], add: all(tokenChecks, tokenFieldChecks) },
  { title: 'twoFactor', needs: ['twoFactor'], add: all(twoFactorChecks, twoFactorFieldChecks) },
  { title: 'rateLimits', needs: ['rateLimits'], add: rateLimitChecks },
  { title: 'audit', needs: ['audit'], add: all(auditChecks, auditListAllChecks) },
  {
    title: 'sessionWithUser (optional)',
    needs: ['users', 'sessions'],
    add: all(sessionWithUserChecks, sessionWithUserCacheChecks),
  },
  { title: 'across stores', needs: ['users', 'sessions'], add: generationChecks },
  { title: 'through Auth', needs: STORE_NAMES, add: throughAuthChecks },
];

function all(...adders: readonly ((check: AddCheck) => void)[]): (check: AddCheck) => void {
  return (check) => {
    for (const add of adders) add(check);
  };
}

/** Thrown by `ctx.skip`, turned into a `skipped` outcome. */
class Skipped extends Error {}

/** The selected stores, in the stable order of {@link STORE_NAMES}. */
function selectedStores(stores: readonly StoreName[] = STORE_NAMES): StoreName[] {
  return STORE_NAMES.filter((store) => stores.includes(store));
}

/**
 * Every check of the conformance kit for the selected stores, as plain async functions, in the
 * order `describeStorageConformance` registers them. For running the kit outside vitest's
 * `describe`/`it` (a mutation test of the kit itself, a custom report); the assertions are
 * still vitest's `expect`, so vitest must be installed.
 *
 * @example
 * ```ts
 * const storage = myStorage();
 * for (const check of conformanceChecks({ stores: ['sessions', 'tokens'] })) {
 *   await check.run(storage); // rejects with the assertion that failed
 * }
 * ```
 */
export function conformanceChecks(options: ConformanceChecksOptions = {}): ConformanceCheck[] {
  const stores = selectedStores(options.stores);
  const checks: ConformanceCheck[] = [];
  for (const { title, needs, add } of GROUPS) {
    if (!needs.every((store) => stores.includes(store))) continue;
    add((name, run) => {
      checks.push({ group: title, name, run: (storage) => runCheck(run, storage, stores) });
    });
  }
  return checks;
}

async function runCheck(
  run: (ctx: ConformanceContext) => Promise<void>,
  storage: Storage,
  stores: readonly StoreName[],
): Promise<ConformanceOutcome> {
  const ctx: ConformanceContext = {
    storage: () => storage,
    // Without `users` under test, its store may be anything (a Redis adapter's suite fills it
    // with memory): the owner is then only an id, as user ids are to stores that hold no users.
    owner: stores.includes('users') ? () => createOwner(storage) : async () => uid('user'),
    stores,
    skip: (reason) => {
      throw new Skipped(reason);
    },
  };
  try {
    await run(ctx);
    return { status: 'passed' };
  } catch (error) {
    if (error instanceof Skipped) return { status: 'skipped', reason: error.message };
    throw error;
  }
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
