import { compactVerify } from 'jose';
import { timingSafeEqualStrings } from '../crypto/compare.js';
import { fromUtf8 } from '../crypto/encoding.js';
import type { AuthRuntime } from '../runtime/context.js';
import {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  type CheckedClaims,
  checkClaims,
  checkClaimTimes,
  rejectToken,
} from './claims.js';
import { type AccessTokenAlgorithm, asymmetricKeys, hs256Keys } from './keys.js';

/** Our tokens are about 400 characters; anything far longer is refused before any work. */
const MAX_TOKEN_LENGTH = 4096;
/** Three non-empty base64url segments: no padding, no whitespace, no extra dots. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Verified tokens kept per Auth instance: two generations of 5,000 (a few MB at most). */
const GENERATION_SIZE = 5_000;

/**
 * Token string → claims that passed the signature and every time-independent check. Failures
 * are never stored; the time checks run again on every hit. Keys and configuration never
 * change for an instance, so an entry stays as valid as when it was made. Two generations
 * instead of an LRU: inserting never deletes (a Map that drops its oldest key on each insert
 * costs as much as the HMAC it saves), and a hit in the old generation moves up, so tokens in
 * use stay while the rest ages out.
 */
interface VerifiedCache {
  young: Map<string, CheckedClaims>;
  old: Map<string, CheckedClaims>;
}
const caches = new WeakMap<AuthRuntime, VerifiedCache>();

function lookup(cache: VerifiedCache, token: string): CheckedClaims | undefined {
  const hit = cache.young.get(token);
  if (hit) return hit;
  const old = cache.old.get(token);
  if (old) remember(cache, token, old);
  return old;
}

function remember(cache: VerifiedCache, token: string, checked: CheckedClaims): void {
  if (cache.young.size >= GENERATION_SIZE) {
    cache.old = cache.young;
    cache.young = new Map();
  }
  cache.young.set(token, checked);
}

/**
 * Decodes a segment whose alphabet {@link COMPACT_JWS} already checked. Non-canonical spellings
 * need no check: the signature covers the characters, and only we sign.
 */
function decodeJson(segment: string, what: string): unknown {
  try {
    return JSON.parse(fromUtf8(Buffer.from(segment, 'base64url')));
  } catch (cause) {
    return rejectToken(`${what} is not UTF-8 JSON`, cause);
  }
}

/** Checks the header against the configuration before any key is touched; returns its `kid`. */
function readHeader(segment: string, algorithm: AccessTokenAlgorithm): string {
  const header = decodeJson(segment, 'header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    rejectToken('header is not an object');
  }
  const h = header as Record<string, unknown>;
  // RFC 8725 3.1: exactly the configured algorithm. `none`, and HS256 forged with a public
  // key as HMAC secret (or RS/ES/EdDSA presented to an HS256 instance), die here.
  if (h.alg !== algorithm) rejectToken('unexpected alg');
  // RFC 9068 2.1, RFC 8725 3.11: explicit typing, so a refresh token, an ID token or any other
  // JWT signed with the same key is never taken for an access token.
  if (h.typ !== ACCESS_TOKEN_TYPE) rejectToken('unexpected typ');
  if (typeof h.kid !== 'string') rejectToken('missing kid');
  // Only the members we write. jku, x5u, jwk, x5c (keys chosen by the attacker) are never
  // followed but refused; so is crit (RFC 7515 4.1.11: extensions we do not implement).
  for (const name of Object.keys(h)) {
    if (name !== 'alg' && name !== 'typ' && name !== 'kid') rejectToken(`header member ${name}`);
  }
  return h.kid;
}

/**
 * HS256, synchronous (noble HMAC-SHA256): the hot path. Web Crypto's HMAC is asynchronous and,
 * through jose, several times slower per call (`bench/tokens.mjs`).
 */
function verifyHs256(rt: AuthRuntime, token: string): CheckedClaims {
  const lastDot = token.lastIndexOf('.');
  const firstDot = token.indexOf('.');
  const header = token.slice(0, firstDot);
  const keys = hs256Keys(rt);
  // Our own header bytes are known per key; any other spelling is decoded and checked. Either
  // way kid only selects among the keyring's secrets (rotation); an unknown one is refused.
  const mac = keys.byHeader.get(header) ?? keys.macs.get(readHeader(header, 'HS256'));
  if (!mac) rejectToken('unknown kid');
  // Compared as base64url text in constant time: equal to comparing the bytes, and another
  // spelling of the right signature is refused, so one token has one string (cache key).
  if (!timingSafeEqualStrings(mac(token.slice(0, lastDot)), token.slice(lastDot + 1))) {
    rejectToken('bad signature');
  }
  // Claims are read only after the signature: untrusted JSON never reaches the claim checks.
  return checkClaims(
    decodeJson(token.slice(firstDot + 1, lastDot), 'payload'),
    rt.config.session.accessToken,
  );
}

/** EdDSA and ES256 through jose, restricted to the configured algorithm and keys. */
async function verifyAsymmetric(
  rt: AuthRuntime,
  token: string,
  algorithm: 'EdDSA' | 'ES256',
): Promise<CheckedClaims> {
  const kid = readHeader(token.slice(0, token.indexOf('.')), algorithm);
  const key = (await asymmetricKeys(rt)).publicKeys.get(kid);
  if (!key) rejectToken('unknown kid');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, key, { algorithms: [algorithm] }));
  } catch (cause) {
    return rejectToken('bad signature', cause);
  }
  let claims: unknown;
  try {
    claims = JSON.parse(fromUtf8(payload));
  } catch (cause) {
    return rejectToken('payload is not JSON', cause);
  }
  return checkClaims(claims, rt.config.session.accessToken);
}

/**
 * Verifies an access JWT issued by this instance and resolves to its claims. Accepts only the
 * configured algorithm and keys (`kid` selects among them; with HS256, among every secret of
 * the keyring), `typ: at+jwt`, the configured `iss` and `aud`, and `exp`/`nbf`/`iat` within
 * `leewaySeconds` of the configured clock. Already verified tokens are served from a bounded
 * per-instance cache, with the time checks run again.
 *
 * Stateless: the session behind the token is checked by `sign-in/authenticate.ts` when asked.
 * @throws AuthError `UNAUTHENTICATED` for every failure of the token (the reason is in
 * `cause` only); `CONFIG_INVALID` when a configured EdDSA or ES256 key is unusable.
 */
export async function verifyAccessToken(
  rt: AuthRuntime,
  token: string,
): Promise<AccessTokenClaims> {
  const { algorithm, leewaySeconds } = rt.config.session.accessToken;
  const now = rt.now();
  const nowSeconds = Math.floor(now / 1000);
  let cache = caches.get(rt);
  if (!cache) {
    cache = { young: new Map(), old: new Map() };
    caches.set(rt, cache);
  }
  let checked = typeof token === 'string' ? lookup(cache, token) : undefined;
  if (checked) {
    try {
      checkClaimTimes(checked, nowSeconds, leewaySeconds);
    } catch (error) {
      // Expired for good, unless the clock goes back (tests): drop it, a miss re-verifies.
      cache.young.delete(token);
      cache.old.delete(token);
      throw error;
    }
  } else {
    // Garbage of any size or shape is refused before decoding or any HMAC.
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      rejectToken('malformed');
    }
    checked =
      algorithm === 'HS256' ? verifyHs256(rt, token) : await verifyAsymmetric(rt, token, algorithm);
    checkClaimTimes(checked, nowSeconds, leewaySeconds);
    remember(cache, token, checked);
  }
  return checked.claims;
}
