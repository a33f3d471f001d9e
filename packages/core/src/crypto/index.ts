/**
 * `@portcullis/core/crypto`: the primitives core builds on, for adapters and applications that
 * need the same guarantees: split tokens (`selector.verifier`, only a hash stored), constant-time
 * comparison, SHA-256/HMAC/HKDF, Base64url, the {@link Keyring} that derives and encrypts under
 * the configured secret, and the injectable random source.
 */
export { timingSafeEqual, timingSafeEqualStrings } from './compare.js';
export { fromBase64Url, toBase64Url } from './encoding.js';
export { hkdfSha256, hmacSha256, sha256, sha256Base64Url } from './hash.js';
export type { KeyPurpose } from './keyring.js';
export { Keyring } from './keyring.js';
export type { RandomSource } from './random.js';
export { webCryptoRandom } from './random.js';
export type { SplitToken } from './tokens.js';
export {
  createSplitToken,
  parseSplitToken,
  randomToken,
  verifyTokenSecret,
} from './tokens.js';
