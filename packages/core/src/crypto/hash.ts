import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from './encoding.js';

const asUint8Array = (data: Uint8Array | string): Uint8Array =>
  typeof data === 'string' ? utf8(data) : data;

/** SHA-256 of bytes, or of a string's UTF-8 bytes. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return nobleSha256(asUint8Array(data));
}

/** SHA-256 as base64url: the form in which token secrets are stored. */
export function sha256Base64Url(data: Uint8Array | string): string {
  return toBase64Url(sha256(data));
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return hmac(nobleSha256, key, asUint8Array(data));
}

/**
 * HKDF-SHA256 (RFC 5869). Portcullis derives one key per purpose from the configured secret
 * with `info = "portcullis/<purpose>"`, so a key leaked from one use breaks no other.
 */
export function hkdfSha256(
  inputKey: Uint8Array,
  options: { salt?: Uint8Array; info: Uint8Array | string; length: number },
): Uint8Array {
  return hkdf(nobleSha256, inputKey, options.salt, asUint8Array(options.info), options.length);
}
