import type { AccountPatch, AccountRecord, AccountStore } from '../types/accounts.js';
import { copy } from './copy.js';

/** `(provider, subject)` as one map key; JSON keeps any two pairs apart. */
const keyOf = (provider: string, subject: string) => JSON.stringify([provider, subject]);

/** Oldest first, ties broken by id (code-unit order, as SQL's `COLLATE "C"`). */
const byAge = (a: AccountRecord, b: AccountRecord) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The linked accounts store of `memoryStorage()`. An index keeps `(provider, subject)` unique
 * and another lists each user's links; every method does its reads and writes without an
 * `await` in between, so `create` (one of concurrent creates of an identity wins) and
 * `delete` with `keepOne` (two concurrent deletes of a user's last two links leave one) are
 * atomic in one process.
 */
export function memoryAccountStore(): AccountStore {
  const byId = new Map<string, AccountRecord>();
  const idBySubject = new Map<string, string>();
  const idsByUser = new Map<string, Set<string>>();

  const unlink = (account: AccountRecord) => {
    byId.delete(account.id);
    idBySubject.delete(keyOf(account.provider, account.subject));
    const ids = idsByUser.get(account.userId);
    ids?.delete(account.id);
    if (ids?.size === 0) idsByUser.delete(account.userId);
  };
  const find = (id: string | undefined) => {
    const account = id === undefined ? undefined : byId.get(id);
    return account === undefined ? undefined : copy(account);
  };

  return {
    async create(account) {
      const key = keyOf(account.provider, account.subject);
      if (byId.has(account.id) || idBySubject.has(key)) return 'conflict';
      const stored = copy(account);
      byId.set(stored.id, stored);
      idBySubject.set(key, stored.id);
      const ids = idsByUser.get(stored.userId) ?? new Set<string>();
      ids.add(stored.id);
      idsByUser.set(stored.userId, ids);
      return 'created';
    },

    async get(id) {
      return find(id);
    },

    async getBySubject(provider, subject) {
      return find(idBySubject.get(keyOf(provider, subject)));
    },

    async listByUser(userId) {
      const accounts: AccountRecord[] = [];
      for (const id of idsByUser.get(userId) ?? []) {
        const account = byId.get(id);
        if (account !== undefined) accounts.push(copy(account));
      }
      return accounts.sort(byAge);
    },

    async update(id, patch) {
      const current = byId.get(id);
      if (current === undefined) return 'not_found';
      byId.set(id, applyPatch(current, patch));
      return 'updated';
    },

    async delete(id, { userId, keepOne }) {
      const account = byId.get(id);
      if (account === undefined || account.userId !== userId) return 'not_found';
      if (keepOne && (idsByUser.get(userId)?.size ?? 0) <= 1) return 'last';
      unlink(account);
      return 'deleted';
    },

    async deleteByUser(userId) {
      for (const id of [...(idsByUser.get(userId) ?? [])]) {
        const account = byId.get(id);
        if (account !== undefined) unlink(account);
      }
    },
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
