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

/** The one-shot digest of `node:crypto` (Node 20.12+, Bun, Deno), where the runtime has it. */
type NodeHash = (algorithm: string, data: string, encoding: 'base64url') => string;

/**
 * `node:crypto`'s `hash`, found without importing `node:crypto` (so core still loads on
 * runtimes without it): `process.getBuiltinModule` exists on Node 20.16+, Bun and Deno.
 * Undefined elsewhere, where noble's SHA-256 answers.
 */
const nodeHash: NodeHash | undefined = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    const crypto = proc?.getBuiltinModule?.('node:crypto') as { hash?: NodeHash } | undefined;
    return typeof crypto?.hash === 'function' ? crypto.hash : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * SHA-256 as base64url: the form in which token secrets are stored. It runs on every validated
 * session, so strings go to the runtime's native SHA-256 when there is one (about ten times
 * cheaper than noble's here, `docs/performance.md`).
 */
export function sha256Base64Url(data: Uint8Array | string): string {
  if (nodeHash !== undefined && typeof data === 'string')
    return nodeHash('sha256', data, 'base64url');
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
