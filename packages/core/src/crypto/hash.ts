import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from './encoding.js';

type Bytes = Uint8Array;
const asBytes = (data: Bytes | string): Bytes => (typeof data === 'string' ? utf8(data) : data);

/** SHA-256 of bytes, or of a string's UTF-8 bytes. */
export function sha256(data: Bytes | string): Bytes {
  return nobleSha256(asBytes(data));
}

/** SHA-256 as base64url: the form in which token secrets are stored. */
export function sha256Base64Url(data: Bytes | string): string {
  return toBase64Url(sha256(data));
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: Bytes, data: Bytes | string): Bytes {
  return hmac(nobleSha256, key, asBytes(data));
}

/**
 * HKDF-SHA256 (RFC 5869). Portcullis derives one key per purpose from the configured secret
 * with `info = "portcullis/<purpose>"`, so a key leaked from one use breaks no other.
 */
export function hkdfSha256(
  inputKey: Bytes,
  options: { salt?: Bytes; info: Bytes | string; length: number },
): Bytes {
  return hkdf(nobleSha256, inputKey, options.salt, asBytes(options.info), options.length);
}
