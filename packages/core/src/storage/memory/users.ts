import type { JsonObject, JsonValue } from '../types/json.js';
import type { UserPatch, UserRecord, UserStore } from '../types/users.js';
import { copy } from './copy.js';
import { listUsers } from './user-list.js';

/**
 * The users store of `memoryStorage()`. Two indexes keep normalized email and username unique;
 * every method does its reads and writes without an `await` in between, so it is atomic in one
 * process. `list` filters and sorts every user on each call: fine for tests and small apps.
 */
export function memoryUserStore(): UserStore {
  const byId = new Map<string, UserRecord>();
  const idByEmail = new Map<string, string>();
  const idByUsername = new Map<string, string>();

  const takenByOther = (index: Map<string, string>, key: string | undefined, id: string) =>
    key !== undefined && index.has(key) && index.get(key) !== id;

  const unindex = (user: UserRecord) => {
    idByEmail.delete(user.emailNormalized);
    if (user.usernameNormalized !== undefined) idByUsername.delete(user.usernameNormalized);
  };
  const index = (user: UserRecord) => {
    idByEmail.set(user.emailNormalized, user.id);
    if (user.usernameNormalized !== undefined) idByUsername.set(user.usernameNormalized, user.id);
  };
  const find = (id: string | undefined) => {
    const user = id === undefined ? undefined : byId.get(id);
    return user === undefined ? undefined : copy(user);
  };

  return {
    async create(user) {
      if (byId.has(user.id)) return 'conflict';
      if (takenByOther(idByEmail, user.emailNormalized, user.id)) return 'conflict';
      if (takenByOther(idByUsername, user.usernameNormalized, user.id)) return 'conflict';
      const stored = withRoles(copy(user));
      byId.set(stored.id, stored);
      index(stored);
      return 'created';
    },

    async getById(id) {
      return find(id);
    },

    async getByEmail(emailNormalized) {
      return find(idByEmail.get(emailNormalized));
    },

    async getByUsername(usernameNormalized) {
      return find(idByUsername.get(usernameNormalized));
    },

    async update(id, patch) {
      const current = byId.get(id);
      if (current === undefined) return 'not_found';
      const next = withRoles(applyPatch(current, patch));
      // Check both indexes before writing either, so a conflict changes nothing.
      if (takenByOther(idByEmail, next.emailNormalized, id)) return 'conflict';
      if (takenByOther(idByUsername, next.usernameNormalized, id)) return 'conflict';
      unindex(current);
      byId.set(id, next);
      index(next);
      return 'updated';
    },

    async advanceTotpStep(userId, step) {
      const user = byId.get(userId);
      if (user?.totp === undefined) return 'not_found';
      const last = user.totp.lastUsedStep;
      // A step at or below the last accepted one is a replayed code (RFC 6238 section 5.2).
      if (last !== undefined && step <= last) return 'replayed';
      byId.set(userId, { ...user, totp: { ...user.totp, lastUsedStep: step } });
      return 'advanced';
    },

    async delete(id) {
      const user = byId.get(id);
      if (user === undefined) return;
      unindex(user);
      byId.delete(id);
    },

    async list(query) {
      return listUsers(byId.values(), query).map(copy);
    },
  };
}

/**
 * `user` with no `roles` key when it has none: `[]` (from `create` or a patch) reads back
 * absent, as an empty `roles` array column does in PostgreSQL.
 */
function withRoles(user: UserRecord): UserRecord {
  if (user.roles !== undefined && user.roles.length > 0) return user;
  const { roles: _none, ...rest } = user;
  return rest;
}

/** `metadata` with `keys` set (a value) or removed (`null`), the other keys as they were. */
function withKeys(metadata: JsonObject, keys: NonNullable<UserPatch['metadataKeys']>): JsonObject {
  const next: Record<string, JsonValue> = { ...metadata };
  for (const [key, value] of Object.entries(keys)) {
    if (key === '__proto__') continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The record after `patch`: absent keys keep their value, `null` removes the field. */
function applyPatch(current: UserRecord, patch: UserPatch): UserRecord {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(copy(patch))) {
    // A patch never moves a record to another id or rewrites its history.
    if (key === 'id' || key === 'createdAt') continue;
    if (key === 'metadataKeys') {
      next.metadata = withKeys(current.metadata, value as NonNullable<UserPatch['metadataKeys']>);
      continue;
    }
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  // Only UserPatch keys were written, each with a value of its UserRecord type.
  return next as unknown as UserRecord;
}
