import * as v from 'valibot';
import { enforceRule, hitRule } from '../abuse/rate-limit.js';
import { claimUnverified } from '../credentials/claim.js';
import { generationOf } from '../credentials/generation.js';
import { timingSafeEqualStrings } from '../crypto/compare.js';
import { toBase64Url } from '../crypto/encoding.js';
import { hmacSha256, sha256Base64Url } from '../crypto/hash.js';
import {
  createSplitToken,
  parseSplitToken,
  randomToken,
  TOKEN_ID_BYTES,
} from '../crypto/tokens.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { parseInput, passwordField } from '../flows/input.js';
import { sendVerificationMail } from '../link-tokens/verification-mail.js';
import {
  type AuthorizationSecrets,
  authorizationUrl,
  type Exchanged,
  exchangeCode,
  oauthFailed,
} from '../oauth/client.js';
import type { OAuthProfile, OAuthProvider } from '../oauth/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { FIRST_GENERATION } from '../storage/generation.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { AccountRecord } from '../storage/types/accounts.js';
import type { UserRecord } from '../storage/types/users.js';
import { normalizeEmail } from '../users/normalize.js';
import { finishSignIn } from './complete.js';
import { removeWayIn, requireMethodChangeProof } from './methods.js';
import { stepUpFields } from './step-up.js';
import type { LoginResult } from './types.js';

/** How long an authorization may take at the provider (the state's life): 10 minutes. */
export const OAUTH_STATE_TTL_SECONDS = 10 * 60;
/** Keyring purpose of the key that derives each authorization's PKCE verifier and nonce. */
const DERIVE_KEY = 'oauth-derive';
/** The authentication method a provider's sign-in records (RFC 8176 has none for federation). */
export const OAUTH_AMR = 'fed';

/** What starting an authorization returns: where to send the browser, and its binding secret. */
export interface OAuthStart {
  /** The provider's authorization URL (302 there). */
  readonly url: string;
  /** Secret for the browser-binding cookie (HttpOnly, 10 minutes): the callback needs it. */
  readonly binding: string;
  /** The cookie's SameSite: `none` for a provider that answers with a cross-site POST. */
  readonly sameSite: 'lax' | 'none';
}

/** What the callback did, and where the browser goes next. */
export type OAuthOutcome =
  | { readonly status: 'signed_in' | 'two_factor_required'; readonly result: LoginResult }
  | { readonly status: 'linked'; readonly account: LinkedAccount };

/** A linked account as the API shows it (no subject, no tokens). */
export interface LinkedAccount {
  /** The link's id (`DELETE /oauth/accounts/:id`). */
  readonly id: string;
  /** The provider's id. */
  readonly provider: string;
  /** The email the provider asserted, or `null`. */
  readonly email: string | null;
  /** When it was linked, epoch ms. */
  readonly createdAt: number;
  /** When it last signed in, epoch ms. */
  readonly lastUsedAt: number;
}

/** The API view of a stored link. */
export function toLinkedAccount(a: AccountRecord): LinkedAccount {
  return {
    id: a.id,
    provider: a.provider,
    email: a.email ?? null,
    createdAt: a.createdAt,
    lastUsedAt: a.lastUsedAt,
  };
}

/** The configured provider `id`. @throws AuthError `NOT_FOUND` for any other */
export function providerOf(rt: AuthRuntime, id: string): OAuthProvider {
  const found = rt.config.oauth?.providers.find((p) => p.id === id);
  if (found === undefined) throw new AuthError('NOT_FOUND');
  return found;
}

/** The callback URL registered at the provider for `providerId`. */
export function callbackUrl(rt: AuthRuntime, providerId: string): string {
  const custom = rt.config.oauth?.callbackUrl;
  if (custom !== undefined) return custom(providerId);
  return `${rt.config.appOrigin}${rt.config.http.basePath}/oauth/${providerId}/callback`;
}

/**
 * `redirectTo` as a same-origin path (`/settings?tab=1`), or `/` when absent. Anything that a
 * browser could read as another origin (`//evil`, `/\evil`, `https://…`, control characters)
 * is refused: no open redirect. @throws AuthError `VALIDATION_FAILED`
 */
export function safeRedirectPath(value: unknown): string {
  if (value === undefined || value === '') return '/';
  const ok =
    typeof value === 'string' &&
    value.length <= 1024 &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\') &&
    // No control characters, spaces or backslashes anywhere: browsers strip or rewrite them.
    /^[\x21-\x7e]*$/.test(value) &&
    !value.includes('\\');
  if (!ok) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'redirectTo', message: 'redirectTo must be a path on this site' }],
    });
  }
  // Resolve as a browser would against a placeholder origin: still on it, or refused. Dot
  // segments are refused outright (`/.//evil`, `/%2e%2e//evil` resolve to `//evil`, which a
  // browser reads as another host), and so is anything whose resolved path would start `//`.
  const url = new URL(value, 'https://portcullis.invalid');
  const path = `${url.pathname}${url.search}${url.hash}`;
  const dotSegment = /(^|\/)(\.|%2e){1,2}(\/|\?|#|$)/i.test(value.split(/[?#]/)[0] ?? '');
  if (
    url.origin !== 'https://portcullis.invalid' ||
    dotSegment ||
    path.startsWith('//') ||
    path.startsWith('/\\')
  ) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'redirectTo', message: 'redirectTo must be a path on this site' }],
    });
  }
  return path;
}

/** The proof fields of `POST /oauth/:provider/link`. */
const linkSchema = v.object({
  password: v.optional(passwordField()),
  code: stepUpFields.code,
  method: stepUpFields.method,
});

/** The PKCE verifier and nonce of an authorization, derived from its state: nothing secret stored. */
function secretsOf(rt: AuthRuntime, state: string): AuthorizationSecrets {
  const key = rt.keyring.deriveKey(DERIVE_KEY);
  return {
    state,
    codeVerifier: toBase64Url(hmacSha256(key, `pkce/${state}`)),
    nonce: toBase64Url(hmacSha256(key, `nonce/${state}`)),
  };
}

function fetchOf(rt: AuthRuntime): typeof fetch {
  return rt.config.oauth?.fetch ?? fetch;
}

/**
 * Starts an authorization at `providerId` for a sign-in, or (with `link`) for linking the
 * provider to the signed-in user: the state (single use, 10 minutes, its verifier hashed) is
 * kept in the tokens store with where to go afterwards and the hash of a browser-binding
 * secret; PKCE S256 and the OIDC nonce are derived from the state under the server's key.
 * Throttled per client IP (`oauthPerIp`).
 * @throws AuthError `NOT_FOUND` (unknown provider), `VALIDATION_FAILED` (`redirectTo`),
 * `RATE_LIMITED`
 */
export async function startOAuth(
  rt: AuthRuntime,
  providerId: string,
  input: {
    redirectTo?: unknown;
    link?: { userId: string; sessionId: string; credentialGeneration: number };
  },
  context: RequestContext,
): Promise<OAuthStart> {
  const provider = providerOf(rt, providerId);
  const redirectTo = safeRedirectPath(input.redirectTo);
  if (context.ip !== undefined) await enforceRule(rt, 'oauthPerIp', context.ip);
  const token = createSplitToken({ random: rt.config.random });
  const binding = randomToken({ random: rt.config.random });
  // The provider first (discovery may fail): no state is stored for an authorization that
  // cannot start.
  const url = await authorizationUrl(provider, fetchOf(rt), {
    redirectUri: callbackUrl(rt, provider.id),
    secrets: secretsOf(rt, token.token),
  });
  const now = rt.now();
  await rt.storage.tokens.create({
    purpose: TOKEN_PURPOSES.oauthState,
    selector: token.id,
    verifierHash: token.secretHash,
    ...(input.link === undefined ? {} : { userId: input.link.userId }),
    expiresAt: now + OAUTH_STATE_TTL_SECONDS * 1000,
    attempts: 0,
    payload: {
      provider: provider.id,
      redirectTo,
      binding: sha256Base64Url(binding),
      ...(input.link === undefined
        ? {}
        : {
            linkSession: input.link.sessionId,
            linkGeneration: input.link.credentialGeneration,
          }),
    },
  });
  return { url, binding, sameSite: provider.responseMode === 'form_post' ? 'none' : 'lax' };
}

/**
 * Starts linking `providerId` to the signed-in user: a fresh session (or the password in the
 * request) and, for a user with 2FA on, a second factor proven in the session within
 * `session.freshForSeconds` or a code in the request, as for any factor change.
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `NOT_FOUND`,
 * `VALIDATION_FAILED`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function startLink(
  rt: AuthRuntime,
  providerId: string,
  input: {
    userId: string;
    sessionId: string;
    redirectTo?: unknown;
    password?: string | undefined;
    code?: string | undefined;
    method?: 'totp' | 'recovery' | undefined;
  },
  context: RequestContext,
): Promise<OAuthStart> {
  // The body first (a broken field is VALIDATION_FAILED naming it, whatever the provider).
  const proof = parseInput(linkSchema, {
    password: input.password,
    code: input.code,
    method: input.method,
  });
  safeRedirectPath(input.redirectTo);
  providerOf(rt, providerId);
  const user = await requireMethodChangeProof(
    rt,
    { userId: input.userId, sessionId: input.sessionId, ...proof },
    context,
  );
  return startOAuth(
    rt,
    providerId,
    {
      redirectTo: input.redirectTo,
      link: {
        userId: user.id,
        sessionId: input.sessionId,
        credentialGeneration: generationOf(user),
      },
    },
    context,
  );
}

/**
 * The provider sent the browser back (`GET` query or `POST` form): the state is used up (single
 * use; it must be this provider's and this browser's), the response checked, the code exchanged
 * and the ID token validated (`exchangeCode`), then the identity resolved by the linking rules
 * (docs/oauth.md) and the sign-in finished as every method's is (the second factor applies), or
 * the identity linked to the user who started linking.
 * @throws AuthError `OAUTH_FAILED` (with `details[0].message` the reason),
 * `ACCOUNT_LINK_REQUIRED`, `ACCOUNT_DISABLED`, `NOT_FOUND`, `RATE_LIMITED`
 */
export async function completeOAuth(
  rt: AuthRuntime,
  providerId: string,
  input: { params: URLSearchParams; binding: string | undefined },
  context: RequestContext,
): Promise<{ outcome: OAuthOutcome; redirectTo: string }> {
  const provider = providerOf(rt, providerId);
  if (context.ip !== undefined) await enforceRule(rt, 'oauthPerIp', context.ip);
  try {
    return await finishCallback(rt, provider, input, context);
  } catch (error) {
    if (isAuthError(error) && error.code === 'OAUTH_FAILED') {
      // Anyone can send a broken callback at will: budgeted (events/budget.ts), never a secret.
      const details = Object.fromEntries((error.details ?? []).map((d) => [d.path, d.message]));
      await rt.emit(
        {
          type: 'oauth.failed',
          data: {
            provider: provider.id,
            reason: details.reason ?? null,
            ...(details.providerError === undefined
              ? {}
              : { providerError: details.providerError }),
          },
        },
        context,
      );
    }
    throw error;
  }
}

async function finishCallback(
  rt: AuthRuntime,
  provider: OAuthProvider,
  input: { params: URLSearchParams; binding: string | undefined },
  context: RequestContext,
): Promise<{ outcome: OAuthOutcome; redirectTo: string }> {
  const stateParam = input.params.get('state');
  const parsed = parseSplitToken(stateParam);
  if (parsed === undefined) throw oauthFailed('state');
  const now = rt.now();
  const used = await rt.storage.tokens.consume(TOKEN_PURPOSES.oauthState, parsed.id, {
    verifierHash: sha256Base64Url(parsed.secret),
    now,
  });
  if (used.status !== 'ok') throw oauthFailed('state');
  const payload = used.record.payload ?? {};
  const bindingHash = typeof payload.binding === 'string' ? payload.binding : '';
  const presented = sha256Base64Url(input.binding ?? '');
  // Another provider's state (mix-up), or a state started in another browser (login CSRF).
  if (payload.provider !== provider.id || !timingSafeEqualStrings(bindingHash, presented)) {
    throw oauthFailed('state');
  }
  const redirectTo = typeof payload.redirectTo === 'string' ? payload.redirectTo : '/';
  const exchanged = await exchangeCode(provider, fetchOf(rt), {
    params: input.params,
    redirectUri: callbackUrl(rt, provider.id),
    secrets: secretsOf(rt, stateParam as string),
    now,
  });
  if (used.record.userId !== undefined) {
    const linkSession = typeof payload.linkSession === 'string' ? payload.linkSession : '';
    const linkGeneration = typeof payload.linkGeneration === 'number' ? payload.linkGeneration : -1;
    const account = await linkIdentity(
      rt,
      provider,
      exchanged,
      { userId: used.record.userId, sessionId: linkSession, generation: linkGeneration },
      context,
    );
    return { outcome: { status: 'linked', account }, redirectTo };
  }
  const result = await signInWithIdentity(rt, provider, exchanged, context);
  return {
    outcome: { status: result.status, result },
    redirectTo,
  };
}

/** The encrypted provider tokens for the link, when the provider keeps them. */
async function tokensField(
  rt: AuthRuntime,
  provider: OAuthProvider,
  exchanged: Exchanged,
  previous?: string,
): Promise<{ encryptedTokens?: string }> {
  if (provider.keepTokens !== true) return {};
  let tokens: Exchanged['tokens'] = exchanged.tokens;
  // Providers send a refresh token once (Google, at the first consent): keep the one stored.
  if (tokens.refreshToken === undefined && previous !== undefined) {
    const kept = await rt.keyring
      .decrypt(TOKENS_KEY, previous)
      .then((text) => (JSON.parse(text) as { refreshToken?: unknown }).refreshToken)
      .catch(() => undefined);
    if (typeof kept === 'string') tokens = { ...tokens, refreshToken: kept };
  }
  return { encryptedTokens: await rt.keyring.encrypt(TOKENS_KEY, JSON.stringify(tokens)) };
}

/** Keyring purpose of the key that encrypts kept provider tokens. */
const TOKENS_KEY = 'oauth-tokens';

/**
 * Links the identity to the user who started linking (their session must still be live).
 * Already theirs: refreshed. Someone else's: `OAUTH_FAILED` (`account_in_use`).
 */
async function linkIdentity(
  rt: AuthRuntime,
  provider: OAuthProvider,
  exchanged: Exchanged,
  who: { userId: string; sessionId: string; generation: number },
  context: RequestContext,
): Promise<LinkedAccount> {
  const now = rt.now();
  const session = await rt.storage.sessions.get(who.sessionId, now);
  const user = await rt.storage.users.getById(who.userId);
  // The user who started linking, under the credentials they had then: a credential change
  // since (a reset, a claim of the address) ends the link in flight like every other grant.
  const current = (u: UserRecord | undefined): u is UserRecord =>
    u !== undefined && !u.disabled && generationOf(u) === who.generation;
  if (session?.userId !== who.userId || !current(user)) throw new AuthError('UNAUTHENTICATED');
  const { profile } = exchanged;
  const existing = await rt.storage.accounts.getBySubject(provider.id, profile.subject);
  if (existing !== undefined && existing.userId !== user.id) throw oauthFailed('account_in_use');
  if (existing !== undefined) {
    await touchLink(rt, provider, existing, exchanged, now);
    return toLinkedAccount(existing);
  }
  const account = await createLink(rt, provider, exchanged, user, now, context, session.id);
  // A credential change that ran between the check above and the write would not have seen
  // this link: look again, and take it back if the credentials moved meanwhile.
  if (!current(await rt.storage.users.getById(user.id))) {
    await rt.storage.accounts.delete(account.id, { userId: user.id, keepOne: false });
    throw new AuthError('UNAUTHENTICATED');
  }
  return toLinkedAccount(account);
}

async function createLink(
  rt: AuthRuntime,
  provider: OAuthProvider,
  exchanged: Exchanged,
  user: UserRecord,
  now: number,
  context: RequestContext,
  sessionId?: string,
): Promise<AccountRecord> {
  const { profile } = exchanged;
  const record: AccountRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    userId: user.id,
    provider: provider.id,
    subject: profile.subject,
    ...(profile.email === undefined ? {} : { email: profile.email }),
    createdAt: now,
    lastUsedAt: now,
    ...(await tokensField(rt, provider, exchanged)),
  };
  if ((await rt.storage.accounts.create(record)) === 'conflict') {
    // Linked meanwhile by a concurrent callback: to this user, fine; to another, refused.
    const raced = await rt.storage.accounts.getBySubject(provider.id, profile.subject);
    if (raced?.userId === user.id) return raced;
    throw oauthFailed('account_in_use');
  }
  await rt.emit(
    {
      type: 'account.linked',
      userId: user.id,
      ...(sessionId === undefined ? {} : { sessionId }),
      data: { provider: provider.id, accountId: record.id },
    },
    context,
  );
  return record;
}

async function touchLink(
  rt: AuthRuntime,
  provider: OAuthProvider,
  account: AccountRecord,
  exchanged: Exchanged,
  now: number,
): Promise<void> {
  await rt.storage.accounts.update(account.id, {
    lastUsedAt: now,
    email: exchanged.profile.email ?? null,
    ...(await tokensField(rt, provider, exchanged, account.encryptedTokens)),
  });
}

/**
 * A sign-in with a provider's identity, by the linking rules:
 * 1. linked already: that user;
 * 2. else a user with the provider's email: joined only when the provider is trusted for email
 *    (`trustEmail`) and vouches for the address (verified). If that user's own address was never
 *    verified, whoever set its password (and any identity linked before) may not be its owner:
 *    the password, every session and other links are dropped first, and the address is marked
 *    verified. Otherwise `ACCOUNT_LINK_REQUIRED`: sign in and link from settings.
 * 3. else a new user, only with an address the provider says it verified (a provider that vouches
 *    for nothing cannot create an account in someone else's name); it is marked verified only
 *    when the provider is trusted for email.
 * Then every method's end: disabled accounts refused, the second factor when the user has one.
 */
async function signInWithIdentity(
  rt: AuthRuntime,
  provider: OAuthProvider,
  exchanged: Exchanged,
  context: RequestContext,
): Promise<LoginResult> {
  const { profile } = exchanged;
  const now = rt.now();
  const linked = await rt.storage.accounts.getBySubject(provider.id, profile.subject);
  let user: UserRecord | undefined;
  if (linked !== undefined) {
    user = await rt.storage.users.getById(linked.userId);
    if (user === undefined) throw oauthFailed('profile');
    await touchLink(rt, provider, linked, exchanged, now);
  } else {
    user = await joinOrCreate(rt, provider, exchanged, context);
  }
  if (user.disabled) throw await refused(rt, provider, user.id, 'ACCOUNT_DISABLED', context);
  if (rt.config.emailVerification.required && user.emailVerifiedAt === undefined) {
    // As for a password: an account whose address is not verified does not sign in (an
    // untrusted provider's address stays unverified until its owner follows the mailed link,
    // mailed here within the resend limit per address, as `/email/verify/resend` would).
    const unverified = user;
    const mail = await hitRule(rt, 'verificationResendPerAddress', unverified.emailNormalized);
    if (mail.allowed) {
      await runInBackground(rt.config.logger, 'verification mail', () =>
        sendVerificationMail(rt, unverified, context),
      );
    }
    throw await refused(rt, provider, user.id, 'EMAIL_NOT_VERIFIED', context);
  }
  const secondFactorProven =
    provider.trustSecondFactor === true &&
    (profile.amr ?? []).some((m) => m === 'mfa' || m === 'otp' || m === 'hwk');
  return finishSignIn(rt, user, {
    amr: [OAUTH_AMR],
    secondFactorProven,
    context,
    // Recorded (in the event and the audit trail), trusted only with trustSecondFactor.
    eventData: { provider: provider.id, providerAmr: [...(profile.amr ?? [])] },
  });
}

/** Why a known account's social sign-in is refused, as `login.failed` reasons. */
const REFUSAL_REASONS = {
  ACCOUNT_DISABLED: 'disabled',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  ACCOUNT_LINK_REQUIRED: 'account_link_required',
} as const;

/** Emits `login.failed` for a known account's refused social sign-in; resolves to the error. */
async function refused(
  rt: AuthRuntime,
  provider: OAuthProvider,
  userId: string,
  code: keyof typeof REFUSAL_REASONS,
  context: RequestContext,
): Promise<AuthError> {
  await rt.emit(
    {
      type: 'login.failed',
      userId,
      data: { reason: REFUSAL_REASONS[code], provider: provider.id },
    },
    context,
  );
  return new AuthError(code);
}

async function joinOrCreate(
  rt: AuthRuntime,
  provider: OAuthProvider,
  exchanged: Exchanged,
  context: RequestContext,
): Promise<UserRecord> {
  const { profile } = exchanged;
  const email = profile.email === undefined ? undefined : normalizeEmail(profile.email);
  if (email === undefined) throw oauthFailed('email_required');
  const vouched = provider.trustEmail && profile.emailVerified;
  const existing = await rt.storage.users.getByEmail(email.emailNormalized);
  if (existing !== undefined) {
    if (!vouched) {
      throw await refused(rt, provider, existing.id, 'ACCOUNT_LINK_REQUIRED', context);
    }
    // Before any claim: a disabled account is not wiped by a provider's say-so.
    if (existing.disabled) {
      throw await refused(rt, provider, existing.id, 'ACCOUNT_DISABLED', context);
    }
    let owner = existing;
    // A trusted provider proved the address of an account whose own address was never verified.
    if (existing.emailVerifiedAt === undefined) {
      owner = await claimUnverified(rt, existing, {
        context,
        failWith: () => oauthFailed('profile'),
      });
    }
    await createLink(rt, provider, exchanged, owner, rt.now(), context);
    return owner;
  }
  if (!profile.emailVerified) throw oauthFailed('email_unverified');
  const now = rt.now();
  const user: UserRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    email: email.email,
    emailNormalized: email.emailNormalized,
    ...(vouched ? { emailVerifiedAt: now } : {}),
    ...(profile.firstName === undefined ? {} : { firstName: profile.firstName }),
    ...(profile.lastName === undefined ? {} : { lastName: profile.lastName }),
    metadata: {},
    disabled: false,
    credentialGeneration: FIRST_GENERATION,
    createdAt: now,
    updatedAt: now,
  };
  if ((await rt.storage.users.create(user)) === 'conflict') {
    // The address was registered meanwhile: the person signs in and links from settings.
    throw new AuthError('ACCOUNT_LINK_REQUIRED');
  }
  await rt.emit(
    { type: 'user.registered', userId: user.id, data: { provider: provider.id } },
    context,
  );
  await createLink(rt, provider, exchanged, user, now, context);
  return user;
}

/** The user's linked accounts, oldest first. */
export async function listLinkedAccounts(
  rt: AuthRuntime,
  userId: string,
): Promise<LinkedAccount[]> {
  return (await rt.storage.accounts.listByUser(userId)).map(toLinkedAccount);
}

/**
 * Unlinks one of the user's accounts. Refused (`VALIDATION_FAILED`) when it is the last way to
 * sign in (no password, no other link, no passkey; `removeWayIn`): two concurrent unlinks of
 * the last two links leave one, and so do an unlink and a passkey removal at once. @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED`, `UNAUTHENTICATED`
 */
export async function unlinkAccount(
  rt: AuthRuntime,
  input: { userId: string; accountId: string; sessionId?: string | undefined },
  context: RequestContext,
): Promise<void> {
  const user = await rt.storage.users.getById(input.userId);
  if (user === undefined || user.disabled) throw new AuthError('UNAUTHENTICATED');
  const account = await removeWayIn(
    rt,
    user,
    rt.storage.accounts,
    input.accountId,
    async () => (await rt.storage.passkeys.listByUser(user.id)).length,
  );
  await rt.emit(
    {
      type: 'account.unlinked',
      userId: user.id,
      ...(input.sessionId === undefined ? {} : { sessionId: input.sessionId }),
      data: { provider: account.provider, accountId: input.accountId },
    },
    context,
  );
}

export type { OAuthProfile };
