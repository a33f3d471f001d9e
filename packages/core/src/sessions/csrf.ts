import { timingSafeEqualStrings } from '../crypto/compare.js';
import { toBase64Url } from '../crypto/encoding.js';
import { hmacSha256 } from '../crypto/hash.js';
import type { Keyring } from '../crypto/keyring.js';

/**
 * The CSRF token of a session: HMAC-SHA256 of its id under the key derived for `csrf` alone,
 * base64url (43 characters). Bound to the session, a token is worth nothing for any other
 * session, and no one without the secret can make one: a sibling subdomain that can plant
 * cookies (when `http.cookies.domain` drops the `__Host-` prefix) cannot plant a matching
 * pair, which a random double-submit token would allow (OWASP's "signed double-submit
 * cookie").
 */
export function csrfTokenFor(keyring: Keyring, sessionId: string): string {
  return toBase64Url(hmacSha256(keyring.deriveKey('csrf'), `portcullis/csrf/${sessionId}`));
}

/**
 * Whether `token` is the CSRF token of `sessionId` under the current secret or one kept for
 * rotation (so rotating the secret does not fail every open tab). Constant time per key.
 */
export function csrfTokenMatches(keyring: Keyring, sessionId: string, token: string): boolean {
  let ok = false;
  for (const { key } of keyring.deriveAllKeys('csrf')) {
    const expected = toBase64Url(hmacSha256(key, `portcullis/csrf/${sessionId}`));
    ok = timingSafeEqualStrings(expected, token) || ok;
  }
  return ok;
}
