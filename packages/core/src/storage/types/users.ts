import type { JsonObject, JsonValue } from './json.js';

/**
 * A user's TOTP enrollment (RFC 6238). Core encrypts the secret (AES-256-GCM, key derived from
 * the configured `secret`) before the store sees it.
 */
export interface TotpState {
  /** The encrypted TOTP secret, as core encoded it. The store keeps it opaque. */
  readonly encryptedSecret: string;
  /** HMAC hash of the TOTP, in otplib's spelling. */
  readonly algorithm: 'sha1' | 'sha256' | 'sha512';
  /** Digits of a code, usually 6. */
  readonly digits: number;
  /** Length of a time step in seconds, usually 30. */
  readonly periodSeconds: number;
  /** RFC 6238 `T0`: the Unix time in seconds at which step 0 starts, usually 0. */
  readonly t0: number;
  /** The last time step whose code was accepted; absent until one is. Guards against replay. */
  readonly lastUsedStep?: number;
}

/** A user as the store holds it. Every time is epoch milliseconds. */
export interface UserRecord {
  /** Core-generated id (128-bit random, base64url). Never changes. */
  readonly id: string;
  /** The email as the user typed it (trimmed), used to send mail. */
  readonly email: string;
  /** The email as core normalized it; unique across users, compared exactly. */
  readonly emailNormalized: string;
  /** When the email was verified; absent while unverified. */
  readonly emailVerifiedAt?: number;
  /** Display username, when the app uses usernames. */
  readonly username?: string;
  /** The username as core normalized it; unique across users when present, compared exactly. */
  readonly usernameNormalized?: string;
  /** PHC string (or an imported legacy hash). Absent: the user can only reset a password. */
  readonly passwordHash?: string;
  /** Given name. */
  readonly firstName?: string;
  /** Family name. */
  readonly lastName?: string;
  /** Phone number in E.164, for SMS codes. */
  readonly phone?: string;
  /** When the phone number was verified. */
  readonly phoneVerifiedAt?: number;
  /** The integrator's own JSON data; core never reads it. */
  readonly metadata: JsonObject;
  /** A disabled user cannot sign in. */
  readonly disabled: boolean;
  /** TOTP enrollment; absent when TOTP is off. */
  readonly totp?: TotpState;
  /** When the user last signed in. */
  readonly lastLoginAt?: number;
  /**
   * The user's roles (`admin`, `support`, the app's own), each a permission set named in
   * configuration (`roles`). Absent: none. Stored as given, no duplicates.
   */
  readonly roles?: readonly string[];
  /**
   * Changes (to a new random value) in the same write as a new password, a reset, a 2FA
   * disable or an email change. Sessions, refresh-token families, trusted devices and pending
   * tokens record the generation they were made under and are dead once it differs. A new
   * user starts at 0 (`FIRST_GENERATION`). Stored and compared exactly (a safe integer).
   */
  readonly credentialGeneration: number;
  /** When the user was created. */
  readonly createdAt: number;
  /** When the user was last updated; core passes it with every update. */
  readonly updatedAt: number;
}

/**
 * A partial update of a user. An absent key keeps the stored value; `null` removes an optional
 * field (`passwordHash: null` leaves a user who can only reset). Core sends `email` and
 * `emailNormalized` together, and `username` and `usernameNormalized` together.
 */
export interface UserPatch {
  readonly email?: string;
  readonly emailNormalized?: string;
  readonly emailVerifiedAt?: number | null;
  readonly username?: string | null;
  readonly usernameNormalized?: string | null;
  readonly passwordHash?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly phone?: string | null;
  readonly phoneVerifiedAt?: number | null;
  /** Replaces the whole `metadata`. */
  readonly metadata?: JsonObject;
  /**
   * Sets (a value) or removes (`null`) these top-level keys of the stored `metadata`, leaving
   * every other key as stored, in the same atomic write as the rest of the patch: two patches
   * of different keys racing each other both stand (core writes the app's user fields this
   * way, so a user's profile edit cannot undo an admin's change to another field). Core never
   * sends it with `metadata`.
   */
  readonly metadataKeys?: { readonly [key: string]: JsonValue | null };
  readonly disabled?: boolean;
  /** Replaces the whole enrollment (including `lastUsedStep`), or removes it with `null`. */
  readonly totp?: TotpState | null;
  readonly lastLoginAt?: number | null;
  /** Replaces the roles (`[]`: none). */
  readonly roles?: readonly string[];
  /** A new credential generation (see {@link UserRecord.credentialGeneration}). */
  readonly credentialGeneration?: number;
  /** Always set by core: the time of this update. */
  readonly updatedAt: number;
}

/** What {@link UserStore.list} looks for: a page of users in `(createdAt, id)` order. */
export interface UserListQuery {
  /**
   * A prefix of `emailNormalized` or `usernameNormalized` (compared exactly: core passes it
   * lower-cased), or of `firstName` or `lastName` compared case-insensitively. Absent: every
   * user.
   */
  readonly prefix?: string;
  /** Only users with this role. */
  readonly role?: string;
  /** Only disabled (`true`) or only enabled (`false`) users. */
  readonly disabled?: boolean;
  /**
   * Keyset position: only users strictly after it in `(createdAt, id)` order (ids compared as
   * code units, `COLLATE "C"` in PostgreSQL). Core makes it from the last user of a page, so a
   * page never repeats or skips a user that existed when both pages were read, whatever was
   * inserted in between.
   */
  readonly after?: { readonly createdAt: number; readonly id: string };
  /** How many users at most (core asks 1 to 101). */
  readonly limit: number;
}

/**
 * Users. Uniqueness of `emailNormalized` and of `usernameNormalized` (when present) is the
 * store's job, and a duplicate is a result, never a thrown driver error.
 */
export interface UserStore {
  /**
   * Inserts a user. Resolves to `conflict`, and stores nothing, when another user has the same
   * `emailNormalized` or `usernameNormalized` (or the same id); of concurrent creates with one
   * email exactly one is `created`. Users without a username never conflict on it.
   */
  create(user: UserRecord): Promise<'created' | 'conflict'>;
  /** The user with this id, or `undefined`. */
  getById(id: string): Promise<UserRecord | undefined>;
  /**
   * The user whose `emailNormalized` equals the argument exactly (no `lower()`, no citext: core
   * has already normalized it), or `undefined`.
   */
  getByEmail(emailNormalized: string): Promise<UserRecord | undefined>;
  /** The user whose `usernameNormalized` equals the argument exactly, or `undefined`. */
  getByUsername(usernameNormalized: string): Promise<UserRecord | undefined>;
  /**
   * Applies a partial update (see {@link UserPatch}). Resolves to `updated`; `conflict`, changing
   * nothing, when the new normalized email or username belongs to another user; `not_found`
   * when there is no such user.
   */
  update(id: string, patch: UserPatch): Promise<'updated' | 'conflict' | 'not_found'>;
  /**
   * Sets `totp.lastUsedStep` to `step` only if `step` is greater than the stored one (or none is
   * stored), in one atomic step: `advanced`, else `replayed`; of concurrent calls with one step
   * exactly one is `advanced`. `not_found` when the user is missing or has no TOTP.
   */
  advanceTotpStep(userId: string, step: number): Promise<'advanced' | 'replayed' | 'not_found'>;
  /** Deletes the user; its email and username become free. Deleting a missing user is a no-op. */
  delete(id: string): Promise<void>;
  /**
   * Users matching `query`, in `(createdAt, id)` order, at most `query.limit` of them (the admin
   * list, `GET /admin/users`). PostgreSQL keeps it to index scans (see the migration's indexes).
   */
  list(query: UserListQuery): Promise<UserRecord[]>;
}
