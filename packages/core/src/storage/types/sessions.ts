/**
 * One session per sign-in, whatever the transport. Live while `now < idleExpiresAt` and
 * `now < absoluteExpiresAt`. Every time is epoch milliseconds.
 */
export interface SessionRecord {
  /** Core-generated id (128-bit random): public, the JWT `sid` claim and the revocation path. */
  readonly id: string;
  /** The user this session signs in. */
  readonly userId: string;
  /** SHA-256 of the cookie token's secret (cookie strategy). */
  readonly secretHash?: string;
  /** SHA-256 of the current refresh token's secret (jwt strategy). */
  readonly refreshHash?: string;
  /** Every refresh hash this session replaced, kept for its life to detect reuse. */
  readonly previousRefreshHashes: readonly string[];
  /** When the session was created (sign-in time); orders `listByUser`. */
  readonly createdAt: number;
  /** Last time the session was seen (throttled writes, via `touch`). */
  readonly lastSeenAt: number;
  /** Sliding expiry; never beyond `absoluteExpiresAt`. */
  readonly idleExpiresAt: number;
  /** Hard end of the session, whatever its activity. */
  readonly absoluteExpiresAt: number;
  /** Until when the session counts as freshly authenticated (sensitive actions). */
  readonly freshUntil: number;
  /** Client IP at sign-in, as core resolved it (trusted proxies only). */
  readonly ip?: string;
  /** User-Agent at sign-in. */
  readonly userAgent?: string;
  /** Authentication methods used (RFC 8176 values such as `pwd`, `otp`). */
  readonly amr: readonly string[];
  /**
   * The user's `credentialGeneration` this session was opened under (or moved to by a change
   * it made itself). Core refuses a session whose generation differs from its user's: a
   * password change, reset, 2FA disable or email change ends every session opened before it,
   * including sign-ins that were still in flight when the change was written.
   */
  readonly credentialGeneration: number;
  /**
   * When a second factor (TOTP, SMS or emailed code, recovery code) was last proven in this
   * session, epoch ms; absent when none was (a password-only or trusted-device sign-in).
   * Operations that change a factor need it recent (or a code in the same request).
   */
  readonly secondFactorAt?: number;
  /**
   * The id of the admin who opened this session for its user by impersonation
   * (`auth.admin.users.impersonate`); absent for the user's own sign-ins. Written at create and
   * never changed: every write (`touch`, `rotateRefresh`, `markFresh`) keeps it, and reads
   * return it exactly as stored. Core refuses such a session at `/admin` and at every step-up.
   */
  readonly impersonatedBy?: string;
}

/** Options of {@link SessionStore.touch}. */
export interface SessionTouchOptions {
  /** Current time, epoch ms. */
  readonly now: number;
  /** The idle expiry wanted, epoch ms; capped at `absoluteExpiresAt`, never lowers the stored one. */
  readonly idleExpiresAt: number;
}

/** Options of {@link SessionStore.rotateRefresh}. */
export interface SessionRotateOptions {
  /** The hash of the refresh secret the client presented. */
  readonly expectedHash: string;
  /** The hash of the new refresh secret. */
  readonly newHash: string;
  /** Current time, epoch ms. */
  readonly now: number;
}

/** Options of {@link SessionStore.markFresh}. */
export interface SessionMarkFreshOptions {
  /** The new `freshUntil`, epoch ms. */
  readonly freshUntil: number;
  /** Replaces `amr` when given (for example after a step-up with a second factor). */
  readonly amr?: readonly string[];
  /** Sets `secondFactorAt` when given (a second factor was proven now). */
  readonly secondFactorAt?: number;
  /**
   * Sets `credentialGeneration` when given: the session that made a credential change moves
   * to the user's new generation and stays signed in.
   */
  readonly credentialGeneration?: number;
  /** Current time, epoch ms. */
  readonly now: number;
}

/** Sessions. Every method that takes `now` treats a session that is not live as absent. */
export interface SessionStore {
  /** Inserts a session. Core generates the id, so a duplicate never happens. */
  create(session: SessionRecord): Promise<void>;
  /** The session if it exists and is live at `now`, else `undefined`. */
  get(id: string, now: number): Promise<SessionRecord | undefined>;
  /**
   * Slides the idle expiry of a session live at `now`, in one atomic step: sets `idleExpiresAt`
   * to `max(stored, min(given, absoluteExpiresAt))` and `lastSeenAt` to `max(stored, now)`;
   * `touched`. Otherwise writes nothing and resolves to `not_found`: a touch racing a delete
   * never brings the session back.
   */
  touch(id: string, options: SessionTouchOptions): Promise<'touched' | 'not_found'>;
  /**
   * One compare-and-set on the refresh hash of a session live at `now`: `rotated` (the new hash
   * becomes current, the old joins `previousRefreshHashes`) when `expectedHash` is current;
   * `reused` when it is one the session replaced (the caller then revokes the session); else
   * `not_found`. Of N concurrent rotations with one hash, one is `rotated`, the rest `reused`.
   */
  rotateRefresh(
    id: string,
    options: SessionRotateOptions,
  ): Promise<'rotated' | 'reused' | 'not_found'>;
  /**
   * Sets `freshUntil` (and `amr`, `secondFactorAt`, `credentialGeneration` when given) of a
   * session live at `now`, in one write: `updated`, else `not_found` without writing (a
   * `markFresh` racing a delete never brings the session back).
   */
  markFresh(id: string, options: SessionMarkFreshOptions): Promise<'updated' | 'not_found'>;
  /** The user's sessions live at `now`, newest `createdAt` first. */
  listByUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Deletes one session. Deleting a missing session is a no-op. */
  delete(id: string): Promise<void>;
  /** Deletes every session of the user except `exceptId` (the current one), when given. */
  deleteByUser(userId: string, options?: { readonly exceptId?: string }): Promise<void>;
}
