import type { AuthOptions } from '../create-auth.js';
import { timingSafeEqualStrings } from '../crypto/compare.js';
import { AuthError } from '../errors/auth-error.js';
import { cookieSpec, readCookie } from './cookies.js';

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
 * origin, and `x-csrf-token` equal to the CSRF cookie (double submit; the `__Host-` prefix keeps
 * sibling subdomains from planting that cookie).
 * @throws AuthError `CSRF_FAILED`
 */
export function assertCsrf(request: Request, config: AuthOptions): void {
  if (!fromTrustedOrigin(request, config)) throw new AuthError('CSRF_FAILED');
  const cookie = readCookie(request, cookieSpec(config, 'csrf').name);
  const header = request.headers.get('x-csrf-token');
  if (!cookie || !header || !timingSafeEqualStrings(cookie, header)) {
    throw new AuthError('CSRF_FAILED');
  }
}
