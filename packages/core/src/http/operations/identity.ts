import { type OperationSpec, SIGNED_IN } from './spec.js';

/**
 * Identity operations of the table: registration, email verification, sign-in, token refresh
 * and re-authentication (`docs/http.md`, "Identity").
 */
export const IDENTITY_OPERATIONS = {
  register: {
    method: 'POST',
    path: '/register',
    tag: 'Identity',
    summary: 'Register an account',
    description:
      'Mails a verification link. The answer is the same whether or not the address already has an account (its owner is mailed a notice instead).',
    auth: 'none',
    request: { schema: 'RegisterRequest', required: true },
    success: { status: 202, schema: 'VerificationSent', description: 'Verification mail sent.' },
    alsoSuccess: {
      status: 200,
      schema: 'SignedIn',
      description: `With \`registration.signIn\` (and no required verification), a new address is signed in at once. ${SIGNED_IN}`,
    },
    errors: ['VALIDATION_FAILED', 'WEAK_PASSWORD', 'USERNAME_TAKEN', 'RATE_LIMITED'],
  },
  verifyEmail: {
    method: 'POST',
    path: '/email/verify',
    tag: 'Identity',
    summary: 'Verify an email address with the mailed token',
    auth: 'none',
    request: { schema: 'VerifyEmailRequest', required: true },
    success: { status: 200, schema: 'Verified', description: 'Verified; the token is used up.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED'],
  },
  resendVerification: {
    method: 'POST',
    path: '/email/verify/resend',
    tag: 'Identity',
    summary: 'Mail a new verification link',
    auth: 'none',
    request: { schema: 'ResendVerificationRequest', required: true },
    success: { status: 202, schema: 'VerificationSent', description: 'Always the same answer.' },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  login: {
    method: 'POST',
    path: '/login',
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
  refreshToken: {
    method: 'POST',
    path: '/token/refresh',
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
    errors: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'VALIDATION_FAILED'],
  },
  reauthenticate: {
    method: 'POST',
    path: '/reauthenticate',
    tag: 'Identity',
    summary: 'Re-authenticate: a new, fresh session replaces this one',
    description:
      'The password, plus `code` and `method` when 2FA is on. Trust changed, so the session token changes (OWASP ASVS 7.2.4): the answer carries the new session exactly as a sign-in does, and the old session and its tokens end. The new session is fresh for `session.freshForSeconds` (with a code, second-factor fresh too).',
    auth: 'session',
    request: { schema: 'ReauthenticateRequest', required: true },
    success: { status: 200, schema: 'SignedIn', description: SIGNED_IN },
    errors: [
      'PASSWORD_INCORRECT',
      'CODE_INVALID',
      'VALIDATION_FAILED',
      'RATE_LIMITED',
      'FORBIDDEN',
    ],
  },
} satisfies Record<string, OperationSpec>;
