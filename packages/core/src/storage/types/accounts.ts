/**
 * A sign-in identity at an external provider (OAuth 2 / OpenID Connect) linked to a user. Every
 * time is epoch milliseconds.
 */
export interface AccountRecord {
  /** Core-generated id (128-bit random, base64url): public, the path of `DELETE /oauth/accounts/:id`. */
  readonly id: string;
  /** The user the identity signs in. */
  readonly userId: string;
  /** The provider's id as configured (`google`, `github`, `oidc`, ...). */
  readonly provider: string;
  /**
   * The provider's stable identifier of the person (OIDC `sub`, GitHub's numeric user id as a
   * string). Unique per provider across users: one identity signs in one user.
   */
  readonly subject: string;
  /** The email the provider asserted at the last sign-in, as it sent it; absent when none. */
  readonly email?: string;
  /** When the identity was linked. */
  readonly createdAt: number;
  /** When it last signed someone in (or was linked). */
  readonly lastUsedAt: number;
  /**
   * The provider's tokens (access, refresh, expiry), encrypted by core with the keyring; only
   * when the provider is configured to keep them. The store keeps it opaque.
   */
  readonly encryptedTokens?: string;
}

/** The fields {@link AccountStore.update} may change; `undefined` leaves a field alone. */
export interface AccountPatch {
  /** When the identity last signed someone in. */
  readonly lastUsedAt?: number;
  /** `null` removes the stored email. */
  readonly email?: string | null;
  /** `null` removes the stored tokens. */
  readonly encryptedTokens?: string | null;
}

/**
 * Linked provider identities (`accounts`), unique per `(provider, subject)`. Lives next to the
 * users (the same database): deleting a user deletes its accounts — the PostgreSQL adapter's
 * foreign key takes them with the user row, and core's account deletion calls
 * {@link AccountStore.deleteByUser} before it deletes the user.
 */
export interface AccountStore {
  /**
   * Stores a new link. `conflict` when `(provider, subject)` is already linked (to any user) or
   * the id exists; nothing is written then. Of concurrent creates of one identity, one is
   * `created`.
   */
  create(account: AccountRecord): Promise<'created' | 'conflict'>;
  /** The link with this id, or `undefined`. */
  get(id: string): Promise<AccountRecord | undefined>;
  /** The link of the provider's identity `subject`, or `undefined`. */
  getBySubject(provider: string, subject: string): Promise<AccountRecord | undefined>;
  /**
   * The user's links, oldest first (`createdAt`), ties broken by id compared code unit by code
   * unit (as JavaScript's `<`; SQL `COLLATE "C"`); `[]` when there are none.
   */
  listByUser(userId: string): Promise<AccountRecord[]>;
  /**
   * Changes the given fields of a link (see {@link AccountPatch}; `null` removes a field, which
   * then reads back absent). `not_found` when it does not exist.
   */
  update(id: string, patch: AccountPatch): Promise<'updated' | 'not_found'>;
  /**
   * Deletes the link `id` of the user `userId` (`not_found` when it does not exist or belongs to
   * another user). With `keepOne`, refuses (`last`) when it is the user's only link: atomically,
   * so that two concurrent deletes of a user's last two links leave one (core passes `keepOne`
   * when the user has no other way to sign in, such as a password).
   */
  delete(
    id: string,
    options: { readonly userId: string; readonly keepOne: boolean },
  ): Promise<'deleted' | 'not_found' | 'last'>;
  /** Deletes every link of the user (account deletion). */
  deleteByUser(userId: string): Promise<void>;
}
