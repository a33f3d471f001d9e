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
  /** ISO 8601. */
  readonly createdAt: string;
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
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
