import type { AuthOptions } from '../create-auth.js';

/** Which cookie. */
export type CookieKind = 'session' | 'csrf' | 'refresh' | 'device' | 'challenge' | 'oauth';

/** Attributes of one cookie as the contract's cookie table gives them. */
interface CookieSpec {
  readonly name: string;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly path: string;
  readonly domain?: string;
}

const BASE_NAMES: Record<CookieKind, string> = {
  session: 'portcullis.session',
  csrf: 'portcullis.csrf',
  refresh: 'portcullis.refresh',
  device: 'portcullis.device',
  challenge: 'portcullis.challenge',
  oauth: 'portcullis.oauth',
};

const titleCase = (s: 'lax' | 'strict' | 'none') =>
  (s === 'lax' ? 'Lax' : s === 'strict' ? 'Strict' : 'None') as CookieSpec['sameSite'];

/**
 * The cookie table of `docs/http.md` ("Cookies"). `__Host-` cookies are Secure, Path=/ and have no Domain
 * (so no subdomain can set or overwrite them); the refresh cookie is `__Secure-` because it is
 * scoped to the refresh path. Development mode (`insecureDevMode`, refused in production)
 * drops `Secure` and the prefixes, for plain-http origins other than localhost.
 */
export function cookieSpec(config: Pick<AuthOptions, 'http'>, kind: CookieKind): CookieSpec {
  const { cookies, basePath } = config.http;
  const insecure = cookies.insecureDevMode;
  const domain = cookies.domain;
  // A Domain attribute is incompatible with __Host-: such cookies fall back to __Secure-.
  const prefix = insecure
    ? ''
    : kind === 'refresh' || domain !== undefined
      ? '__Secure-'
      : '__Host-';
  return {
    name: `${prefix}${BASE_NAMES[kind]}`,
    httpOnly: kind !== 'csrf',
    secure: !insecure,
    // The challenge cookie only ever goes to this app's own `/2fa` calls.
    sameSite: kind === 'refresh' || kind === 'challenge' ? 'Strict' : titleCase(cookies.sameSite),
    path: kind === 'refresh' ? `${basePath}/token/refresh` : '/',
    ...(domain === undefined || kind === 'refresh' ? {} : { domain }),
  };
}

/** A `Set-Cookie` value; `maxAgeSeconds: 0` deletes the cookie. */
export function serializeCookie(spec: CookieSpec, value: string, maxAgeSeconds?: number): string {
  const parts = [`${spec.name}=${value}`, `Path=${spec.path}`];
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`);
  if (spec.domain) parts.push(`Domain=${spec.domain}`);
  if (spec.secure) parts.push('Secure');
  if (spec.httpOnly) parts.push('HttpOnly');
  parts.push(`SameSite=${spec.sameSite}`);
  return parts.join('; ');
}

/** Reads one cookie from the `Cookie` header; `undefined` when absent. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
