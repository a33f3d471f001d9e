import { copy } from './copy.js';

/** A record of a user's sign-in method: a linked account, a passkey. */
interface UserRow {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
}

/** Oldest first, ties broken by id (code-unit order, as SQL's `COLLATE "C"`). */
export const byAge = (
  a: { readonly createdAt: number; readonly id: string },
  b: { readonly createdAt: number; readonly id: string },
) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The rows of a memory store of users' sign-in methods (`accounts`, `passkeys`): by id, by a
 * key unique across users (`uniqueKey`: the provider's subject, the credential id) and by user.
 * No method awaits between its reads and writes, so `create` (of concurrent creates of one key,
 * one wins) and `delete` with `keepOne` (two concurrent deletes of a user's last two rows leave
 * one) are atomic in one process. Records are copied in and out.
 */
export function userRows<R extends UserRow>(uniqueKey: (row: R) => string) {
  const byId = new Map<string, R>();
  const idByKey = new Map<string, string>();
  const idsByUser = new Map<string, Set<string>>();

  const remove = (row: R) => {
    byId.delete(row.id);
    idByKey.delete(uniqueKey(row));
    const ids = idsByUser.get(row.userId);
    ids?.delete(row.id);
    if (ids?.size === 0) idsByUser.delete(row.userId);
  };
  const find = (id: string | undefined) => {
    const row = id === undefined ? undefined : byId.get(id);
    return row === undefined ? undefined : copy(row);
  };

  return {
    /** The stored row (not a copy), for an update in place. */
    current: (id: string) => byId.get(id),
    /** Replaces the stored row `id` (its indexed fields must not change). */
    replace: (row: R) => void byId.set(row.id, row),
    get: async (id: string) => find(id),
    getByKey: async (key: string) => find(idByKey.get(key)),
    async create(row: R): Promise<'created' | 'conflict'> {
      const key = uniqueKey(row);
      if (byId.has(row.id) || idByKey.has(key)) return 'conflict';
      const stored = copy(row);
      byId.set(stored.id, stored);
      idByKey.set(key, stored.id);
      const ids = idsByUser.get(stored.userId) ?? new Set<string>();
      ids.add(stored.id);
      idsByUser.set(stored.userId, ids);
      return 'created';
    },
    async listByUser(userId: string): Promise<R[]> {
      const rows: R[] = [];
      for (const id of idsByUser.get(userId) ?? []) {
        const row = byId.get(id);
        if (row !== undefined) rows.push(copy(row));
      }
      return rows.sort(byAge);
    },
    async delete(
      id: string,
      { userId, keepOne }: { readonly userId: string; readonly keepOne: boolean },
    ): Promise<'deleted' | 'not_found' | 'last'> {
      const row = byId.get(id);
      if (row === undefined || row.userId !== userId) return 'not_found';
      if (keepOne && (idsByUser.get(userId)?.size ?? 0) <= 1) return 'last';
      remove(row);
      return 'deleted';
    },
    async deleteByUser(userId: string): Promise<void> {
      for (const id of [...(idsByUser.get(userId) ?? [])]) {
        const row = byId.get(id);
        if (row !== undefined) remove(row);
      }
    },
  };
}
