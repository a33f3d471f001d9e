import type { SessionInfo, SessionTokens } from '../sessions/types.js';
import type { SecondFactorMethod } from '../two-factor/types.js';
import type { PublicUser } from '../users/public.js';

/** Input of `auth.login`. */
export interface LoginInput {
  /** Email address or username. */
  identifier: string;
  /** The password. */
  password: string;
}

/** A completed sign-in: the user, the new session and what the client keeps. */
export interface SignedIn {
  readonly status: 'signed_in';
  readonly user: PublicUser;
  readonly session: SessionInfo;
  readonly tokens: SessionTokens;
}

/** Outcome of a sign-in: signed in, or a second factor is needed. */
export type LoginResult =
  | SignedIn
  | {
      readonly status: 'two_factor_required';
      readonly challenge: string;
      readonly methods: readonly SecondFactorMethod[];
    };

/** Input of `auth.verifySecondFactor`. */
export interface VerifySecondFactorInput {
  /** The challenge from a `two_factor_required` sign-in. */
  challenge: string;
  /** Which kind of code `code` is. */
  method: SecondFactorMethod;
  /**
   * The code: TOTP, emailed, SMS, or a recovery code (dashes, spaces and case do not matter).
   * Required for every method but `passkey`.
   */
  code?: string;
  /**
   * With `passkey`: the browser's `AuthenticationResponseJSON` for the options of
   * `auth.passkeys.secondFactorOptions` (`POST /2fa/passkey/options`).
   */
  response?: unknown;
  /** Trust this device for `twoFactor.trustedDeviceTtlSeconds` (default 30 days). */
  rememberDevice?: boolean;
}

/** A completed sign-in after the second factor; with `rememberDevice`, the device's token. */
export type SecondFactorResult = SignedIn & {
  /**
   * The trusted-device token, `{id}.{secret}`, to keep on the device (the HTTP layer sets it as
   * the `__Host-portcullis.device` cookie) and present at sign-in as
   * `RequestContext.trustedDevice`. `expiresAt` is epoch milliseconds.
   */
  readonly trustedDevice?: { readonly token: string; readonly expiresAt: number };
};

/**
 * Who asks for a sensitive operation, and the proof the request carries. Every sensitive
 * method of `Auth` (password and email change, account deletion, every 2FA setting, ending
 * sessions) takes these fields and applies the freshness rules itself (`docs/security.md`),
 * so the typed API and the HTTP routes give the same answers.
 */
export interface StepUp {
  /**
   * The caller's session. The HTTP routes pass the session of the request. Without it the
   * call is judged like a session that is neither fresh nor second-factor fresh.
   */
  sessionId?: string | undefined;
  /** With 2FA on: a TOTP or recovery code, proving the second factor in this request. */
  code?: string | undefined;
  /** The kind of `code`: `totp` or `recovery`. */
  method?: 'totp' | 'recovery' | undefined;
}

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
