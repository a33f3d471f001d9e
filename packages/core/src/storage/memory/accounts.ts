import type { AccountPatch, AccountRecord, AccountStore } from '../types/accounts.js';
import { userRows } from './user-rows.js';

/** `(provider, subject)` as one map key; JSON keeps any two pairs apart. */
const keyOf = (provider: string, subject: string) => JSON.stringify([provider, subject]);

/**
 * The linked accounts store of `memoryStorage()`: `(provider, subject)` unique across users,
 * each user's links listed; atomic in one process (see {@link userRows}).
 */
export function memoryAccountStore(): AccountStore {
  const rows = userRows<AccountRecord>((a) => keyOf(a.provider, a.subject));
  return {
    create: rows.create,
    get: rows.get,
    getBySubject: (provider, subject) => rows.getByKey(keyOf(provider, subject)),
    listByUser: rows.listByUser,
    async update(id, patch) {
      const current = rows.current(id);
      if (current === undefined) return 'not_found';
      rows.replace(applyPatch(current, patch));
      return 'updated';
    },
    delete: rows.delete,
    deleteByUser: rows.deleteByUser,
  };
}

/** The record after `patch`: `undefined` keeps a field, `null` removes it. */
function applyPatch(current: AccountRecord, patch: AccountPatch): AccountRecord {
  const next: Record<string, unknown> = { ...current };
  // Only the fields a patch may change: never the id, owner, identity or creation time.
  for (const key of ['lastUsedAt', 'email', 'encryptedTokens'] as const) {
    const value = patch[key];
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  // Each key written is an AccountPatch key with a value of its AccountRecord type.
  return next as unknown as AccountRecord;
}
