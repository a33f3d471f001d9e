import type { PasskeyRecord, PasskeyStore } from '../types/passkeys.js';
import { copy } from './copy.js';

/** Oldest first, ties broken by id (code-unit order, as SQL's `COLLATE "C"`). */
const byAge = (a: PasskeyRecord, b: PasskeyRecord) =>
  a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The passkeys store of `memoryStorage()`. An index keeps credential ids unique and another
 * lists each user's passkeys; every method does its reads and writes without an `await` in
 * between, so `create` (one of concurrent creates of a credential wins), `recordUse` (the
 * counter only ever rises) and `delete` with `keepOne` (two concurrent deletes of a user's last
 * two passkeys leave one) are atomic in one process. Records (and their `transports` arrays)
 * are copied in and out.
 */
export function memoryPasskeyStore(): PasskeyStore {
  const byId = new Map<string, PasskeyRecord>();
  const idByCredential = new Map<string, string>();
  const idsByUser = new Map<string, Set<string>>();

  const unlink = (passkey: PasskeyRecord) => {
    byId.delete(passkey.id);
    idByCredential.delete(passkey.credentialId);
    const ids = idsByUser.get(passkey.userId);
    ids?.delete(passkey.id);
    if (ids?.size === 0) idsByUser.delete(passkey.userId);
  };
  const find = (id: string | undefined) => {
    const passkey = id === undefined ? undefined : byId.get(id);
    return passkey === undefined ? undefined : copy(passkey);
  };

  return {
    async create(passkey) {
      if (byId.has(passkey.id) || idByCredential.has(passkey.credentialId)) return 'conflict';
      const stored = copy(passkey);
      byId.set(stored.id, stored);
      idByCredential.set(stored.credentialId, stored.id);
      const ids = idsByUser.get(stored.userId) ?? new Set<string>();
      ids.add(stored.id);
      idsByUser.set(stored.userId, ids);
      return 'created';
    },

    async get(id) {
      return find(id);
    },

    async getByCredentialId(credentialId) {
      return find(idByCredential.get(credentialId));
    },

    async listByUser(userId) {
      const passkeys: PasskeyRecord[] = [];
      for (const id of idsByUser.get(userId) ?? []) {
        const passkey = byId.get(id);
        if (passkey !== undefined) passkeys.push(copy(passkey));
      }
      return passkeys.sort(byAge);
    },

    async recordUse(id, { counter, backedUp, now }) {
      const current = byId.get(id);
      if (current === undefined) return 'not_found';
      byId.set(id, {
        ...current,
        // Only ever raised: a lower counter (a possible clone) keeps the stored one.
        counter: Math.max(current.counter, counter),
        backedUp,
        lastUsedAt: now,
      });
      return 'updated';
    },

    async rename(id, { userId, name }) {
      const current = byId.get(id);
      if (current === undefined || current.userId !== userId) return 'not_found';
      byId.set(id, { ...current, name });
      return 'updated';
    },

    async delete(id, { userId, keepOne }) {
      const passkey = byId.get(id);
      if (passkey === undefined || passkey.userId !== userId) return 'not_found';
      if (keepOne && (idsByUser.get(userId)?.size ?? 0) <= 1) return 'last';
      unlink(passkey);
      return 'deleted';
    },

    async deleteByUser(userId) {
      for (const id of [...(idsByUser.get(userId) ?? [])]) {
        const passkey = byId.get(id);
        if (passkey !== undefined) unlink(passkey);
      }
    },
  };
}
