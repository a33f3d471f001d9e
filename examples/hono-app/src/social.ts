/**
 * Social sign-in of the example, from the environment: a generic OpenID Connect provider
 * (`OIDC_*`), GitHub (`GITHUB_*`) and Google (`GOOGLE_*`). Only the configured ones are offered;
 * with none, the app has no social sign-in at all. See README.md, "Social sign-in".
 */
import { github, google, type OAuthProvider, oidcProvider } from '@portcullis/core';

/** The variables {@link socialProviders} reads (`process.env` fits). */
export interface SocialEnv {
  readonly OIDC_ISSUER?: string | undefined;
  readonly OIDC_CLIENT_ID?: string | undefined;
  readonly OIDC_CLIENT_SECRET?: string | undefined;
  readonly OIDC_NAME?: string | undefined;
  /**
   * `true`: the provider's verified emails are trusted (your own identity provider, which owns
   * the addresses it vouches for): its accounts are verified, and it may join existing accounts
   * with the same verified address. Default false (docs/oauth.md, linking rules).
   */
  readonly OIDC_TRUST_EMAIL?: string | undefined;
  readonly GITHUB_CLIENT_ID?: string | undefined;
  readonly GITHUB_CLIENT_SECRET?: string | undefined;
  readonly GOOGLE_CLIENT_ID?: string | undefined;
  readonly GOOGLE_CLIENT_SECRET?: string | undefined;
}

/** The generic OpenID Connect provider's id: its routes are `/api/auth/oauth/oidc/...`. */
export const OIDC_PROVIDER_ID = 'oidc';
/** Its button's name when `OIDC_NAME` is not set. */
export const OIDC_DEFAULT_NAME = 'OpenID Connect';

/** A half-configured provider (an id without its secret, say): the app refuses to start. */
export class SocialConfigError extends Error {
  override readonly name = 'SocialConfigError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` is `http://` on a loopback address (a provider on this machine). */
export function isInsecureLoopback(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
  } catch {
    return false;
  }
}

/** The value of a variable, `undefined` when unset or empty. */
const value = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

/**
 * The providers configured in `env`, in the order of the buttons: OpenID Connect, GitHub,
 * Google. Outside production, an `http://` OIDC issuer on a loopback address is accepted
 * (`allowInsecureLoopback`, a provider running on this machine); in production it is not set,
 * and `createAuth` refuses such an issuer at startup (`CONFIG_INVALID`).
 *
 * @throws SocialConfigError when a provider is configured only in part
 */
export function socialProviders(env: SocialEnv, production: boolean): OAuthProvider[] {
  const providers: OAuthProvider[] = [];
  const issuer = value(env.OIDC_ISSUER);
  const oidcClientId = value(env.OIDC_CLIENT_ID);
  const oidcSecret = value(env.OIDC_CLIENT_SECRET);
  if (issuer !== undefined || oidcClientId !== undefined || oidcSecret !== undefined) {
    if (issuer === undefined || oidcClientId === undefined) {
      throw new SocialConfigError(
        'OpenID Connect sign-in needs both OIDC_ISSUER and OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET for a confidential client).',
      );
    }
    providers.push(
      oidcProvider({
        id: OIDC_PROVIDER_ID,
        name: value(env.OIDC_NAME) ?? OIDC_DEFAULT_NAME,
        issuer,
        clientId: oidcClientId,
        ...(oidcSecret === undefined ? {} : { clientSecret: oidcSecret }),
        ...(!production && isInsecureLoopback(issuer) ? { allowInsecureLoopback: true } : {}),
        trustEmail: value(env.OIDC_TRUST_EMAIL) === 'true',
      }),
    );
  }
  const pair = (prefix: string, id: string | undefined, secret: string | undefined) => {
    if (id === undefined && secret === undefined) return undefined;
    if (id === undefined || secret === undefined) {
      throw new SocialConfigError(
        `${prefix} sign-in needs both ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET.`,
      );
    }
    return { clientId: id, clientSecret: secret };
  };
  const githubClient = pair('GITHUB', value(env.GITHUB_CLIENT_ID), value(env.GITHUB_CLIENT_SECRET));
  if (githubClient !== undefined) providers.push(github(githubClient));
  const googleClient = pair('GOOGLE', value(env.GOOGLE_CLIENT_ID), value(env.GOOGLE_CLIENT_SECRET));
  if (googleClient !== undefined) providers.push(google(googleClient));
  return providers;
}
