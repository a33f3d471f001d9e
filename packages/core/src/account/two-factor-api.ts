import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { StepUp } from '../sign-in/types.js';
import { sendChallengeCode } from '../two-factor/send-code.js';
import { listTrustedDevices, revokeTrustedDevice } from '../two-factor/trusted-devices.js';
import type { TrustedDeviceInfo, TwoFactorStatus } from '../two-factor/types.js';
import { confirmTotp, enrollTotp } from './two-factor-enroll.js';
import { disableTwoFactor, regenerateRecoveryCodes, twoFactorStatus } from './two-factor-manage.js';
import { confirmPhone, startPhone } from './two-factor-phone.js';

/** Builds `auth.twoFactor` over one runtime. */
export function createTwoFactorApi(rt: AuthRuntime): TwoFactorApi {
  return {
    status: (userId) => twoFactorStatus(rt, userId),
    totp: {
      enroll: (input, context) => enrollTotp(rt, input, context ?? {}),
      confirm: (input, context) => confirmTotp(rt, input, context ?? {}),
    },
    disable: (input, context) => disableTwoFactor(rt, input, context ?? {}),
    recoveryCodes: {
      regenerate: (input, context) => regenerateRecoveryCodes(rt, input, context ?? {}),
    },
    phone: {
      start: (input, context) => startPhone(rt, input, context ?? {}),
      confirm: (input, context) => confirmPhone(rt, input, context ?? {}),
    },
    sendEmailCode: (input, context) => sendChallengeCode(rt, 'email', input, context ?? {}),
    sendSmsCode: (input, context) => sendChallengeCode(rt, 'sms', input, context ?? {}),
    devices: {
      list: (userId, options) =>
        listTrustedDevices(rt, userId, { currentDeviceId: options?.currentDeviceId }),
      revoke: (userId, deviceId, context) =>
        revokeTrustedDevice(rt, { userId, deviceId }, context ?? {}),
    },
  };
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
      input: { userId: string; code: string; sessionId?: string },
      context?: RequestContext,
    ): Promise<{ recoveryCodes: string[] }>;
  };
  /**
   * Turns 2FA off (TOTP, recovery codes and trusted devices removed) with the password and a
   * TOTP or recovery code. A credential change: every session but `sessionId` (the caller's)
   * ends. @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`
   */
  disable(
    input: { userId: string; password?: string; code: string; sessionId?: string },
    context?: RequestContext,
  ): Promise<void>;
  /** Recovery codes. */
  readonly recoveryCodes: {
    /**
     * Replaces the recovery codes with 10 new ones (the old die) and returns them, this once.
     * Needs the password and a second factor: `code` and `method` in the same call, or a
     * `sessionId` whose second factor was proven in the last `session.freshForSeconds`.
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`,
     * `VALIDATION_FAILED` (also when 2FA is off)
     */
    regenerate(
      input: { userId: string; password?: string } & StepUp,
      context?: RequestContext,
    ): Promise<{ recoveryCodes: string[] }>;
  };
  /** The phone number for SMS codes. */
  readonly phone: {
    /**
     * Sends a code by SMS to a new number (E.164). With 2FA on, needs a second factor like
     * `recoveryCodes.regenerate`. @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`,
     * `CODE_INVALID`, `VALIDATION_FAILED` (bad number, or no SMS sender configured),
     * `RATE_LIMITED`
     */
    start(
      input: { userId: string; phone: string; password?: string } & StepUp,
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
