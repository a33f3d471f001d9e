import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import { asymmetricKeys } from './keys.js';

/**
 * The public keys that verify access tokens, as a JWK Set (RFC 7517 5) for `GET /jwks.json`:
 * every configured key, current first, so tokens signed before a key rotation still verify in
 * other services. Each key has `kid`, `alg` and `use: 'sig'` and only public members.
 *
 * @throws AuthError `NOT_FOUND` with HS256 (a shared secret is never published);
 * `CONFIG_INVALID` when a configured key is unusable.
 */
export async function getJwks(rt: AuthRuntime): Promise<{ keys: JsonWebKey[] }> {
  if (rt.config.session.accessToken.algorithm === 'HS256') throw new AuthError('NOT_FOUND');
  const { jwks } = await asymmetricKeys(rt);
  // Copies: a caller that edits the answer cannot change what the next caller is served.
  return { keys: jwks.map((jwk) => ({ ...jwk })) };
}
