import * as oauth from 'oauth4webapi';
import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import { nameField, text } from '../flows/input.js';
import { MAX_EMAIL_LENGTH, normalizeEmail } from '../users/normalize.js';
import type { OAuthProfile, OAuthProvider } from './types.js';

/**
 * oauth4webapi's hook for an ID token whose expected `iss` comes from the token itself
 * (Microsoft's multi-tenant `{tenantid}` issuer template), and its switch that skips the
 * discovery document's issuer check for such issuers. Exported by the library for relying
 * parties like openid-client, outside its typed surface.
 */
const EXPECTED_ISSUER = (oauth as unknown as Record<string, symbol>)._expectedIssuer as symbol;
const NO_DISCOVERY_CHECK = (oauth as unknown as Record<string, symbol>)._nodiscoverycheck as symbol;

/** Each provider's JWKS, fetched once and again when a token names an unknown key. */
const jwksCaches = new WeakMap<OAuthProvider, oauth.ExportedJWKSCache | Record<string, never>>();

function jwksCacheOf(provider: OAuthProvider): oauth.JWKSCacheInput {
  let cache = jwksCaches.get(provider);
  if (cache === undefined) {
    cache = {};
    jwksCaches.set(provider, cache);
  }
  return cache as oauth.JWKSCacheInput;
}

/** The server metadata of a provider, discovered once per process (or built from endpoints). */
const discovered = new WeakMap<OAuthProvider, Promise<oauth.AuthorizationServer>>();

/** What the callback needs to finish: the values the authorization request was made with. */
export interface AuthorizationSecrets {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
}

/** Why a callback was refused, for `OAUTH_FAILED`'s `details[0].message`. */
export type OAuthFailure =
  | 'state'
  | 'provider_unavailable'
  | 'provider_error'
  | 'issuer'
  | 'code'
  | 'id_token'
  | 'profile'
  | 'email_unverified'
  | 'email_required'
  | 'account_in_use';

/** `400 OAUTH_FAILED` with the reason (and, for a provider's error, its code) in `details`. */
export function oauthFailed(reason: OAuthFailure, cause?: unknown, providerError?: string) {
  return new AuthError('OAUTH_FAILED', {
    details: [
      { path: 'reason', message: reason },
      ...(providerError === undefined ? [] : [{ path: 'providerError', message: providerError }]),
    ],
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Request options every oauth4webapi call gets: the configured fetch, loopback http allowed. */
function requestOptions<M extends string, B>(
  provider: OAuthProvider,
  fetchImpl: typeof fetch,
): Pick<
  oauth.HttpRequestOptions<M, B>,
  typeof oauth.customFetch | typeof oauth.allowInsecureRequests
> {
  return {
    [oauth.customFetch]: (url: string, options: oauth.CustomFetchOptions<M, B>) =>
      fetchImpl(url, options as unknown as RequestInit),
    // Deprecated in oauth4webapi 3 but the one switch for http on loopback (checked in config).
    [oauth.allowInsecureRequests]: provider.allowInsecureLoopback === true,
  };
}

/**
 * The provider's authorization server metadata: discovered (OIDC, once per process; a failed
 * discovery is tried again next time) or made from its endpoints (OAuth 2).
 * @throws AuthError `OAUTH_FAILED` (`provider_unavailable`) when the provider cannot be reached
 */
export async function serverOf(
  provider: OAuthProvider,
  fetchImpl: typeof fetch,
): Promise<oauth.AuthorizationServer> {
  let found = discovered.get(provider);
  if (found === undefined) {
    found = discover(provider, fetchImpl);
    discovered.set(provider, found);
    found.catch(() => discovered.delete(provider));
  }
  try {
    return await found;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    // Unreachable, or answering nonsense: the person tries again later (never a 500).
    throw oauthFailed('provider_unavailable', error);
  }
}

async function discover(
  provider: OAuthProvider,
  fetchImpl: typeof fetch,
): Promise<oauth.AuthorizationServer> {
  const endpoints = provider.endpoints ?? {};
  let as: oauth.AuthorizationServer;
  if (provider.kind === 'oauth2') {
    if (endpoints.authorization === undefined || endpoints.token === undefined) {
      throw new AuthError('CONFIG_INVALID', {
        message: `OAuth provider ${provider.id}: endpoints.authorization and endpoints.token are required`,
      });
    }
    as = {
      issuer: new URL(endpoints.authorization).origin,
      authorization_endpoint: endpoints.authorization,
      token_endpoint: endpoints.token,
      ...(endpoints.userinfo === undefined ? {} : { userinfo_endpoint: endpoints.userinfo }),
    };
  } else {
    if (provider.issuer === undefined) {
      throw new AuthError('CONFIG_INVALID', {
        message: `OAuth provider ${provider.id}: issuer is required`,
      });
    }
    const issuer = new URL(provider.issuer);
    const response = await oauth.discoveryRequest(issuer, {
      algorithm: 'oidc',
      ...requestOptions<'GET', undefined>(provider, fetchImpl),
    });
    const expected = provider.expectedIssuer === undefined ? issuer : NO_DISCOVERY_CHECK;
    as = await oauth.processDiscoveryResponse(expected as URL, response);
    as = {
      ...as,
      ...(endpoints.authorization === undefined
        ? {}
        : { authorization_endpoint: endpoints.authorization }),
      ...(endpoints.token === undefined ? {} : { token_endpoint: endpoints.token }),
      ...(endpoints.userinfo === undefined ? {} : { userinfo_endpoint: endpoints.userinfo }),
    };
  }
  if (provider.expectedIssuer !== undefined) {
    const expectedIssuer = provider.expectedIssuer;
    Object.assign(as, {
      [EXPECTED_ISSUER]: (result: { claims: oauth.IDToken }) =>
        expectedIssuer(result.claims) ?? '\u0000refused',
    });
  }
  return as;
}

/**
 * The URL that sends the browser to the provider: the code flow with PKCE S256, `state`, and for
 * OpenID Connect a `nonce`; `redirect_uri` the provider's callback route.
 */
export async function authorizationUrl(
  provider: OAuthProvider,
  fetchImpl: typeof fetch,
  options: { redirectUri: string; secrets: AuthorizationSecrets },
): Promise<string> {
  const as = await serverOf(provider, fetchImpl);
  if (as.authorization_endpoint === undefined) {
    throw new AuthError('CONFIG_INVALID', {
      message: `OAuth provider ${provider.id}: no authorization endpoint`,
    });
  }
  const url = new URL(as.authorization_endpoint);
  const params = url.searchParams;
  params.set('client_id', provider.clientId);
  params.set('redirect_uri', options.redirectUri);
  params.set('response_type', 'code');
  params.set('scope', provider.scopes.join(' '));
  params.set('state', options.secrets.state);
  params.set(
    'code_challenge',
    await oauth.calculatePKCECodeChallenge(options.secrets.codeVerifier),
  );
  params.set('code_challenge_method', 'S256');
  if (provider.kind === 'oidc') params.set('nonce', options.secrets.nonce);
  if (provider.responseMode === 'form_post') params.set('response_mode', 'form_post');
  for (const [name, value] of Object.entries(provider.authorizationParams ?? {})) {
    params.set(name, value);
  }
  return url.href;
}

/** The provider's tokens after a code exchange, and the profile made from them. */
export interface Exchanged {
  readonly profile: OAuthProfile;
  readonly tokens: { accessToken: string; refreshToken?: string; expiresAt?: number };
}

/**
 * Finishes an authorization: checks the response (`state`, `iss` where the provider sends it,
 * an `error` from the provider), exchanges the code with the PKCE verifier, validates the ID
 * token (issuer, audience, expiry, nonce, signature from the provider's JWKS), and maps the
 * profile. Every refusal is `OAUTH_FAILED` with its reason; a provider that cannot be reached
 * or answers nonsense is `OAUTH_FAILED` (`code`) too: the person starts again.
 */
export async function exchangeCode(
  provider: OAuthProvider,
  fetchImpl: typeof fetch,
  options: {
    params: URLSearchParams;
    redirectUri: string;
    secrets: AuthorizationSecrets;
    now: number;
  },
): Promise<Exchanged> {
  const as = await serverOf(provider, fetchImpl);
  const client: oauth.Client = { client_id: provider.clientId };
  let callback: URLSearchParams;
  try {
    callback = oauth.validateAuthResponse(as, client, options.params, options.secrets.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw oauthFailed('provider_error', error, safeErrorCode(error.error));
    }
    const issuerProblem = String((error as Error).message).includes('"iss"');
    throw oauthFailed(issuerProblem ? 'issuer' : 'state', error);
  }
  const secret =
    typeof provider.clientSecret === 'function'
      ? await provider.clientSecret()
      : provider.clientSecret;
  const clientAuth =
    secret === undefined
      ? oauth.None()
      : provider.clientAuth === 'client_secret_post'
        ? oauth.ClientSecretPost(secret)
        : oauth.ClientSecretBasic(secret);
  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      callback,
      options.redirectUri,
      options.secrets.codeVerifier,
      requestOptions<'POST', URLSearchParams>(provider, fetchImpl),
    );
    result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      ...(provider.kind === 'oidc'
        ? { expectedNonce: options.secrets.nonce, requireIdToken: true }
        : {}),
    });
    // The ID token's signature too, with a key of the provider's JWKS: oauth4webapi leaves it to
    // the TLS connection (OIDC Core 3.1.3.7 allows that); a forged token from a compromised
    // path, or a misrouted response, is refused here as well.
    if (provider.kind === 'oidc') {
      await oauth.validateApplicationLevelSignature(as, response, {
        ...requestOptions<'GET', undefined>(provider, fetchImpl),
        [oauth.jwksCache]: jwksCacheOf(provider),
      });
    }
  } catch (error) {
    const idToken =
      (error instanceof oauth.OperationProcessingError &&
        /JWT|ID Token|id_token|nonce|signature|"iss"|"aud"|key|JWS/i.test(error.message)) ||
      error instanceof oauth.UnsupportedOperationError;
    throw oauthFailed(idToken ? 'id_token' : 'code', error);
  }
  const claims = provider.kind === 'oidc' ? oauth.getValidatedIdTokenClaims(result) : undefined;
  let profile: OAuthProfile;
  try {
    profile = await provider.profile({
      ...(claims === undefined ? {} : { claims }),
      accessToken: result.access_token,
      fetch: fetchImpl,
    });
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw oauthFailed('profile', error);
  }
  return {
    profile: cleanProfile(profile),
    tokens: {
      accessToken: result.access_token,
      ...(result.refresh_token === undefined ? {} : { refreshToken: result.refresh_token }),
      ...(result.expires_in === undefined
        ? {}
        : { expiresAt: options.now + result.expires_in * 1000 }),
    },
  };
}

/** A provider's `error` code, kept only when it looks like one (never free text in details). */
function safeErrorCode(code: string): string {
  return /^[a-z_]{1,64}$/.test(code) ? code : 'error';
}

const SUBJECT = text('subject', 255);
const EMAIL = text('email', MAX_EMAIL_LENGTH);
const NAME = nameField('name');
const AMR_VALUE = text('amr', 32);

/**
 * A provider's profile as the stores may take it: whatever a provider (or a mapper of the app's)
 * says, a subject of 1 to 255 characters without control characters or lone surrogates
 * (`OAUTH_FAILED` `profile` otherwise: a NUL byte must never reach a store), and only the email,
 * names and `amr` values that pass the same checks as a form's fields (others are dropped).
 */
function cleanProfile(profile: OAuthProfile): OAuthProfile {
  if (!v.is(SUBJECT, profile.subject)) throw oauthFailed('profile');
  const email = v.is(EMAIL, profile.email) ? normalizeEmail(profile.email)?.email : undefined;
  const name = (value: string | undefined) => {
    const parsed = v.safeParse(NAME, value?.slice(0, 100));
    return parsed.success && parsed.output ? parsed.output : undefined;
  };
  const firstName = name(profile.firstName);
  const lastName = name(profile.lastName);
  const amr = profile.amr?.filter((m) => v.is(AMR_VALUE, m)).slice(0, 10);
  return {
    subject: profile.subject,
    ...(email === undefined ? {} : { email }),
    emailVerified: email !== undefined && profile.emailVerified === true,
    ...(firstName === undefined ? {} : { firstName }),
    ...(lastName === undefined ? {} : { lastName }),
    ...(amr === undefined ? {} : { amr }),
  };
}
