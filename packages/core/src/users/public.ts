import type { UserRecord } from '../storage/types/users.js';

/**
 * A user as Portcullis shows it to clients: every key always present (`null` when unset) and
 * nothing else — no hash, no TOTP state, no metadata.
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

/** The public view of a stored user. */
export function toPublicUser(user: UserRecord): PublicUser {
  return {
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
}
