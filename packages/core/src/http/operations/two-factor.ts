import { FRESHNESS, type OperationSpec, SIGNED_IN } from './spec.js';

/**
 * Second factor operations of the table: the second step of a sign-in, codes by email and SMS,
 * TOTP, recovery codes, the phone and trusted devices (`docs/http.md`, "Second factor").
 */
export const TWO_FACTOR_OPERATIONS = {
  verifySecondFactor: {
    method: 'POST',
    path: '/2fa/verify',
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
  sendEmailCode: {
    method: 'POST',
    path: '/2fa/email/send',
    tag: 'Second factor',
    summary: 'Mail a sign-in code for a challenge',
    auth: 'none',
    request: { schema: 'ChallengeRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A 6-digit code is mailed.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'RATE_LIMITED'],
  },
  passkeyFactorOptions: {
    method: 'POST',
    path: '/2fa/passkey/options',
    tag: 'Second factor',
    summary: 'Options for answering a challenge with a passkey',
    description:
      "WebAuthn's `PublicKeyCredentialRequestOptionsJSON` (`options`) listing the user's " +
      "passkeys; send the browser's `AuthenticationResponseJSON` to `POST /2fa/verify` as " +
      '`response` with `method: "passkey"`. Offered (`methods` includes `passkey`) when the user ' +
      'has a passkey; user verification is not needed for a second factor.',
    auth: 'none',
    request: { schema: 'ChallengeRequest', required: true },
    success: { status: 200, schema: 'PasskeyFactorOptions', description: '`{options}`.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'NOT_FOUND'],
  },
  sendSmsCode: {
    method: 'POST',
    path: '/2fa/sms/send',
    tag: 'Second factor',
    summary: 'Text a sign-in code to the verified phone for a challenge',
    auth: 'none',
    request: { schema: 'ChallengeRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A 6-digit code is sent.' },
    errors: ['VALIDATION_FAILED', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'RATE_LIMITED'],
  },
  enrollTotp: {
    method: 'POST',
    path: '/2fa/totp/enroll',
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
  confirmTotp: {
    method: 'POST',
    path: '/2fa/totp/confirm',
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
  disableTwoFactor: {
    method: 'POST',
    path: '/2fa/disable',
    tag: 'Second factor',
    summary: 'Turn the second factor off',
    auth: 'session',
    request: { schema: 'DisableTwoFactorRequest', required: true },
    success: {
      status: 204,
      description: 'TOTP secret, recovery codes and trusted devices are removed.',
    },
    errors: [
      'PASSWORD_INCORRECT',
      'CODE_INVALID',
      'VALIDATION_FAILED',
      'RATE_LIMITED',
      'FORBIDDEN',
    ],
  },
  regenerateRecoveryCodes: {
    method: 'POST',
    path: '/2fa/recovery-codes',
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
  startPhoneVerification: {
    method: 'POST',
    path: '/2fa/phone',
    tag: 'Second factor',
    summary: 'Text a code to a new phone number (E.164)',
    auth: 'session',
    request: { schema: 'PhoneRequest', required: true },
    success: { status: 202, schema: 'CodeSent', description: 'A code is sent by SMS.' },
    errors: FRESHNESS,
  },
  confirmPhone: {
    method: 'POST',
    path: '/2fa/phone/confirm',
    tag: 'Second factor',
    summary: 'Confirm the phone number with the texted code',
    auth: 'session',
    request: { schema: 'CodeRequest', required: true },
    success: { status: 204, description: 'SMS becomes an available second factor.' },
    // RATE_LIMITED: wrong codes count toward the second-factor lock.
    errors: ['CODE_INVALID', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  listTrustedDevices: {
    method: 'GET',
    path: '/2fa/devices',
    tag: 'Second factor',
    summary: "The user's trusted devices",
    auth: 'session',
    success: { status: 200, schema: 'TrustedDeviceList', description: 'The devices.' },
    errors: [],
  },
  revokeTrustedDevice: {
    method: 'DELETE',
    path: '/2fa/devices/:id',
    tag: 'Second factor',
    summary: 'Stop trusting a device',
    auth: 'session',
    success: { status: 204, description: 'The device needs the second factor again.' },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
  },
} satisfies Record<string, OperationSpec>;
