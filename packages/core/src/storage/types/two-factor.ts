/** One recovery code of a user. The code itself is never stored, only its hash. */
export interface RecoveryCodeRecord {
  /** Core-generated id, unique across users. */
  readonly id: string;
  /** The user the code belongs to. */
  readonly userId: string;
  /** Hash of the code (SHA-256, or argon2id for codes shorter than 112 bits). */
  readonly hash: string;
  /** When the code was used, epoch ms; absent while unused. */
  readonly usedAt?: number;
}

/** A new recovery code, as passed to {@link TwoFactorStore.replaceRecoveryCodes}. */
export interface NewRecoveryCode {
  /** Core-generated id. */
  readonly id: string;
  /** Hash of the code. */
  readonly hash: string;
}

/**
 * A browser that may skip the second factor. Its token is `{id}.{secret}`; only SHA-256 of the
 * secret is stored. Live while `now < expiresAt` (epoch ms).
 */
export interface TrustedDeviceRecord {
  /** Core-generated id (128-bit random). */
  readonly id: string;
  /** The user who trusted the device. */
  readonly userId: string;
  /** SHA-256 of the device token's secret. */
  readonly secretHash: string;
  /** User-Agent when the device was trusted, to show in a list. */
  readonly userAgent?: string;
  /** When the device was trusted. */
  readonly createdAt: number;
  /** When the device last skipped the second factor. */
  readonly lastUsedAt: number;
  /** End of trust. */
  readonly expiresAt: number;
  /** The user's `credentialGeneration` when the device was trusted; dead once it differs. */
  readonly credentialGeneration: number;
}

/** Recovery codes and trusted devices. */
export interface TwoFactorStore {
  /**
   * Replaces all of the user's recovery codes with `codes`, all or nothing: a reader (or a
   * concurrent replace) sees either the old set or the new one, never a mix. New codes are
   * unused. An empty array removes them all.
   */
  replaceRecoveryCodes(userId: string, codes: readonly NewRecoveryCode[]): Promise<void>;
  /** All of the user's recovery codes, used and unused, in no particular order. */
  listRecoveryCodes(userId: string): Promise<RecoveryCodeRecord[]>;
  /**
   * Sets `usedAt = now` on the user's code `id` if it is unused, atomically: `used`; `already_used`
   * if it was used; `not_found` if the user has no such code. Of concurrent uses, one is `used`.
   */
  markRecoveryCodeUsed(
    userId: string,
    id: string,
    options: { readonly now: number },
  ): Promise<'used' | 'already_used' | 'not_found'>;
  /** Inserts a trusted device. Core generates the id, so a duplicate never happens. */
  createTrustedDevice(device: TrustedDeviceRecord): Promise<void>;
  /** The device if it exists and is live at `now`, else `undefined`. */
  getTrustedDevice(id: string, now: number): Promise<TrustedDeviceRecord | undefined>;
  /** The user's devices live at `now`, newest `createdAt` first. */
  listTrustedDevices(userId: string, now: number): Promise<TrustedDeviceRecord[]>;
  /**
   * Sets `lastUsedAt = now` on a device live at `now`: `touched`; else `not_found` without
   * writing (a touch racing a revocation never brings the device back).
   */
  touchTrustedDevice(
    id: string,
    options: { readonly now: number },
  ): Promise<'touched' | 'not_found'>;
  /** Revokes one device. Deleting a missing device is a no-op. */
  deleteTrustedDevice(id: string): Promise<void>;
  /** Revokes every device of the user. */
  deleteAllTrustedDevices(userId: string): Promise<void>;
  /** Deletes the user's recovery codes and trusted devices (account deletion). */
  deleteByUser(userId: string): Promise<void>;
}
