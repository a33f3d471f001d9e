import type { IDToken, JsonValue } from 'oauth4webapi';
import { AuthError } from '../errors/auth-error.js';
import { oauthFailed } from './client.js';
import type { OAuthProfile, OAuthProfileInput, OAuthProvider } from './types.js';

/** What every preset takes: the client registered at the provider. */
export interface PresetOptions {
  /** The client id from the provider's console. */
  readonly clientId: string;
  /** The client secret from the provider's console. */
  readonly clientSecret: string;
  /** Replaces the preset's scopes. */
  readonly scopes?: readonly string[];
  /** Overrides of the preset's fields (`id` to offer two of a kind, `trustEmail`, ...). */
  readonly overrides?: Partial<Omit<OAuthProvider, 'clientId' | 'clientSecret'>>;
}

const OIDC_SCOPES = ['openid', 'email', 'profile'] as const;

const str = (value: JsonValue | undefined): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The profile an OpenID Connect ID token states: `sub`, `email` + `email_verified`, names, `amr`. */
export async function profileFromClaims(input: OAuthProfileInput): Promise<OAuthProfile> {
  const claims = input.claims;
  if (claims === undefined) throw oauthFailed('profile');
  return claimsProfile(claims, claims.email_verified === true);
}

function claimsProfile(claims: IDToken, emailVerified: boolean): OAuthProfile {
  const email = str(claims.email);
  const firstName = str(claims.given_name);
  const lastName = str(claims.family_name);
  const amr = Array.isArray(claims.amr)
    ? claims.amr.filter((m): m is string => typeof m === 'string')
    : undefined;
  return {
    subject: claims.sub,
    ...(email === undefined ? {} : { email }),
    emailVerified: email !== undefined && emailVerified,
    ...(firstName === undefined ? {} : { firstName }),
    ...(lastName === undefined ? {} : { lastName }),
    ...(amr === undefined ? {} : { amr }),
  };
}

/**
 * Any OpenID Connect provider by its issuer URL (discovery). Its verified email is not trusted
 * to join an existing account unless `trustEmail` says so (an issuer you do not run may vouch
 * for addresses it does not own).
 *
 * @example
 * ```ts
 * oidcProvider({ id: 'oidc', name: 'Acme SSO', issuer: 'https://sso.acme.test', clientId, clientSecret })
 * ```
 */
export function oidcProvider(options: {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes?: readonly string[];
  trustEmail?: boolean;
  allowInsecureLoopback?: boolean;
  profile?: OAuthProvider['profile'];
}): OAuthProvider {
  return {
    id: options.id,
    name: options.name,
    kind: 'oidc',
    issuer: options.issuer,
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    scopes: options.scopes ?? OIDC_SCOPES,
    profile: options.profile ?? profileFromClaims,
    trustEmail: options.trustEmail ?? false,
    ...(options.allowInsecureLoopback === undefined
      ? {}
      : { allowInsecureLoopback: options.allowInsecureLoopback }),
  };
}

/** Google (OpenID Connect, `https://accounts.google.com`). Trusts its verified emails. */
export function google(options: PresetOptions & { issuer?: string }): OAuthProvider {
  return {
    id: 'google',
    name: 'Google',
    kind: 'oidc',
    issuer: options.issuer ?? 'https://accounts.google.com',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: options.scopes ?? OIDC_SCOPES,
    profile: profileFromClaims,
    trustEmail: true,
    ...options.overrides,
  };
}

/** The tenant id of personal Microsoft accounts (outlook.com, hotmail.com, live.com). */
export const MICROSOFT_CONSUMER_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Microsoft Entra ID (v2.0 endpoint). `tenant`: `common` (work, school and personal accounts;
 * the default), `organizations`, `consumers`, or one tenant's id. With a multi-tenant authority
 * the ID token's issuer must be `{authority}/{tid}/v2.0` for the token's own `tid` (a GUID),
 * as Microsoft documents; with one tenant, that tenant's issuer only.
 *
 * An Entra work account's `email` claim is set by its tenant's admins and proves nothing (the
 * "nOAuth" attack), so an email counts as verified only for a personal account or when the
 * token says the tenant owns its domain (`xms_edov`, an optional claim to enable in the app
 * registration).
 */
export function microsoft(
  options: PresetOptions & { tenant?: string; authority?: string },
): OAuthProvider {
  const tenant = options.tenant ?? 'common';
  const authority = (options.authority ?? 'https://login.microsoftonline.com').replace(/\/$/, '');
  const multiTenant = tenant === 'common' || tenant === 'organizations' || tenant === 'consumers';
  return {
    id: 'microsoft',
    name: 'Microsoft',
    kind: 'oidc',
    issuer: `${authority}/${tenant}/v2.0`,
    expectedIssuer: (claims) => {
      const tid = claims.tid;
      if (typeof tid !== 'string' || !GUID.test(tid)) return undefined;
      if (!multiTenant && tid !== tenant) return undefined;
      if (tenant === 'consumers' && tid !== MICROSOFT_CONSUMER_TENANT) return undefined;
      if (tenant === 'organizations' && tid === MICROSOFT_CONSUMER_TENANT) return undefined;
      return `${authority}/${tid}/v2.0`;
    },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: options.scopes ?? OIDC_SCOPES,
    profile: async ({ claims }) => {
      if (claims === undefined) throw oauthFailed('profile');
      const verified = claims.tid === MICROSOFT_CONSUMER_TENANT || claims.xms_edov === true;
      // `email` only: Microsoft says `preferred_username` is for display, never authorization.
      return claimsProfile(claims, verified);
    },
    trustEmail: true,
    ...options.overrides,
  };
}

/** GitLab (OpenID Connect; gitlab.com or your instance's URL as `issuer`). */
export function gitlab(options: PresetOptions & { issuer?: string }): OAuthProvider {
  return {
    id: 'gitlab',
    name: 'GitLab',
    kind: 'oidc',
    issuer: options.issuer ?? 'https://gitlab.com',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: options.scopes ?? ['openid', 'email', 'profile'],
    profile: profileFromClaims,
    trustEmail: false,
    ...options.overrides,
  };
}

/** Reads a JSON API answer of a provider, or fails the sign-in with `OAUTH_FAILED` (`profile`). */
async function apiGet(
  input: OAuthProfileInput,
  url: string,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const res = await input.fetch(url, {
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${input.accessToken}`,
      'user-agent': 'portcullis',
      ...headers,
    },
  });
  if (!res.ok) throw oauthFailed('profile', new Error(`${url} answered ${res.status}`));
  return res.json();
}

/**
 * GitHub (OAuth 2, no OpenID Connect): the profile from `GET /user`, the email from
 * `GET /user/emails`, the primary address and its `verified` flag (scope `user:email`). Its
 * verified emails are not trusted to join existing accounts by default (`trustEmail` off).
 * `endpoints` point it at GitHub Enterprise Server (or a test server).
 */
export function github(
  options: PresetOptions & {
    endpoints?: { authorization: string; token: string; api: string };
  },
): OAuthProvider {
  const endpoints = options.endpoints ?? {
    authorization: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    api: 'https://api.github.com',
  };
  const api = endpoints.api.replace(/\/$/, '');
  return {
    id: 'github',
    name: 'GitHub',
    kind: 'oauth2',
    endpoints: { authorization: endpoints.authorization, token: endpoints.token },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientAuth: 'client_secret_post',
    scopes: options.scopes ?? ['read:user', 'user:email'],
    profile: async (input) => {
      const user = (await apiGet(input, `${api}/user`)) as Record<string, unknown>;
      if (typeof user.id !== 'number' && typeof user.id !== 'string') {
        throw oauthFailed('profile');
      }
      const emails = (await apiGet(input, `${api}/user/emails`)) as unknown;
      const primary = Array.isArray(emails)
        ? (emails as Record<string, unknown>[]).find((e) => e.primary === true)
        : undefined;
      const email = typeof primary?.email === 'string' ? primary.email : undefined;
      const [firstName, ...rest] = (typeof user.name === 'string' ? user.name : '').split(' ');
      return {
        subject: String(user.id),
        ...(email === undefined ? {} : { email }),
        emailVerified: email !== undefined && primary?.verified === true,
        ...(firstName ? { firstName } : {}),
        ...(rest.length > 0 ? { lastName: rest.join(' ') } : {}),
      };
    },
    trustEmail: false,
    ...options.overrides,
  };
}

/**
 * Discord (OAuth 2): the profile from `GET /users/@me` (scopes `identify email`), whose
 * `verified` flag covers its email. Not trusted to join existing accounts by default.
 */
export function discord(
  options: PresetOptions & {
    endpoints?: { authorization: string; token: string; api: string };
  },
): OAuthProvider {
  const endpoints = options.endpoints ?? {
    authorization: 'https://discord.com/oauth2/authorize',
    token: 'https://discord.com/api/oauth2/token',
    api: 'https://discord.com/api',
  };
  const api = endpoints.api.replace(/\/$/, '');
  return {
    id: 'discord',
    name: 'Discord',
    kind: 'oauth2',
    endpoints: { authorization: endpoints.authorization, token: endpoints.token },
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientAuth: 'client_secret_post',
    scopes: options.scopes ?? ['identify', 'email'],
    profile: async (input) => {
      const user = (await apiGet(input, `${api}/users/@me`)) as Record<string, unknown>;
      if (typeof user.id !== 'string') throw oauthFailed('profile');
      const email = typeof user.email === 'string' ? user.email : undefined;
      return {
        subject: user.id,
        ...(email === undefined ? {} : { email }),
        emailVerified: email !== undefined && user.verified === true,
      };
    },
    trustEmail: false,
    ...options.overrides,
  };
}

/**
 * Sign in with Apple: OpenID Connect at `https://appleid.apple.com`, answering with a
 * cross-site `form_post`; the client secret is a short ES256 JWT signed with your key
 * (`teamId`, `keyId`, the `.p8` private key), made here for each exchange. Apple vouches for
 * the emails it relays (private relay addresses included): trusted.
 */
export function apple(options: {
  clientId: string;
  teamId: string;
  keyId: string;
  /** The PKCS #8 PEM of the key from Apple's developer console. */
  privateKey: string;
  issuer?: string;
  overrides?: PresetOptions['overrides'];
}): OAuthProvider {
  const issuer = options.issuer ?? 'https://appleid.apple.com';
  return {
    id: 'apple',
    name: 'Apple',
    kind: 'oidc',
    issuer,
    clientId: options.clientId,
    clientSecret: async () => {
      const { SignJWT, importPKCS8 } = await import('jose');
      const key = await importPKCS8(options.privateKey, 'ES256');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: options.keyId })
        .setIssuer(options.teamId)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setAudience(issuer)
        .setSubject(options.clientId)
        .sign(key);
    },
    clientAuth: 'client_secret_post',
    scopes: ['openid', 'email', 'name'],
    responseMode: 'form_post',
    profile: async ({ claims }) => {
      if (claims === undefined) throw oauthFailed('profile');
      // Apple sends `email_verified` as a boolean or the string "true".
      const verified = claims.email_verified === true || claims.email_verified === 'true';
      return claimsProfile(claims, verified);
    },
    trustEmail: true,
    ...options.overrides,
  };
}

/** Checks a provider list: ids well-formed and unique. @throws AuthError `CONFIG_INVALID` */
export function checkProviders(providers: readonly OAuthProvider[]): void {
  const seen = new Set<string>();
  for (const p of providers) {
    if (!/^[a-z0-9-]{1,32}$/.test(p.id)) {
      throw new AuthError('CONFIG_INVALID', {
        message: `OAuth provider id "${p.id}" must be 1 to 32 of a-z, 0-9 and -`,
      });
    }
    if (seen.has(p.id)) {
      throw new AuthError('CONFIG_INVALID', { message: `OAuth provider "${p.id}" twice` });
    }
    seen.add(p.id);
  }
}
