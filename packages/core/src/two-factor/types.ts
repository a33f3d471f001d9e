import type { RequestContext } from '../events/types.js';
import type { SecondFactorMethod } from '../login/hooks.js';
import type { LoginResult } from '../login/login.js';

/** Input of `auth.verifySecondFactor`. */
export interface VerifySecondFactorInput {
  /** The challenge from a `two_factor_required` sign-in. */
  challenge: string;
  /** Which kind of code `code` is. */
  method: SecondFactorMethod;
  /** The code: TOTP, emailed, SMS, or a recovery code (dashes, spaces and case do not matter). */
  code: string;
  /** Trust this device for `twoFactor.trustedDeviceTtlSeconds` (default 30 days). */
  rememberDevice?: boolean;
}

/** A completed sign-in after the second factor; with `rememberDevice`, the device's token. */
export type SecondFactorResult = Extract<LoginResult, { status: 'signed_in' }> & {
  /**
   * The trusted-device token, `{id}.{secret}`, to keep on the device (the HTTP layer sets it as
   * the `__Host-portcullis.device` cookie) and present at sign-in as
   * `RequestContext.trustedDevice`. `expiresAt` is epoch milliseconds.
   */
  readonly trustedDevice?: { readonly token: string; readonly expiresAt: number };
};

/** Input of `auth.reauthenticate`. */
export interface ReauthenticateInput {
  /** The signed-in user. */
  userId: string;
  /** The session to make fresh again. */
  sessionId: string;
  /** The user's password. */
  password: string;
  /** With 2FA on: a TOTP or recovery code (required then). */
  code?: string;
  /** With 2FA on: `totp` or `recovery` (required then). */
  method?: SecondFactorMethod;
}

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

/** `auth.twoFactor`: enrollment and management of the second factor. See `docs/two-factor.md`. */
export interface TwoFactorApi {
  /** Whether 2FA is on, its methods, the phone and the recovery codes left. @throws AuthError `UNAUTHENTICATED` when the user is gone */
  status(userId: string): Promise<TwoFactorStatus>;
  /** TOTP enrollment (authenticator apps). */
  readonly totp: {
    /**
     * Starts an enrollment: a new 160-bit secret (Base32) and its `otpauth://` URI, pending for
     * 15 min until `confirm`. 2FA is not on yet.
     * @throws AuthError `PASSWORD_INCORRECT`, `VALIDATION_FAILED` (also when 2FA is already on)
     */
    enroll(
      input: { userId: string; password: string },
      context?: RequestContext,
    ): Promise<{ secret: string; otpauthUri: string }>;
    /**
     * Confirms the pending enrollment with a code from the app: 2FA is on, and the 10 recovery
     * codes are returned, this once. @throws AuthError `CODE_INVALID`, `VALIDATION_FAILED`
     */
    confirm(
      input: { userId: string; code: string },
      context?: RequestContext,
    ): Promise<{ recoveryCodes: string[] }>;
  };
  /**
   * Turns 2FA off (TOTP, recovery codes and trusted devices removed) with the password and a
   * TOTP or recovery code. @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`
   */
  disable(
    input: { userId: string; password: string; code: string },
    context?: RequestContext,
  ): Promise<void>;
  /** Recovery codes. */
  readonly recoveryCodes: {
    /**
     * Replaces the recovery codes with 10 new ones (the old die) and returns them, this once.
     * @throws AuthError `PASSWORD_INCORRECT`, `VALIDATION_FAILED` (also when 2FA is off)
     */
    regenerate(
      input: { userId: string; password: string },
      context?: RequestContext,
    ): Promise<{ recoveryCodes: string[] }>;
  };
  /** The phone number for SMS codes. */
  readonly phone: {
    /**
     * Sends a code by SMS to a new number (E.164). @throws AuthError `PASSWORD_INCORRECT`,
     * `VALIDATION_FAILED` (bad number, or no SMS sender configured), `RATE_LIMITED`
     */
    start(
      input: { userId: string; phone: string; password: string },
      context?: RequestContext,
    ): Promise<void>;
    /** Confirms the number with the code; SMS becomes a method. @throws AuthError `CODE_INVALID` */
    confirm(input: { userId: string; code: string }, context?: RequestContext): Promise<void>;
  };
  /**
   * Mails a 6-digit code bound to a sign-in challenge (10 min, 5 tries).
   * @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `RATE_LIMITED`
   */
  sendEmailCode(input: { challenge: string }, context?: RequestContext): Promise<void>;
  /**
   * Texts a 6-digit code bound to a sign-in challenge to the verified phone.
   * @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `RATE_LIMITED`, `VALIDATION_FAILED`
   * (SMS not available for this user)
   */
  sendSmsCode(input: { challenge: string }, context?: RequestContext): Promise<void>;
  /** Trusted devices ("remember this device"). */
  readonly devices: {
    /** Live trusted devices, newest first; `currentDeviceId` marks the caller's. */
    list(userId: string, options?: { currentDeviceId?: string }): Promise<TrustedDeviceInfo[]>;
    /** Revokes one of the user's devices. @throws AuthError `NOT_FOUND` */
    revoke(userId: string, deviceId: string, context?: RequestContext): Promise<void>;
  };
}
