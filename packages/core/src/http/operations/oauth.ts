import { FRESHNESS, type OperationSpec } from './spec.js';

const REDIRECT_TO = {
  name: 'redirectTo',
  required: false,
  description: 'Where to go afterwards: a path on this site (`/settings`); default `/`.',
} as const;

/** What the callback does after a provider answered, for the document. */
const CALLBACK =
  'The provider sends the browser back here (register `{appUrl}{base}/oauth/{provider}/callback` ' +
  'at the provider). Always a redirect: signed in (a session as `/login` makes one, cookies set) ' +
  'to `redirectTo`; a user with 2FA to `/login?challenge=...&methods=...&redirectTo=...` with the ' +
  'challenge cookie; linked to `redirectTo?linked={provider}`; a refusal to ' +
  '`/login?error={CODE}&reason={reason}` (`OAUTH_FAILED` reasons: `state`, `provider_error`, ' +
  '`issuer`, `code`, `id_token`, `profile`, `email_required`, `email_unverified`, ' +
  '`account_in_use`; or `ACCOUNT_LINK_REQUIRED`, `ACCOUNT_DISABLED`, `RATE_LIMITED`).';

/** Social sign-in (`docs/oauth.md`): authorize, callback, linked accounts, link and unlink. */
export const OAUTH_OPERATIONS = {
  oauthAuthorize: {
    method: 'GET',
    path: '/oauth/:provider/authorize',
    tag: 'Social sign-in',
    summary: 'Sign in with a provider',
    description:
      'Redirects to the provider with PKCE (S256), `state` and, for OpenID Connect, `nonce`; ' +
      'sets the browser-binding cookie (`__Host-portcullis.oauth`, HttpOnly, 10 minutes) the ' +
      'callback needs. Unknown provider: 404.',
    auth: 'none',
    query: [REDIRECT_TO],
    success: { status: 302, description: "To the provider's authorization page." },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED', 'RATE_LIMITED'],
  },
  oauthCallback: {
    method: 'GET',
    path: '/oauth/:provider/callback',
    tag: 'Social sign-in',
    summary: "The provider's answer (query)",
    description: CALLBACK,
    auth: 'none',
    query: [
      { name: 'state', required: false, description: 'As sent to the provider.' },
      { name: 'code', required: false, description: 'The authorization code.' },
      { name: 'iss', required: false, description: 'The issuer (RFC 9207), where sent.' },
      { name: 'error', required: false, description: "The provider's error code." },
    ],
    success: { status: 302, description: 'Signed in, challenged, linked or refused: see above.' },
    errors: ['NOT_FOUND'],
  },
  oauthCallbackPost: {
    method: 'POST',
    path: '/oauth/:provider/callback',
    tag: 'Social sign-in',
    summary: "The provider's answer (form_post)",
    description: `${CALLBACK} A cross-site POST (Apple's \`form_post\`) is accepted here only.`,
    auth: 'none',
    crossSite: true,
    request: { schema: 'OAuthCallbackForm', required: true },
    success: { status: 302, description: 'Signed in, challenged, linked or refused: see above.' },
    errors: ['NOT_FOUND'],
  },
  listLinkedAccounts: {
    method: 'GET',
    path: '/oauth/accounts',
    tag: 'Social sign-in',
    summary: "The user's linked accounts",
    auth: 'session',
    success: { status: 200, schema: 'LinkedAccountList', description: 'Oldest first.' },
    errors: [],
  },
  linkAccount: {
    method: 'POST',
    path: '/oauth/:provider/link',
    tag: 'Social sign-in',
    summary: 'Start linking a provider',
    description:
      'Needs a fresh session (or `password`) and, for a user with 2FA, a second factor proven ' +
      'in the session within 10 minutes or `code` + `method`. Answers the URL to send the ' +
      'browser to, and sets the binding cookie; the callback links the identity.',
    auth: 'session',
    request: { schema: 'OAuthLinkRequest', required: false },
    success: { status: 200, schema: 'OAuthRedirect', description: '`{url}`: go there.' },
    errors: [...FRESHNESS, 'NOT_FOUND'],
  },
  unlinkAccount: {
    method: 'DELETE',
    path: '/oauth/accounts/:id',
    tag: 'Social sign-in',
    summary: 'Unlink an account',
    description:
      'Refused (`VALIDATION_FAILED`) when it is the last way to sign in (no password, no other ' +
      'linked account).',
    auth: 'session',
    success: { status: 204, description: 'Unlinked.' },
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
  },
} satisfies Record<string, OperationSpec>;
