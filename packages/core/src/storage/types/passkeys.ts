/**
 * A WebAuthn credential (passkey) registered by a user. Every time is epoch milliseconds.
 * Nothing here is secret: the private key never leaves the authenticator.
 */
export interface PasskeyRecord {
  /** Core-generated id (128-bit random, base64url): public, the path of `/passkeys/:id`. */
  readonly id: string;
  /** The user it signs in. */
  readonly userId: string;
  /** The credential id the authenticator chose (base64url). Unique across all users. */
  readonly credentialId: string;
  /** The credential's public key, COSE-encoded, base64url. */
  readonly publicKey: string;
  /** The signature counter last seen (0 for authenticators that do not count, synced passkeys). */
  readonly counter: number;
  /** How the browser reaches the authenticator (`internal`, `hybrid`, `usb`, ...), as it said. */
  readonly transports: readonly string[];
  /** `singleDevice` or `multiDevice` (a synced passkey), from the registration. */
  readonly deviceType: 'singleDevice' | 'multiDevice';
  /** Whether the credential is backed up (synced) now; changes at each use. */
  readonly backedUp: boolean;
  /** The user's name for it ("MacBook"). */
  readonly name: string;
  /** When it was registered. */
  readonly createdAt: number;
  /** When it last signed in; absent until it has. */
  readonly lastUsedAt?: number;
}

/** What {@link PasskeyStore.recordUse} writes after a successful assertion. */
export interface PasskeyUse {
  /** The counter the assertion carried. */
  readonly counter: number;
  /** The backed-up flag the assertion carried. */
  readonly backedUp: boolean;
  /** When, epoch ms. */
  readonly now: number;
}

/**
 * Users' passkeys. Credential ids are unique across users (one authenticator credential signs
 * in one user); the store keeps the ids and public keys, never anything secret.
 */
export interface PasskeyStore {
  /**
   * Stores a new passkey. `conflict` when the credential id is already registered (to any user)
   * or the id exists; nothing is written then. Of concurrent creates of one credential id, one
   * is `created`.
   */
  create(passkey: PasskeyRecord): Promise<'created' | 'conflict'>;
  /** The passkey with this id, or `undefined`. */
  get(id: string): Promise<PasskeyRecord | undefined>;
  /** The passkey of this credential id (what an assertion names), or `undefined`. */
  getByCredentialId(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** The user's passkeys, oldest first (ties broken by id, compared as code units). */
  listByUser(userId: string): Promise<PasskeyRecord[]>;
  /**
   * Records a successful use: `counter` (only ever raised: a lower one is kept as it was, which
   * core reports as a possible clone), `backedUp` and `lastUsedAt`. `not_found` when the passkey
   * is gone.
   */
  recordUse(id: string, use: PasskeyUse): Promise<'updated' | 'not_found'>;
  /** Renames one of the user's passkeys. `not_found` when it does not exist or is another user's. */
  rename(
    id: string,
    options: { readonly userId: string; readonly name: string },
  ): Promise<'updated' | 'not_found'>;
  /**
   * Deletes one of the user's passkeys (`not_found` when it does not exist or belongs to another
   * user). With `keepOne`, refuses (`last`) when it is the user's only passkey, atomically, as
   * `accounts.delete` does (core passes it when the user has no other way to sign in).
   */
  delete(
    id: string,
    options: { readonly userId: string; readonly keepOne: boolean },
  ): Promise<'deleted' | 'not_found' | 'last'>;
  /** Deletes every passkey of the user (account deletion). */
  deleteByUser(userId: string): Promise<void>;
}
