/**
 * A second factor the user can complete a sign-in with: a code of one of the first four kinds,
 * or (`passkey`) one of the user's passkeys, answering `WebAuthn` options for the challenge.
 */
export type SecondFactorMethod = 'totp' | 'email' | 'sms' | 'recovery' | 'passkey';

/** A trusted device as the user sees it in a list. Times are ISO 8601. */
export interface TrustedDeviceInfo {
  /** The device's id: the public part of its token, and what `devices.revoke` takes. */
  readonly id: string;
  /** When the device was trusted. */
  readonly createdAt: string;
  /** When the device last skipped the second factor. */
  readonly lastUsedAt: string;
  /** When the trust ends. */
  readonly expiresAt: string;
  /** User agent at the time it was trusted, or `null`. */
  readonly userAgent: string | null;
  /** True for the device whose id was given as `currentDeviceId`. */
  readonly current: boolean;
}

/** What `auth.twoFactor.status` tells about a user. */
export interface TwoFactorStatus {
  /** True once a TOTP enrollment is confirmed. */
  readonly enabled: boolean;
  /** What a sign-in challenge would offer (empty while 2FA is off). */
  readonly methods: SecondFactorMethod[];
  /** The verified phone number (E.164), or `null`. */
  readonly phone: string | null;
  /** Unused recovery codes. */
  readonly recoveryCodesLeft: number;
}
