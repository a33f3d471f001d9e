/**
 * Every purpose of a one-time token that core writes, in one place: core's flows, the storage
 * adapters and the conformance kit use these names, so that `tokens.deleteByUser(userId,
 * { purpose })` never takes a misspelt one.
 */
export const TOKEN_PURPOSES = Object.freeze({
  /** Email verification link (register, resend). */
  verifyEmail: 'verify-email',
  /** Password reset link. */
  passwordReset: 'password-reset',
  /** Link confirming a new email address. */
  emailChange: 'email-change',
  /** A sign-in waiting for its second factor. */
  twoFactorChallenge: '2fa-challenge',
  /** An emailed code bound to a challenge. */
  twoFactorEmailCode: '2fa-email',
  /** An SMS code bound to a challenge. */
  twoFactorSmsCode: '2fa-sms',
  /** A code proving a new phone number. */
  phoneVerify: 'phone-verify',
  /** A TOTP secret waiting for its first code. */
  totpEnroll: 'totp-enroll',
  /** A marker: emailed codes are paused since a password reset. */
  emailFactorPaused: '2fa-email-paused',
  /** A social sign-in's `state` at the provider: single use, 10 minutes, no user for a sign-in. */
  oauthState: 'oauth-state',
  /** A passkey registration's challenge: single use, 5 minutes, the user's. */
  passkeyRegistration: 'passkey-register',
  /** A passkey sign-in's (or second factor's) challenge: single use, 5 minutes, userless. */
  passkeyChallenge: 'passkey-login',
  /** A magic link (`magicLink`): single use, 15 minutes; userless when it may create an account. */
  magicLink: 'magic-link',
  /** The 6-digit code mailed with a magic link, keyed by the address. */
  magicLinkCode: 'magic-link-code',
  /**
   * A running impersonation, keyed by its session id (the impersonated user's), for as long as
   * the session: consumed once when it stops, so a stop is audited once however many race.
   */
  impersonation: 'impersonation',
} as const);

/** One of the purposes in {@link TOKEN_PURPOSES}. */
export type TokenPurpose = (typeof TOKEN_PURPOSES)[keyof typeof TOKEN_PURPOSES];
