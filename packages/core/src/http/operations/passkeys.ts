import { FRESHNESS, type OperationSpec, SIGNED_IN } from './spec.js';

/** Passkeys (`docs/passkeys.md`) and magic links (`docs/magic-links.md`). */
export const PASSWORDLESS_OPERATIONS = {
  passkeyRegistrationOptions: {
    method: 'POST',
    path: '/passkeys/register/options',
    tag: 'Passkeys',
    summary: 'Start registering a passkey',
    description:
      'Needs a fresh session (or `password`) and, for a user with 2FA, a second factor proven ' +
      'in the session within 10 minutes or `code` + `method`; the address must be verified. ' +
      "Answers WebAuthn's `PublicKeyCredentialCreationOptionsJSON` (the user's passkeys " +
      'excluded, resident key and user verification preferred); the challenge is kept ' +
      'server-side, single use, 5 minutes. 404 with passkeys off.',
    auth: 'session',
    request: { schema: 'PasskeyRegistrationOptionsRequest', required: false },
    success: { status: 200, schema: 'PasskeyCreationOptions', description: 'For `create()`.' },
    errors: [...FRESHNESS, 'EMAIL_NOT_VERIFIED', 'NOT_FOUND'],
  },
  registerPasskey: {
    method: 'POST',
    path: '/passkeys/register/verify',
    tag: 'Passkeys',
    summary: 'Finish registering a passkey',
    description:
      "The browser's `RegistrationResponseJSON` for a challenge of this session, and an " +
      'optional `name`. `PASSKEY_INVALID` when it does not verify (the reason goes to the ' +
      '`passkey.failed` event and the typed API, not into the body).',
    auth: 'session',
    request: { schema: 'PasskeyRegistrationRequest', required: true },
    success: { status: 201, schema: 'PasskeyResponse', description: 'The new passkey.' },
    errors: ['PASSKEY_INVALID', 'VALIDATION_FAILED', 'NOT_FOUND'],
  },
  passkeyLoginOptions: {
    method: 'POST',
    path: '/passkeys/login/options',
    tag: 'Passkeys',
    summary: 'Start a passkey sign-in',
    description:
      "Answers a `challengeId` and WebAuthn's `PublicKeyCredentialRequestOptionsJSON`. Without " +
      '`identifier`, no credentials are listed: the browser offers its discoverable passkeys ' +
      '(also as autofill). With one, its passkeys are listed (an unknown identifier gets a ' +
      'stand-in, so the answer tells nothing). Throttled per IP (`passkeyPerIp`).',
    auth: 'none',
    request: { schema: 'PasskeyLoginOptionsRequest', required: false },
    success: { status: 200, schema: 'PasskeyLoginOptions', description: 'For `get()`.' },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED', 'NOT_FOUND'],
  },
  passkeyLogin: {
    method: 'POST',
    path: '/passkeys/login/verify',
    tag: 'Passkeys',
    summary: 'Sign in with a passkey',
    description:
      "`challengeId` and the browser's `AuthenticationResponseJSON`. A passkey that verified " +
      'the user is two factors in one: no password, no second-factor challenge (`amr` ' +
      '`["hwk","user"]`). `PASSKEY_INVALID` when it does not verify, or did not verify the ' +
      'user (the reason goes to the `passkey.failed` event and the typed API).',
    auth: 'none',
    request: { schema: 'PasskeyLoginRequest', required: true },
    success: { status: 200, schema: 'LoginResponse', description: SIGNED_IN },
    errors: [
      'PASSKEY_INVALID',
      'VALIDATION_FAILED',
      'ACCOUNT_DISABLED',
      'EMAIL_NOT_VERIFIED',
      'RATE_LIMITED',
      'NOT_FOUND',
    ],
  },
  listPasskeys: {
    method: 'GET',
    path: '/passkeys',
    tag: 'Passkeys',
    summary: "The user's passkeys",
    auth: 'session',
    success: { status: 200, schema: 'PasskeyList', description: 'Oldest first.' },
    errors: ['NOT_FOUND'],
  },
  renamePasskey: {
    method: 'PATCH',
    path: '/passkeys/:id',
    tag: 'Passkeys',
    summary: 'Rename a passkey',
    auth: 'session',
    request: { schema: 'RenamePasskeyRequest', required: true },
    success: { status: 200, schema: 'PasskeyResponse', description: 'The renamed passkey.' },
    errors: ['VALIDATION_FAILED', 'NOT_FOUND'],
  },
  removePasskey: {
    method: 'DELETE',
    path: '/passkeys/:id',
    tag: 'Passkeys',
    summary: 'Remove a passkey',
    description:
      'Needs a fresh session (or `password`; for a user with 2FA a factor, as for adding one). ' +
      'Refused (`VALIDATION_FAILED`) when it is the last way to sign in (no password, no ' +
      'other passkey or linked account, no verified address with magic links on).',
    auth: 'session',
    request: { schema: 'RemovePasskeyRequest', required: false },
    success: { status: 204, description: 'Removed.' },
    errors: [...FRESHNESS, 'EMAIL_NOT_VERIFIED', 'NOT_FOUND'],
  },
  requestMagicLink: {
    method: 'POST',
    path: '/magic-link',
    tag: 'Magic links',
    summary: 'Email me a sign-in link',
    description:
      'Always `202 {"status":"link_sent"}`, whether or not the address has an account ' +
      '(unknown addresses get no mail unless `magicLink.createAccounts`). The mail carries a ' +
      'link `{appUrl}{magicLink.path}?token=…` and a 6-digit code, both single use, 15 ' +
      'minutes. Throttled per address and IP. 404 unless magic links are on.',
    auth: 'none',
    request: { schema: 'MagicLinkRequest', required: true },
    success: {
      status: 202,
      schema: 'LinkSent',
      description: 'Mailed, if the address may sign in.',
    },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED', 'NOT_FOUND'],
  },
  verifyMagicLink: {
    method: 'POST',
    path: '/magic-link/verify',
    tag: 'Magic links',
    summary: 'Sign in with a mailed link or code',
    description:
      "The link's `token`, or `email` and `code` (5 wrong codes end the request). Answers as " +
      '`/login`: a user with 2FA gets `two_factor_required` (the email code is not offered ' +
      'then).',
    auth: 'none',
    request: { schema: 'MagicLinkVerifyRequest', required: true },
    success: { status: 200, schema: 'LoginResponse', description: SIGNED_IN },
    errors: [
      'VALIDATION_FAILED',
      'TOKEN_INVALID',
      'TOKEN_EXPIRED',
      'CODE_INVALID',
      'ACCOUNT_DISABLED',
      'NOT_FOUND',
    ],
  },
} satisfies Record<string, OperationSpec>;
