import type { UserRecord } from '../storage/types/users.js';
import { type ResolvedUserField, readUserFields } from './fields.js';

/**
 * A user as Portcullis shows it to clients: every key always present (`null` when unset) and
 * nothing else — no hash, no TOTP state, no metadata. The app's own fields (`user.fields`,
 * docs/user-fields.md) come after these keys, each present (`null` when unset); the typed API
 * types them (`Auth<F>`'s users are `PublicUser & UserFieldValues<F>`).
 */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly twoFactorEnabled: boolean;
  /** The user's roles (docs/roles.md); `[]` for none. */
  readonly roles: string[];
  /** ISO 8601. */
  readonly createdAt: string;
}

const isoCache = new Map<number, string>();

/**
 * ISO 8601 of an epoch-ms time. Sessions and users are formatted on every validated request
 * and their times rarely change, so recent results are kept (at most 4,096).
 */
export function isoTime(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(ms, text);
  }
  return text;
}

/**
 * The public view of a stored user, with the app's `fields` (each `null` when unset; stored in
 * the user's `metadata` under its name).
 */
export function toPublicUser(
  user: UserRecord,
  fields: readonly ResolvedUserField[] = [],
): PublicUser {
  const base: PublicUser = {
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerifiedAt !== undefined,
    username: user.username ?? null,
    firstName: user.firstName ?? null,
    lastName: user.lastName ?? null,
    twoFactorEnabled: user.totp !== undefined,
    roles: user.roles === undefined ? [] : [...user.roles],
    createdAt: isoTime(user.createdAt),
  };
  return fields.length === 0 ? base : { ...base, ...readUserFields(user, fields) };
}
