import { timingSafeEqualStrings } from './compare.js';
import { toBase64Url } from './encoding.js';
import { sha256Base64Url } from './hash.js';
import { type RandomSource, webCryptoRandom } from './random.js';

/** Bytes of a token id or link-token selector: 128 bits, enough to never collide. */
export const TOKEN_ID_BYTES = 16;
/** Bytes of a token secret or link-token verifier: 256 bits. */
export const TOKEN_SECRET_BYTES = 32;

/** A random base64url string of `bytes` random bytes (default 32, i.e. 256 bits). */
export function randomToken(options: { bytes?: number; random?: RandomSource } = {}): string {
  return toBase64Url(
    (options.random ?? webCryptoRandom).bytes(options.bytes ?? TOKEN_SECRET_BYTES),
  );
}

/**
 * A two-part token, `{id}.{secret}`: the id (a session id, a link token's selector) finds
 * the record in one lookup, and only SHA-256 of the secret (the verifier) is stored, so a
 * leaked database holds nothing that signs anyone in. Used for session, refresh and
 * trusted-device tokens and for mailed link tokens.
 */
export interface SplitToken {
  /** Public part: the record's id or selector (128 bits, base64url). */
  readonly id: string;
  /** Secret part (256 bits, base64url). Sent to its owner once, never stored. */
  readonly secret: string;
  /** What the owner presents: `${id}.${secret}`. */
  readonly token: string;
  /** SHA-256 of the secret, base64url: what the store keeps. */
  readonly secretHash: string;
}

/** Makes a new {@link SplitToken}; pass `id` to reuse an existing record id (a session's). */
export function createSplitToken(options: { random?: RandomSource; id?: string } = {}): SplitToken {
  const random = options.random ?? webCryptoRandom;
  const id = options.id ?? randomToken({ bytes: TOKEN_ID_BYTES, random });
  const secret = randomToken({ bytes: TOKEN_SECRET_BYTES, random });
  return Object.freeze({
    id,
    secret,
    token: `${id}.${secret}`,
    secretHash: sha256Base64Url(secret),
  });
}

/**
 * Splits a presented token into id and secret. Anything not shaped exactly like a token
 * made by {@link createSplitToken} is `undefined`, before any store is asked.
 */
export function parseSplitToken(token: unknown): { id: string; secret: string } | undefined {
  // One regular expression instead of decoding: this runs on every request. 22 characters
  // carry exactly 16 bytes when the last one leaves its 4 low bits zero (A, Q, g, w); 43
  // characters carry exactly 32 bytes when the last one leaves its 2 low bits zero. Only the
  // canonical spelling of each value passes, as with a decode and re-encode.
  if (typeof token !== 'string' || token.length !== 66 || !SPLIT_TOKEN.test(token)) {
    return undefined;
  }
  return { id: token.slice(0, 22), secret: token.slice(23) };
}

const SPLIT_TOKEN = /^[A-Za-z0-9_-]{21}[AQgw]\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** True when SHA-256 of `secret` equals `storedHash`, compared in constant time. */
export function verifyTokenSecret(secret: string, storedHash: string): boolean {
  return timingSafeEqualStrings(sha256Base64Url(secret), storedHash);
}
