import type { PasskeyRecord, PasskeyStore } from '../types/passkeys.js';
import { userRows } from './user-rows.js';

/**
 * The passkeys store of `memoryStorage()`: credential ids unique across users, each user's
 * passkeys listed, the counter only ever raised by `recordUse`; atomic in one process (see
 * {@link userRows}).
 */
export function memoryPasskeyStore(): PasskeyStore {
  const rows = userRows<PasskeyRecord>((p) => p.credentialId);
  return {
    create: rows.create,
    get: rows.get,
    getByCredentialId: rows.getByKey,
    listByUser: rows.listByUser,
    async recordUse(id, { counter, backedUp, now }) {
      const current = rows.current(id);
      if (current === undefined) return 'not_found';
      rows.replace({
        ...current,
        // Only ever raised: a lower counter (a possible clone) keeps the stored one.
        counter: Math.max(current.counter, counter),
        backedUp,
        lastUsedAt: now,
      });
      return 'updated';
    },
    async rename(id, { userId, name }) {
      const current = rows.current(id);
      if (current === undefined || current.userId !== userId) return 'not_found';
      rows.replace({ ...current, name });
      return 'updated';
    },
    delete: rows.delete,
    deleteByUser: rows.deleteByUser,
  };
}
