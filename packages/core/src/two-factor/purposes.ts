import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { SecondFactorMethod } from './types.js';

/** One-time-token purposes of the second factor, each with its own HMAC key for codes. */
export const PURPOSE = Object.freeze({
  /** A sign-in waiting for its second factor; selector.verifier, 10 min, 5 wrong codes. */
  challenge: TOKEN_PURPOSES.twoFactorChallenge,
  /** A mailed code, bound to a challenge (selector = the challenge's selector). */
  emailCode: TOKEN_PURPOSES.twoFactorEmailCode,
  /** An SMS code, bound to a challenge (selector = the challenge's selector). */
  smsCode: TOKEN_PURPOSES.twoFactorSmsCode,
  /** A code that proves a new phone number (selector = the user id: one per user). */
  phone: TOKEN_PURPOSES.phoneVerify,
  /** A TOTP secret waiting for its first code (selector = the user id: one per user). */
  totpEnroll: TOKEN_PURPOSES.totpEnroll,
  /**
   * A marker, not a secret: email codes are paused for the user since a password reset
   * (selector = the user id). See `email-pause.ts`.
   */
  emailPaused: TOKEN_PURPOSES.emailFactorPaused,
} as const);

/** Keyring purpose of the AES-256-GCM key that encrypts TOTP secrets at rest. */
export const TOTP_SECRET_KEY = 'totp-secret';

/** How long email codes stay paused after a password reset at most, seconds (30 days). */
export const EMAIL_PAUSE_SECONDS = 30 * 24 * 60 * 60;

/** How long an enrollment waits for its first code, seconds. */
export const ENROLL_TTL_SECONDS = 15 * 60;

/** What each method adds to `pwd` in a session's `amr` (RFC 8176 where it has a name). */
export const METHOD_AMR: Readonly<Record<SecondFactorMethod, string>> = Object.freeze({
  totp: 'otp',
  email: 'email',
  sms: 'sms',
  recovery: 'recovery',
  passkey: 'hwk',
});

/** `amr` value of a sign-in whose second factor was a trusted device. */
export const DEVICE_AMR = 'device';
