import type { Auth, AuthOptions } from '../create-auth.js';
import { parseSplitToken } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';

/** True when the request comes from a trusted origin: `Origin`, or `Sec-Fetch-Site` without it. */
export function fromTrustedOrigin(request: Request, config: AuthOptions): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null) {
    return origin === config.appOrigin || config.http.trustedOrigins.includes(origin);
  }
  // Browsers that omit Origin on same-origin requests still send Fetch Metadata.
  return request.headers.get('sec-fetch-site') === 'same-origin';
}

/**
 * True when a browser tells us the request is cross-site (an untrusted `Origin`, or
 * `Sec-Fetch-Site: cross-site`). Non-browser clients send neither and are not affected.
 */
export function isCrossSiteBrowserRequest(request: Request, config: AuthOptions): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null) return !fromTrustedOrigin(request, config);
  return request.headers.get('sec-fetch-site') === 'cross-site';
}

/**
 * The contract's CSRF rule for state-changing requests authenticated by cookie: a trusted
 * origin, and `x-csrf-token` equal to the session's CSRF token, an HMAC of the session id under
 * a key of its own (`auth.sessions.csrfToken`). Being bound to the session and unforgeable
 * without the secret, the token stays safe where a random double-submit token would not: when
 * `http.cookies.domain` drops the `__Host-` prefix, a sibling subdomain can plant cookies, but
 * not a token that matches the victim's session.
 * @throws AuthError `CSRF_FAILED`; `UNAUTHENTICATED` when the session cookie is not a session
 *   token at all (it could not sign anyone in either).
 */
export function assertCsrf(request: Request, auth: Auth, sessionToken: string): void {
  if (!fromTrustedOrigin(request, auth.options)) throw new AuthError('CSRF_FAILED');
  const session = parseSplitToken(sessionToken);
  if (session === undefined) throw new AuthError('UNAUTHENTICATED');
  const header = request.headers.get('x-csrf-token');
  if (!header || !auth.sessions.verifyCsrfToken(session.id, header)) {
    throw new AuthError('CSRF_FAILED');
  }
}
