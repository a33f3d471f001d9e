import type { RateLimitRule, RateLimitRuleName } from './types.js';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The defaults of `docs/configuration.md`, "Options and defaults", and `docs/rate-limits.md`. */
export const DEFAULTS = Object.freeze({
  appName: 'Portcullis',
  session: {
    strategy: 'cookie',
    idleTimeoutSeconds: 7 * DAY,
    absoluteTimeoutSeconds: 30 * DAY,
    touchIntervalSeconds: MINUTE,
    freshForSeconds: 10 * MINUTE,
    maxPerUser: false as number | false,
    refreshRetrySeconds: 30,
    accessToken: {
      ttlSeconds: 15 * MINUTE,
      leewaySeconds: 0,
      algorithm: 'HS256' as 'HS256' | 'EdDSA' | 'ES256',
      privateKeys: [] as readonly JsonWebKey[],
      checkSession: false,
      roles: false,
    },
  },
  password: {
    minLength: 8,
    maxLength: 256,
    blocklist: true,
    extraBlockedWords: [] as string[],
    // `concurrency` defaults to half the available parallelism, known at run time.
    legacyQueue: { maxWaiting: 16 },
  },
  emailVerification: { required: true, tokenTtlSeconds: DAY, path: '/verify-email' },
  passwordReset: { tokenTtlSeconds: 30 * MINUTE, path: '/reset-password' },
  emailChange: { tokenTtlSeconds: DAY, path: '/confirm-email' },
  // `path` defaults to `passwordReset.path` (resolve.ts): the invitee chooses a password there.
  invitation: { tokenTtlSeconds: 7 * DAY },
  passkeys: { challengeTtlSeconds: 5 * MINUTE, origins: [] as readonly string[] },
  magicLink: {
    tokenTtlSeconds: 15 * MINUTE,
    path: '/magic-link',
    createAccounts: false,
    maxCodeAttempts: 5,
  },
  twoFactor: {
    challengeTtlSeconds: 10 * MINUTE,
    challengeMaxAttempts: 5,
    otpTtlSeconds: 10 * MINUTE,
    otpMaxAttempts: 5,
    trustedDeviceTtlSeconds: 30 * DAY,
    recoveryCodeCharacters: 24,
  },
  http: {
    basePath: '/api/auth',
    bodyLimitBytes: 16 * 1024,
    refreshTokenTransport: 'cookie',
    // `openapi` defaults to `!production`, so it is set where `production` is known (resolve.ts).
    cookies: { sameSite: 'lax', insecureDevMode: false },
  },
} as const);

/** Throttling defaults: login, reset and resend, second factor, code sends. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitRuleName, RateLimitRule>> =
  Object.freeze({
    loginPerAccount: { limit: 5, windowSeconds: 15 * MINUTE, lockSeconds: 15 * MINUTE },
    loginPerIp: { limit: 100, windowSeconds: 15 * MINUTE },
    passwordResetPerAddress: { limit: 3, windowSeconds: HOUR },
    passwordResetPerIp: { limit: 20, windowSeconds: HOUR },
    verificationResendPerAddress: { limit: 3, windowSeconds: HOUR },
    verificationResendPerIp: { limit: 20, windowSeconds: HOUR },
    secondFactorPerAccount: { limit: 10, windowSeconds: 15 * MINUTE, lockSeconds: 15 * MINUTE },
    codeSendPerAccount: { limit: 3, windowSeconds: 10 * MINUTE },
    codeSendPerIp: { limit: 20, windowSeconds: HOUR },
    registerPerIp: { limit: 20, windowSeconds: HOUR },
    registerPerAddress: { limit: 3, windowSeconds: HOUR },
    emailChangePerAccount: { limit: 5, windowSeconds: HOUR },
    emailChangePerAddress: { limit: 3, windowSeconds: HOUR },
    mailPerRecipient: { limit: 10, windowSeconds: HOUR },
    // Two hits per sign-in (authorize and callback): 60 sign-ins per IP, NAT included.
    oauthPerIp: { limit: 120, windowSeconds: 15 * MINUTE },
    // Two hits per passkey sign-in (options and verify), as for oauthPerIp.
    passkeyPerIp: { limit: 120, windowSeconds: 15 * MINUTE },
    magicLinkPerAddress: { limit: 3, windowSeconds: HOUR },
    magicLinkPerIp: { limit: 20, windowSeconds: HOUR },
    // Code checks per address, whatever the request: 6 digits, so at most 10 guesses a day.
    magicLinkCodePerAddress: { limit: 10, windowSeconds: DAY },
    magicLinkVerifyPerIp: { limit: 60, windowSeconds: 15 * MINUTE },
  });

/** Bytes a production secret needs at least (256 bits). */
export const MIN_SECRET_BYTES = 32;
