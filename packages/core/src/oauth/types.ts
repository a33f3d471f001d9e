import type { IDToken, JsonValue } from 'oauth4webapi';

/** What a provider says about the person who signed in there, in Portcullis's terms. */
export interface OAuthProfile {
  /** The provider's stable id of the person (OIDC `sub`; GitHub's numeric id as a string). */
  readonly subject: string;
  /** The person's email at the provider; absent when it gave none. */
  readonly email?: string;
  /**
   * Whether the provider says it verified `email` (OIDC `email_verified`, GitHub's `verified`
   * flag of the primary address, Microsoft's `xms_edov` or a personal account). Only a trusted
   * provider's verified email links to an existing user ({@link OAuthProvider.trustEmail}).
   */
  readonly emailVerified: boolean;
  /** Given name, when the provider gave one. */
  readonly firstName?: string;
  /** Family name, when the provider gave one. */
  readonly lastName?: string;
  /**
   * Authentication methods the provider reports (OIDC `amr`), recorded but not trusted as a
   * second factor unless {@link OAuthProvider.trustSecondFactor} says so.
   */
  readonly amr?: readonly string[];
}

/** What a profile mapper receives after a successful code exchange. */
export interface OAuthProfileInput {
  /** The validated ID token's claims (OpenID Connect providers). */
  readonly claims?: IDToken;
  /** The provider's access token, to call its API (GitHub's `/user`, say). */
  readonly accessToken: string;
  /** The userinfo endpoint's answer, when the provider was configured to fetch it. */
  readonly userinfo?: Readonly<Record<string, JsonValue | undefined>>;
  /** `fetch` as core uses it (the test suite's, when one is configured). */
  readonly fetch: typeof fetch;
}

/**
 * One sign-in provider: an OpenID Connect issuer (discovery) or a plain OAuth 2 server with
 * its endpoints. Made by a preset (`google(...)`, `github(...)`, `oidcProvider(...)`, ...) or by
 * hand.
 */
export interface OAuthProvider {
  /** Id in routes and records: `[a-z0-9-]{1,32}` (`google`, `github`, `oidc`). */
  readonly id: string;
  /** Name for buttons and messages ("Google"). */
  readonly name: string;
  /** `oidc`: discovery from `issuer`, ID token validated. `oauth2`: the endpoints below. */
  readonly kind: 'oidc' | 'oauth2';
  /** OpenID Connect issuer URL (discovery at `/.well-known/openid-configuration`). */
  readonly issuer?: string;
  /**
   * The ID token's expected `iss`, when the discovery document's `issuer` is a template
   * (Microsoft's multi-tenant `…/{tenantid}/v2.0`): from the token's claims, or `undefined` to
   * refuse it. Only presets need this.
   */
  readonly expectedIssuer?: (claims: IDToken) => string | undefined;
  /** OAuth 2 endpoints (`kind: 'oauth2'`), or overrides of the discovered ones. */
  readonly endpoints?: {
    readonly authorization?: string;
    readonly token?: string;
    readonly userinfo?: string;
  };
  /** The client id registered at the provider. */
  readonly clientId: string;
  /**
   * The client secret, or a function that makes one per request (Apple's signed JWT). Absent:
   * a public client (PKCE only).
   */
  readonly clientSecret?: string | (() => string | Promise<string>);
  /** How the token endpoint gets the secret. Default `client_secret_basic`. */
  readonly clientAuth?: 'client_secret_basic' | 'client_secret_post';
  /** Scopes asked for. OIDC presets ask `openid email profile`. */
  readonly scopes: readonly string[];
  /** Extra authorization parameters (`prompt`, `hd`, ...). */
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /** `form_post` for providers that answer with a cross-site POST (Apple). Default `query`. */
  readonly responseMode?: 'query' | 'form_post';
  /** Turns the provider's answer into a profile. Presets have their own; OIDC's default reads the claims. */
  readonly profile: (input: OAuthProfileInput) => Promise<OAuthProfile>;
  /**
   * Whether this provider's verified email may link to an existing Portcullis user with the same
   * verified email, and mark an account's email verified. On by default for Google, Microsoft
   * and Apple (they own the addresses they vouch for); off for GitHub and generic OIDC.
   */
  readonly trustEmail: boolean;
  /**
   * Whether the provider's `amr` containing `mfa` (or `otp`, `hwk`) counts as the second factor
   * for users with 2FA on. Default false: they still pass Portcullis's own.
   */
  readonly trustSecondFactor?: boolean;
  /**
   * Keep the provider's access and refresh tokens (encrypted with the keyring) on the linked
   * account, for the app to call the provider's API later. Default false: they are dropped.
   */
  readonly keepTokens?: boolean;
  /** Accept an `http://` issuer or endpoint on a loopback address (tests, local development). */
  readonly allowInsecureLoopback?: boolean;
}

/** Social sign-in options of `createAuth`. */
export interface OAuthConfig {
  /** The providers offered, by their `id`. */
  readonly providers: readonly OAuthProvider[];
  /**
   * Where the provider sends the browser back, below `appUrl`: `{basePath}/oauth/{id}/callback`
   * by default; register exactly this URL at the provider.
   */
  readonly callbackUrl?: (providerId: string) => string;
  /**
   * The app's sign-in page, where the callback sends a person whose sign-in needs a second
   * factor (`?challenge=…&methods=…&redirectTo=…`) or was refused (`?error=CODE&reason=…`).
   * Default `/login`.
   */
  readonly signInPath?: string;
  /** `fetch` for every call to a provider (tests, proxies). Default the global one. */
  readonly fetch?: typeof fetch;
}
