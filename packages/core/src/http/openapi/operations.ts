/**
 * The operations of the HTTP contract (`http-api.md`) as the OpenAPI document describes them:
 * one entry per route of the handler's table (a test holds the two equal), with its request
 * and success schemas and the error codes it can answer besides the ones every route of its
 * kind shares ({@link commonErrors}).
 */
import type { AuthErrorCode } from '../../errors/auth-error.js';
import type { RequestSchemaName } from './requests.js';
import type { ResponseSchemaName } from './responses.js';

/** One operation of the document. */
export interface OperationSpec {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The route's path as the router writes it (`/sessions/:id`). */
  readonly path: string;
  readonly operationId: string;
  readonly tag: 'Identity' | 'Account' | 'Second factor' | 'Document';
  readonly summary: string;
  readonly description?: string;
  /** `session`: a session cookie or Bearer access token; `refresh`: the refresh token. */
  readonly auth: 'none' | 'session' | 'refresh';
  /** The body; `required: false` when it may be empty (an optional proof). */
  readonly request?: { readonly schema: RequestSchemaName; readonly required: boolean };
  /** The success status, its body schema (none for 204) and what it means. */
  readonly success: {
    readonly status: 200 | 202 | 204;
    readonly schema?: ResponseSchemaName;
    readonly description: string;
  };
  /** Codes of this route besides {@link commonErrors}. */
  readonly errors: readonly AuthErrorCode[];
}

/** The codes of a sensitive operation's fresh-session rule (`sign-in/reauthenticate.ts`, `requireStepUp`). */
const FRESHNESS: readonly AuthErrorCode[] = [
  'REAUTH_REQUIRED',
  'PASSWORD_INCORRECT',
  'CODE_INVALID',
  'VALIDATION_FAILED',
  'RATE_LIMITED',
];

/**
 * Codes every operation of a kind can answer: a body is read (400/413/415), an unsafe method
 * (cross-site refusal, CSRF token), a session needed, and the server-side failures.
 */
export function commonErrors(op: OperationSpec): AuthErrorCode[] {
  const codes: AuthErrorCode[] = [];
  if (op.request !== undefined)
    codes.push('BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (op.method !== 'GET') codes.push('CSRF_FAILED');
  if (op.auth === 'session') codes.push('UNAUTHENTICATED');
  codes.push('STORAGE_UNAVAILABLE', 'INTERNAL');
  return codes;
}

const SIGNED_IN =
  'Signed in. Cookie strategy: `{status, user, session}` and the session and CSRF cookies. ' +
  'jwt strategy: `{status, user, accessToken, expiresIn, refreshToken?}` and the refresh ' +
  'cookie (or `refreshToken` in the body with `http.refreshTokenTransport: body`).';

/** Every operation, in the order of `http-api.md`. */
export const OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'POST',
    path: '/register',
    operationId: 'register',
    tag: 'Identity',
    summary: 'Register an account',
    description:
      'Mails a verification link. The answer is the same whether or not the address already has an account (its owner is mailed a notice instead).',
    auth: 'none',
    request: { schema: 'RegisterRequest', required: true },
    success: { status: 202, schema: 'VerificationSent', description: 'Verification mail sent.' },
    errors: ['VALIDATION_FAILED', 'WEAK_PASSWORD', 'USERNAME_TAKEN'],
  },
  {
    method: 'POST',
    path: '/email/verify',
    operationId: 'verifyEmail',
    tag: 'Identity',
    summary: 'Verify an email address with the mailed token',
    auth: 'none',
    request: { schema: 'VerifyEmailRequest', required: true },
    success: { status: 200, schema: 'Verified', description: 'Verified; the token is used up.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED'],
  },
  {
    method: 'POST',
    path: '/email/verify/resend',
    operationId: 'resendVerification',
    tag: 'Identity',
    summary: 'Mail a new verification link',
    auth: 'none',
    request: { schema: 'ResendVerificationRequest', required: true },
    success: { status: 202, schema: 'VerificationSent', description: 'Always the same answer.' },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/login',
    operationId: 'login',
    tag: 'Identity',
    summary: 'Sign in with an email address or username and a password',
    description:
      'With a second factor on and the device not trusted, answers `two_factor_required` with a challenge for `POST /2fa/verify`, and no session.',
    auth: 'none',
    request: { schema: 'LoginRequest', required: true },
    success: { status: 200, schema: 'LoginResponse', description: SIGNED_IN },
    errors: [
      'VALIDATION_FAILED',
      'INVALID_CREDENTIALS',
      'EMAIL_NOT_VERIFIED',
      'ACCOUNT_DISABLED',
      'RATE_LIMITED',
    ],
  },
  {
    method: 'POST',
    path: '/token/refresh',
    operationId: 'refreshToken',
    tag: 'Identity',
    summary: 'Rotate the refresh token for a new access token (jwt strategy)',
    description:
      'The token comes in the body or in the refresh cookie (which needs a trusted origin but no CSRF header). The old refresh token is dead; presenting it again revokes the session.',
    auth: 'refresh',
    request: { schema: 'RefreshRequest', required: false },
    success: {
      status: 200,
      schema: 'RefreshResponse',
      description: 'A new access token; the new refresh token goes where the old one came from.',
    },
    errors: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED'],
  },
  {
    method: 'POST',
    path: '/reauthenticate',
    operationId: 'reauthenticate',
    tag: 'Identity',
    summary: 'Re-authenticate: a new, fresh session replaces this one',
    description:
      'The password, plus `code` and `method` when 2FA is on. Trust changed, so the session token changes (OWASP ASVS 7.2.4): the answer carries the new session exactly as a sign-in does, and the old session and its tokens end. The new session is fresh for `session.freshForSeconds` (with a code, second-factor fresh too).',
    auth: 'session',
    request: { schema: 'ReauthenticateRequest', required: true },
    success: { status: 200, schema: 'SignedIn', description: SIGNED_IN },
    errors: ['PASSWORD_INCORRECT', 'CODE_INVALID', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/logout',
    operationId: 'logout',
    tag: 'Identity',
    summary: 'Sign out',
    auth: 'session',
    success: { status: 204, description: 'The session is revoked and its cookies cleared.' },
    errors: [],
  },
  {
    method: 'POST',
    path: '/logout/all',
    operationId: 'logoutAll',
    tag: 'Identity',
    summary: 'Sign out every session of the user',
    auth: 'session',
    request: { schema: 'FreshnessProofRequest', required: false },
    success: { status: 204, description: 'Every session of the user is revoked.' },
    errors: FRESHNESS,
  },
  {
    method: 'GET',
    path: '/session',
    operationId: 'getSession',
    tag: 'Identity',
    summary: 'The signed-in user and session',
    auth: 'session',
    success: { status: 200, schema: 'SessionResponse', description: 'The caller.' },
    errors: [],
  },
  {
    method: 'GET',
    path: '/sessions',
    operationId: 'listSessions',
    tag: 'Identity',
    summary: "The user's live sessions, newest first",
    auth: 'session',
    success: { status: 200, schema: 'SessionList', description: 'Live sessions only.' },
    errors: [],
  },
  {
    method: 'DELETE',
    path: '/sessions/:id',
    operationId: 'revokeSession',
    tag: 'Identity',
    summary: 'Revoke one of your sessions',
    description:
      'Revoking the current session is a logout; another one needs a fresh session or the proof in the body. Sessions of other users are 404.',
    auth: 'session',
    request: { schema: 'FreshnessProofRequest', required: false },
    success: { status: 204, description: 'The session is revoked.' },
    errors: [...FRESHNESS, 'NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/csrf',
    operationId: 'getCsrfToken',
    tag: 'Identity',
    summary: 'The CSRF token, also set as the CSRF cookie',
    description:
      'Send it as `x-csrf-token` with every state-changing request authenticated by cookie.',
    auth: 'none',
    success: { status: 200, schema: 'CsrfResponse', description: 'The token.' },
    errors: [],
  },
  {
    method: 'GET',
    path: '/jwks.json',
    operationId: 'getJwks',
    tag: 'Identity',
    summary: 'Public keys that verify access tokens (EdDSA, ES256)',
    auth: 'none',
    success: { status: 200, schema: 'Jwks', description: 'A JWK Set, current key first.' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/user',
    operationId: 'getUser',
    tag: 'Account',
    summary: 'The signed-in user',
    auth: 'session',
    success: { status: 200, schema: 'UserResponse', description: 'The user.' },
    errors: [],
  },
  {
    method: 'PATCH',
    path: '/user',
    operationId: 'updateUser',
    tag: 'Account',
    summary: 'Update username and names (`null` clears)',
    auth: 'session',
    request: { schema: 'UpdateProfileRequest', required: true },
    success: { status: 200, schema: 'UserResponse', description: 'The updated user.' },
    errors: ['VALIDATION_FAILED', 'USERNAME_TAKEN'],
  },
  {
    method: 'DELETE',
    path: '/user',
    operationId: 'deleteUser',
    tag: 'Account',
    summary: 'Delete the account and everything tied to it',
    auth: 'session',
    request: { schema: 'DeleteAccountRequest', required: true },
    success: { status: 204, description: 'Deleted; the cookies are cleared.' },
    errors: FRESHNESS,
  },
  {
    method: 'POST',
    path: '/user/email',
    operationId: 'requestEmailChange',
    tag: 'Account',
    summary: 'Change the email address (confirmed by a link mailed to the new one)',
    auth: 'session',
    request: { schema: 'RequestEmailChangeRequest', required: true },
    success: { status: 202, schema: 'ConfirmationSent', description: 'Confirmation mailed.' },
    errors: FRESHNESS,
  },
  {
    method: 'POST',
    path: '/user/email/confirm',
    operationId: 'confirmEmailChange',
    tag: 'Account',
    summary: 'Confirm the new email address with the mailed token',
    auth: 'none',
    request: { schema: 'ConfirmEmailChangeRequest', required: true },
    success: { status: 200, schema: 'UserResponse', description: 'The user, new address.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED'],
  },
  {
    method: 'POST',
    path: '/password/change',
    operationId: 'changePassword',
    tag: 'Account',
    summary: 'Change the password',
    auth: 'session',
    request: { schema: 'ChangePasswordRequest', required: true },
    success: { status: 204, description: 'Changed; other sessions are revoked.' },
    errors: [...FRESHNESS, 'WEAK_PASSWORD'],
  },
  {
    method: 'POST',
    path: '/password/reset',
    operationId: 'requestPasswordReset',
    tag: 'Account',
    summary: 'Mail a password reset link',
    auth: 'none',
    request: { schema: 'PasswordResetRequest', required: true },
    success: { status: 202, schema: 'ResetSent', description: 'Always the same answer.' },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/password/reset/confirm',
    operationId: 'resetPassword',
    tag: 'Account',
    summary: 'Set a new password with the mailed token',
    description: 'A policy failure (`WEAK_PASSWORD`) does not use the token up.',
    auth: 'none',
    request: { schema: 'PasswordResetConfirmRequest', required: true },
    success: {
      status: 200,
      schema: 'PasswordReset',
      description: 'Reset; every session is revoked.',
    },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'WEAK_PASSWORD'],
  },
  {
    method: 'GET',
    path: '/audit',
    operationId: 'listAuditEvents',
    tag: 'Account',
    summary: "The user's security events, newest first",
    auth: 'session',
    success: { status: 200, schema: 'AuditLog', description: 'The events.' },
    errors: [],
  },
  {
    method: 'POST',
    path: '/2fa/verify',
    operationId: 'verifySecondFactor',
    tag: 'Second factor',
    summary: 'Complete a sign-in with a second factor',
    description:
      'With `rememberDevice`, the trusted-device cookie lets this device skip the second factor (30 days by default).',
    auth: 'none',
    request: { schema: 'VerifySecondFactorRequest', required: true },
    success: { status: 200, schema: 'SignedIn', description: SIGNED_IN },
    errors: [
      'VALIDATION_FAILED',
      'TOKEN_INVALID',
      'TOKEN_EXPIRED',
      'CODE_INVALID',
      'ACCOUNT_DISABLED',
      'RATE_LIMITED',
    ],
  },
  {
    method: 'POST',
    path: '/2fa/email/send',
    operationId: 'sendEmailCode',
    tag: 'Second factor',
    summary: 'Mail a sign-in code for a challenge',
    auth: 'none',
    request: { schema: 'ChallengeRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A 6-digit code is mailed.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/2fa/sms/send',
    operationId: 'sendSmsCode',
    tag: 'Second factor',
    summary: 'Text a sign-in code to the verified phone for a challenge',
    auth: 'none',
    request: { schema: 'ChallengeRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A 6-digit code is sent.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/2fa/totp/enroll',
    operationId: 'enrollTotp',
    tag: 'Second factor',
    summary: 'Start a TOTP enrollment',
    auth: 'session',
    request: { schema: 'TotpEnrollRequest', required: true },
    success: {
      status: 200,
      schema: 'TotpEnrollment',
      description: 'The secret, shown once; not active until confirmed.',
    },
    // RATE_LIMITED: password re-checks are throttled like sign-in.
    errors: ['PASSWORD_INCORRECT', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/2fa/totp/confirm',
    operationId: 'confirmTotp',
    tag: 'Second factor',
    summary: 'Confirm the TOTP enrollment with a code',
    auth: 'session',
    request: { schema: 'CodeRequest', required: true },
    success: {
      status: 200,
      schema: 'RecoveryCodes',
      description: '2FA is on; the recovery codes are shown once.',
    },
    // RATE_LIMITED: wrong codes count toward the second-factor lock.
    errors: ['CODE_INVALID', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/2fa/disable',
    operationId: 'disableTwoFactor',
    tag: 'Second factor',
    summary: 'Turn the second factor off',
    auth: 'session',
    request: { schema: 'DisableTwoFactorRequest', required: true },
    success: {
      status: 204,
      description: 'TOTP secret, recovery codes and trusted devices are removed.',
    },
    errors: ['PASSWORD_INCORRECT', 'CODE_INVALID', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'POST',
    path: '/2fa/recovery-codes',
    operationId: 'regenerateRecoveryCodes',
    tag: 'Second factor',
    summary: 'Replace the recovery codes',
    auth: 'session',
    request: { schema: 'RegenerateRecoveryCodesRequest', required: true },
    success: {
      status: 200,
      schema: 'RecoveryCodes',
      description: 'New codes, shown once; the old ones are dead.',
    },
    errors: FRESHNESS,
  },
  {
    method: 'POST',
    path: '/2fa/phone',
    operationId: 'startPhoneVerification',
    tag: 'Second factor',
    summary: 'Text a code to a new phone number (E.164)',
    auth: 'session',
    request: { schema: 'PhoneRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A code is sent by SMS.' },
    errors: FRESHNESS,
  },
  {
    method: 'POST',
    path: '/2fa/phone/confirm',
    operationId: 'confirmPhone',
    tag: 'Second factor',
    summary: 'Confirm the phone number with the texted code',
    auth: 'session',
    request: { schema: 'CodeRequest', required: true },
    success: { status: 204, description: 'SMS becomes an available second factor.' },
    // RATE_LIMITED: wrong codes count toward the second-factor lock.
    errors: ['CODE_INVALID', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  {
    method: 'GET',
    path: '/2fa/devices',
    operationId: 'listTrustedDevices',
    tag: 'Second factor',
    summary: "The user's trusted devices",
    auth: 'session',
    success: { status: 200, schema: 'TrustedDeviceList', description: 'The devices.' },
    errors: [],
  },
  {
    method: 'DELETE',
    path: '/2fa/devices/:id',
    operationId: 'revokeTrustedDevice',
    tag: 'Second factor',
    summary: 'Stop trusting a device',
    auth: 'session',
    success: { status: 204, description: 'The device needs the second factor again.' },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'Document',
    summary: 'This document',
    description: 'Served unless `http.openapi` is false (the default in production): then 404.',
    auth: 'none',
    success: { status: 200, schema: 'OpenApiDocument', description: 'OpenAPI 3.1.' },
    errors: ['NOT_FOUND'],
  },
];
